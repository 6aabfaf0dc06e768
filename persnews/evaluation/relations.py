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

Both return ``precision``, ``recall``, ``f1``, ``support`` (gold count),
``tp``/``fp``/``fn`` and ``errors`` (one dict per false positive or false
negative, with the document id and the strings), for :func:`format_errors`.

>>> from persnews.document import Document
>>> gold = Document.from_dict({"id": "d1", "text": "x", "officials": [
...     {"name": "حسین نوری", "positions": [{"role": "معاون فنی", "institution": "شهرداری شیراز"}]}]})
>>> pred = Document.from_dict({"id": "d1", "text": "x", "officials": [
...     {"name": "نوری", "positions": [{"role": "معاون", "institution": "شهرداري شیراز"}]}]})
>>> fact_scores([gold], [pred])["f1"]
1.0
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..document import Document
from ..relations import compact

Triple = tuple[tuple[int, int], tuple[int, int], tuple[int, int] | None]
Fact = tuple[str, str, str | None]


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


def _error(kind: str, document: Document, person: str, role: str, institution: str | None) -> dict[str, Any]:
    return {"doc": document.id, "kind": kind, "person": person, "role": role, "institution": institution}


def _triples(document: Document) -> dict[Triple, tuple[str, str, str | None]]:
    """Each relation as spans, with its surfaces for the error list."""
    result = {}
    for r in document.relations:
        person, role = document.entities[r.person], document.entities[r.role]
        place = document.entities[r.institution] if r.institution is not None else None
        spans = ((person.start, person.end), (role.start, role.end), (place.start, place.end) if place else None)
        result[spans] = (person.text, role.text, place.text if place else None)
    return result


def triple_scores(gold: Sequence[Document], predicted: Sequence[Document]) -> dict[str, Any]:
    """Exact-span relation triple P/R/F1 over paired documents (same order, same texts)."""
    tp = fp = fn = 0
    errors = []
    for g, p in _pairs(gold, predicted):
        if g.text != p.text:
            raise ValueError(f"gold and predicted documents differ in text (gold id {g.id!r})")
        gold_triples, pred_triples = _triples(g), _triples(p)
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
    return [(o.name, p.role, p.institution) for o in document.officials for p in o.positions]


def _contain(a: str, b: str) -> bool:
    a, b = compact(a), compact(b)
    return bool(a) and bool(b) and (a in b or b in a)


def fact_matches(gold: Fact, predicted: Fact) -> bool:
    """The lenient match of one gold fact and one predicted fact (see the module docstring)."""
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


def fact_scores(gold: Sequence[Document], predicted: Sequence[Document]) -> dict[str, Any]:
    """Lenient document-fact P/R/F1 over the ``officials`` of paired documents."""
    tp = fp = fn = 0
    errors = []
    for g, p in _pairs(gold, predicted):
        gold_facts, pred_facts = _facts(g), _facts(p)
        missed, spurious = _match(gold_facts, pred_facts, fact_matches)
        tp += len(gold_facts) - len(missed)
        fn += len(missed)
        fp += len(spurious)
        errors += [_error("false positive", p, *fact) for fact in spurious]
        errors += [_error("false negative", g, *fact) for fact in missed]
    return _scores(tp, fp, fn, errors)


def format_errors(errors: Sequence[dict[str, Any]], limit: int | None = None) -> str:
    """One line per error, grouped by document: ``doc  FP|FN  person | role | institution``."""
    shown = sorted(errors, key=lambda e: (str(e["doc"]), e["kind"]))
    lines = [f"{e['doc']}  {'FP' if e['kind'] == 'false positive' else 'FN'}  "
             f"{e['person']} | {e['role']} | {e['institution'] if e['institution'] is not None else '-'}"
             for e in shown[:limit]]
    if limit is not None and len(shown) > limit:
        lines.append(f"... and {len(shown) - limit} more")
    return "\n".join(lines)
