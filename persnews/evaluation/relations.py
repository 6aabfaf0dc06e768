"""Relation and officials scores, with the list of errors behind them.

* :func:`triple_scores` — sentence relations as exact triples of character
  spans ``(person, role, institution or None)``: the extractor must find the
  very spans the annotators marked.
* :func:`fact_scores` — document facts ``(name, role, institution)`` from
  ``officials``, matched leniently as a reader would: the gold surname (last
  word of the gold name) must occur in the predicted name, and role and
  institution must contain one another, all compared without ZWNJ, spaces or
  Arabic letter variants; a missing institution matches only a missing one.
  Each gold fact takes the first unmatched predicted fact that fits it.

Both ignore the ``former`` flag unless ``former=True``, which requires it to
match too (guidelines v1.1: a former office is a fact, marked). Both return
``precision``, ``recall``, ``f1``, ``support`` (gold count),
``tp``/``fp``/``fn`` and ``errors`` (one dict per false positive or false
negative, with the document id, the strings and the flag), for
:func:`format_errors` and :func:`per_document`.

>>> from persnews.document import Document
>>> gold = Document.from_dict({"id": "d1", "text": "x", "officials": [
...     {"name": "حسین نوری", "positions": [{"role": "معاون فنی", "institution": "شهرداری شیراز"}]}]})
>>> pred = Document.from_dict({"id": "d1", "text": "x", "officials": [
...     {"name": "نوری", "positions": [{"role": "معاون", "institution": "شهرداري شیراز"}]}]})
>>> fact_scores([gold], [pred])["f1"]
1.0
>>> held = Document.from_dict({"id": "d1", "text": "x", "officials": [
...     {"name": "نوری", "positions": [{"role": "معاون", "institution": "شهرداری شیراز", "former": True}]}]})
>>> fact_scores([gold], [held])["f1"], fact_scores([gold], [held], former=True)["f1"]
(1.0, 0.0)
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..document import Document
from ..cue_words import compact

Triple = tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]
Fact = tuple[str, str, str | None, bool]
"""A document fact: name, role, institution (or None) and whether it is a former office."""


def _scores(tp: int, fp: int, fn: int, errors: list[dict[str, Any]]) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": tp + fn, "tp": tp, "fp": fp, "fn": fn, "errors": errors}


def _pairs(gold: Sequence[Document], predicted: Sequence[Document]) -> list[tuple[Document, Document]]:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold documents but {len(predicted)} predicted ones")
    for g, p in zip(gold, predicted):
        if g.id is not None and p.id is not None and g.id != p.id:
            raise ValueError(f"gold document {g.id!r} is paired with predicted document {p.id!r}")
    return list(zip(gold, predicted))


def _error(kind: str, document: Document, person: str, role: str, institution: str | None,
           former: bool) -> dict[str, Any]:
    return {"doc": document.id, "kind": kind, "person": person, "role": role, "institution": institution,
            "former": former}


def _triples(document: Document, former: bool) -> dict[tuple[Triple, bool], Fact]:
    """Each relation as spans (with its flag when ``former``), with its surfaces and flag for the error list."""
    result = {}
    for r in document.relations:
        person, role = document.entities[r.person], document.entities[r.role]
        place = document.entities[r.institution] if r.institution is not None else None
        spans = ((person.start, person.end), (role.start, role.end), (place.start, place.end) if place else None)
        result[(spans, r.former and former)] = (person.text, role.text, place.text if place else None, r.former)
    return result


def triple_scores(gold: Sequence[Document], predicted: Sequence[Document], former: bool = False) -> dict[str, Any]:
    """Exact-span relation triple P/R/F1 over paired documents (same order, same texts); with ``former`` the
    flag must match too."""
    tp = fp = fn = 0
    errors = []
    for g, p in _pairs(gold, predicted):
        if g.text != p.text:
            raise ValueError(f"gold and predicted documents differ in text (gold id {g.id!r})")
        gold_triples, pred_triples = _triples(g, former), _triples(p, former)
        tp += len(gold_triples.keys() & pred_triples.keys())
        for spans, strings in pred_triples.items():
            if spans not in gold_triples:
                fp += 1
                errors.append(_error("false positive", p, *strings))
        for spans, strings in gold_triples.items():
            if spans not in pred_triples:
                fn += 1
                errors.append(_error("false negative", g, *strings))
    return _scores(tp, fp, fn, errors)


def _facts(document: Document) -> list[Fact]:
    return [(o.name, p.role, p.institution, p.former) for o in document.officials for p in o.positions]


def _contain(a: str, b: str) -> bool:
    a, b = compact(a), compact(b)
    return bool(a) and bool(b) and (a in b or b in a)


def fact_matches(gold: Fact, predicted: Fact, former: bool = False) -> bool:
    """The lenient match of one gold fact and one predicted fact (see the module docstring); with ``former``
    their flags must be equal too."""
    if former and gold[3] != predicted[3]:
        return False
    words = gold[0].split()
    surname = compact(words[-1]) if words else ""
    if not surname or surname not in compact(predicted[0]):
        return False
    if not _contain(gold[1], predicted[1]):
        return False
    if gold[2] is None or predicted[2] is None:
        return gold[2] is None and predicted[2] is None
    return _contain(gold[2], predicted[2])


def _match(gold: list[Fact], predicted: list[Fact], fits: Callable[[Fact, Fact], bool]) -> tuple[list[Fact], list[Fact]]:
    """Greedy one-to-one matching; returns the unmatched gold and predicted facts."""
    free = list(predicted)
    missed = []
    for fact in gold:
        partner = next((p for p in free if fits(fact, p)), None)
        if partner is None:
            missed.append(fact)
        else:
            free.remove(partner)
    return missed, free


def fact_scores(gold: Sequence[Document], predicted: Sequence[Document], former: bool = False) -> dict[str, Any]:
    """Lenient document-fact P/R/F1 over the ``officials`` of paired documents; with ``former`` the flag must
    match too."""
    tp = fp = fn = 0
    errors = []
    for g, p in _pairs(gold, predicted):
        gold_facts, pred_facts = _facts(g), _facts(p)
        missed, spurious = _match(gold_facts, pred_facts, lambda a, b: fact_matches(a, b, former))
        tp += len(gold_facts) - len(missed)
        fn += len(missed)
        fp += len(spurious)
        errors += [_error("false positive", p, *fact) for fact in spurious]
        errors += [_error("false negative", g, *fact) for fact in missed]
    return _scores(tp, fp, fn, errors)


def _fact_text(error: dict[str, Any]) -> str:
    """``person | role | institution`` (``-`` for none), `` (former)`` after a former office."""
    where = error["institution"] if error["institution"] is not None else "-"
    return f"{error['person']} | {error['role']} | {where}" + (" (former)" if error.get("former") else "")


def format_errors(errors: Sequence[dict[str, Any]], limit: int | None = None) -> str:
    """One line per error, grouped by document: ``doc  FP|FN  person | role | institution``."""
    shown = sorted(errors, key=lambda e: (str(e["doc"]), e["kind"]))
    lines = [f"{e['doc']}  {'FP' if e['kind'] == 'false positive' else 'FN'}  {_fact_text(e)}" for e in shown[:limit]]
    if limit is not None and len(shown) > limit:
        lines.append(f"... and {len(shown) - limit} more")
    return "\n".join(lines)


def per_document(reports: dict[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, list[str]]]]:
    """The errors of several scores (``{"facts": fact_scores(...), ...}``) regrouped by document: for each
    document with an error, per kind, the gold items ``missed`` and the predicted ones ``invented``, as
    ``person | role | institution`` lines. Documents are in order of first error; a document without any
    is left out.

    >>> e = {"doc": "d1", "kind": "false negative", "person": "نوری", "role": "معاون", "institution": None}
    >>> per_document({"facts": {"errors": [e]}})
    {'d1': {'facts': {'missed': ['نوری | معاون | -'], 'invented': []}}}
    """
    result: dict[str, dict[str, dict[str, list[str]]]] = {}
    for kind, scores in reports.items():
        for error in scores["errors"]:
            entry = result.setdefault(str(error["doc"]), {}).setdefault(kind, {"missed": [], "invented": []})
            entry["missed" if error["kind"] == "false negative" else "invented"].append(_fact_text(error))
    return result


def format_per_document(documents: dict[str, dict[str, dict[str, list[str]]]]) -> str:
    """:func:`per_document` as text: a header per document, then ``- missed`` / ``+ invented`` lines per kind."""
    lines = []
    for doc, kinds in documents.items():
        counts = ", ".join(f"{kind} {len(e['missed'])} missed {len(e['invented'])} invented" for kind, e in kinds.items())
        lines.append(f"{doc}: {counts}")
        for kind, entry in kinds.items():
            lines += [f"  {kind} - {item}" for item in entry["missed"]]
            lines += [f"  {kind} + {item}" for item in entry["invented"]]
    return "\n".join(lines)
