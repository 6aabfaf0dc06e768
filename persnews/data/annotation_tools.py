"""Label Studio and Doccano exports in, Label Studio tasks out: the tools our annotators use.

Both tools store binary links between spans, while the schema stores
triples. Links are read by the labels they join, whatever their direction:
PER–ROLE says who holds the role, ROLE–ORG/LOC where. Each ROLE then yields
one triple per (person, institution) linked to it, or ``(person, role,
null)`` when it has no institution. A PER–ROLE link named ``held``
(:data:`FORMER_LINK`) marks a former office (``"former": true``); any other
name, a current one. The exporter writes exactly those links (``holds`` or
``held`` from PER to ROLE, ``at`` from ROLE to the institution) and refuses a
document whose triples the links could not give back.

Spans whose offsets do not match their stored surface are tried as UTF-16
offsets (what the browser counts around emoji) before being skipped;
whitespace at a span's edges is trimmed. Everything skipped is reported.

>>> doc = Document.from_dict({"id": "d1", "text": "علی، شهردار تهران گفت",
...     "entities": [{"start": 0, "end": 3, "label": "PER"}, {"start": 5, "end": 11, "label": "ROLE"},
...                  {"start": 12, "end": 17, "label": "LOC"}],
...     "relations": [{"person": 0, "role": 1, "institution": 2}]})
>>> parse_labelstudio(export_labelstudio([doc])).documents == (doc,)
True
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..document import INSTITUTION_LABELS, LABELS, Document, Entity, Official, Relation
from ..errors import DataFormatError
from .jsonl import ImportResult, read_records, read_text, write_text_atomic

LABEL_STUDIO_CONFIG = """<View>
  <Relations>
    <Relation value="holds"/>
    <Relation value="held"/>
    <Relation value="at"/>
  </Relations>
  <Labels name="label" toName="text">
""" + "".join(f'    <Label value="{label}"/>\n' for label in LABELS) + """  </Labels>
  <Text name="text" value="$text"/>
</View>
"""
"""The labelling configuration the exported tasks expect (``from_name`` "label", ``to_name`` "text")."""


@dataclass(frozen=True)
class _Span:
    key: str
    start: int
    end: int
    label: str
    surface: str | None


def _utf16_to_index(text: str, unit: int) -> int:
    """The code-point index of UTF-16 code unit ``unit`` of ``text``."""
    count = 0
    for index, char in enumerate(text):
        if count >= unit:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _resolve(text: str, span: _Span) -> tuple[int, int]:
    """Offsets of ``span`` in code points, whitespace trimmed; a span that cannot be placed raises ``ValueError``."""
    start, end = span.start, span.end
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
        raise ValueError(f"bad offsets {start!r}:{end!r}")
    if span.surface is not None and text[start:end] != span.surface:
        start, end = _utf16_to_index(text, span.start), _utf16_to_index(text, span.end)
        if text[start:end] != span.surface:
            raise ValueError(f"offsets {span.start}:{span.end} do not match the surface {span.surface!r}")
    if end > len(text):
        raise ValueError(f"offsets {start}:{end} outside the text (length {len(text)})")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValueError("the span is only whitespace")
    return start, end


FORMER_LINK = "held"
"""The name of a PER–ROLE link that says the person held the role and no longer does."""


def triples_from_links(labels: Sequence[str],
                       links: Iterable[tuple[int, int, str]]) -> tuple[list[Relation], list[str]]:
    """Relation triples from undirected, named links ``(a, b, name)`` between entity indices, and why any link
    was not used."""
    persons: dict[int, set[int]] = defaultdict(set)
    institutions: dict[int, set[int]] = defaultdict(set)
    former: set[tuple[int, int]] = set()
    problems = []
    for a, b, name in links:
        pair = {labels[a], labels[b]}
        if pair == {"PER", "ROLE"}:
            person, role = (a, b) if labels[a] == "PER" else (b, a)
            persons[role].add(person)
            if name == FORMER_LINK:
                former.add((person, role))
        elif len(pair) == 2 and "ROLE" in pair and pair - {"ROLE"} <= INSTITUTION_LABELS:
            role, place = (a, b) if labels[a] == "ROLE" else (b, a)
            institutions[role].add(place)
        else:
            problems.append(f"link {labels[a]}–{labels[b]} is neither PER–ROLE nor ROLE–ORG/LOC")
    relations = []
    for role in sorted(set(persons) | set(institutions)):
        if not persons[role]:
            problems.append(f"ROLE entity {role} is linked to an institution but to no person")
        for person in sorted(persons[role]):
            for place in sorted(institutions[role]) or [None]:
                relations.append(Relation(person, role, place, former=(person, role) in former))
    return sorted(relations, key=lambda r: (r.person, r.role, -1 if r.institution is None else r.institution)), problems


def _assemble(text: str, doc_id: str, spans: Sequence[_Span], links: Sequence[tuple[str, str, str]],
              officials: tuple[Official, ...], where: str) -> tuple[Document, list[str]]:
    """A document from tool spans and links (by span key); skipped spans and links come back as reasons."""
    skipped: list[str] = []
    placed: list[tuple[int, int, str, str]] = []
    for span in spans:
        if span.label not in LABELS:
            skipped.append(f"{where}: span {span.key!r} has label {span.label!r}, not in the schema")
            continue
        try:
            placed.append((*_resolve(text, span), span.label, span.key))
        except ValueError as error:
            skipped.append(f"{where}: span {span.key!r}: {error}")
    placed.sort()
    entities: list[Entity] = []
    index_of: dict[str, int] = {}
    for start, end, label, key in placed:
        if entities and (entities[-1].start, entities[-1].end, entities[-1].label) == (start, end, label):
            index_of[key] = len(entities) - 1  # the same region twice
            continue
        if entities and start < entities[-1].end:
            skipped.append(f"{where}: span {key!r} {label} at {start}:{end} overlaps {entities[-1].label} "
                           f"at {entities[-1].start}:{entities[-1].end}")
            continue
        index_of[key] = len(entities)
        entities.append(Entity(start, end, label, text[start:end]))
    pairs = []
    for source, target, name in links:
        if source in index_of and target in index_of:
            pairs.append((index_of[source], index_of[target], name))
        else:
            skipped.append(f"{where}: link {source!r} → {target!r} points at a span that was skipped or does not exist")
    relations, problems = triples_from_links([e.label for e in entities], pairs)
    skipped += [f"{where}: {p}" for p in problems]
    return Document(text, tuple(entities), tuple(relations), officials, doc_id), skipped


def _officials(raw: Any) -> tuple[Official, ...]:
    return tuple(Official.from_dict(o) for o in raw or ())


def _chosen_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    """The most recently updated annotation that was not cancelled, if any."""
    annotations = [a for a in task.get("annotations", task.get("completions", [])) or []
                   if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    return max(enumerate(annotations), key=lambda ia: (str(ia[1].get("updated_at") or ia[1].get("created_at") or ""),
                                                         ia[0]))[1]


def _task_document(task: Any, position: int, source: str) -> tuple[Document | None, list[str]]:
    task_id = task.get("id", position) if isinstance(task, dict) else position
    where = f"{source}: task {task_id}"
    data = task.get("data") if isinstance(task, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None, [f"{where}: no data.text, skipped"]
    annotation = _chosen_annotation(task)
    if annotation is None:
        return None, [f"{where}: no annotation that was not cancelled, skipped"]
    spans, links, skipped = [], [], []
    for k, item in enumerate(annotation.get("result", [])):
        kind = item.get("type")
        value = item.get("value", {})
        if kind == "relation":
            names = item.get("labels") or [""]
            links.append((str(item.get("from_id")), str(item.get("to_id")), str(names[0])))
        elif isinstance(value, dict) and "start" in value and isinstance(value.get(kind), list):
            if len(value[kind]) != 1:
                skipped.append(f"{where}: span {item.get('id', k)!r} has labels {value[kind]!r}, expected one")
                continue
            spans.append(_Span(str(item.get("id", k)), value["start"], value["end"], value[kind][0], value.get("text")))
        else:
            skipped.append(f"{where}: result {item.get('id', k)!r} of type {kind!r} is not a span or relation")
    try:
        officials = _officials(data.get("officials"))
    except (KeyError, TypeError, AttributeError) as error:
        return None, skipped + [f"{where}: data.officials is malformed ({error!r}), skipped"]
    doc_id = str(data.get("doc_id") or f"labelstudio/{task_id}")
    doc, more = _assemble(data["text"], doc_id, spans, links, officials, where)
    return doc, skipped + more


def _dedupe(pairs: Iterable[tuple[Document | None, list[str]]], what: str) -> ImportResult:
    documents, skipped, seen = [], [], set()
    for doc, reasons in pairs:
        skipped += reasons
        if doc is None:
            continue
        if doc.id in seen:
            skipped.append(f"{what}: a second document with id {doc.id!r}, skipped")
            continue
        seen.add(doc.id)
        documents.append(doc)
    return ImportResult(tuple(documents), tuple(skipped))


def parse_labelstudio(tasks: Any, source: str = "<labelstudio>") -> ImportResult:
    """Documents from a Label Studio JSON export (a list of tasks), the latest annotation of each task."""
    if not isinstance(tasks, list):
        raise DataFormatError(f"{source}: a Label Studio JSON export is a list of tasks, got {type(tasks).__name__}")
    return _dedupe((_task_document(task, k, source) for k, task in enumerate(tasks)), source)


def import_labelstudio(path: str | Path) -> ImportResult:
    """Read a Label Studio JSON export file."""
    try:
        tasks = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise DataFormatError(f"{path}:{error.lineno}: invalid JSON ({error.msg})") from error
    return parse_labelstudio(tasks, str(path))


def _doccano_document(number: int, record: dict[str, Any], source: str) -> tuple[Document | None, list[str]]:
    where = f"{source}:{number}"
    text = record.get("text")
    if not isinstance(text, str):
        return None, [f"{where}: no text, skipped"]
    spans: list[_Span] = []
    if isinstance(record.get("entities"), list):  # projects with relations
        for k, e in enumerate(record["entities"]):
            spans.append(_Span(str(e.get("id", k)), e.get("start_offset"), e.get("end_offset"), e.get("label"), None))
    else:  # plain sequence labelling
        for k, triple in enumerate(record.get("label", record.get("labels", [])) or []):
            if not (isinstance(triple, list) and len(triple) == 3):
                return None, [f"{where}: label {k} is not [start, end, label], skipped"]
            spans.append(_Span(str(k), triple[0], triple[1], triple[2], None))
    links = [(str(r.get("from_id")), str(r.get("to_id")), str(r.get("type", "")))
             for r in record.get("relations", []) or []]
    if "doc_id" in record:
        doc_id = str(record["doc_id"])
    elif "id" in record:
        doc_id = f"doccano/{record['id']}"
    else:
        doc_id = f"doccano/{Path(source).stem}/{number}"
    return _assemble(text, doc_id, spans, links, (), where)


def import_doccano(path: str | Path) -> ImportResult:
    """Read a Doccano JSONL export: sequence labelling (``label``) or with relations (``entities``, ``relations``)."""
    return _dedupe((_doccano_document(number, record, str(path)) for number, record in read_records(path)), str(path))


def _links(doc: Document) -> list[tuple[int, int, str]]:
    """The PER→ROLE ("holds", or "held" for a former office) and ROLE→institution ("at") links that encode
    the document's triples."""
    links = {(r.person, r.role, FORMER_LINK if r.former else "holds") for r in doc.relations}
    links |= {(r.role, r.institution, "at") for r in doc.relations if r.institution is not None}
    return sorted(links)


def export_labelstudio(documents: Iterable[Document]) -> list[dict[str, Any]]:
    """Label Studio tasks (with the documents' annotations) to correct and re-import.

    ``data`` carries ``text``, ``doc_id`` and the document's ``officials``, so
    re-importing gives the same documents back. A document whose triples the
    links cannot express (one ROLE mention at different institutions for
    different people) raises :class:`DataFormatError`.
    """
    tasks, problems = [], []
    for doc in documents:
        links = _links(doc)
        back, _ = triples_from_links([e.label for e in doc.entities], links)
        if set(back) != {Relation(r.person, r.role, r.institution, former=r.former) for r in doc.relations}:
            problems.append(f"{doc.id}: its relations cannot be written as Label Studio links without change")
            continue
        result: list[dict[str, Any]] = [
            {"id": f"e{k}", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": e.start, "end": e.end, "text": e.text, "labels": [e.label]}}
            for k, e in enumerate(doc.entities)]
        result += [{"type": "relation", "from_id": f"e{a}", "to_id": f"e{b}", "direction": "right", "labels": [name]}
                   for a, b, name in links]
        tasks.append({"data": {"text": doc.text, "doc_id": doc.id, "officials": [o.to_dict() for o in doc.officials]},
                      "annotations": [{"result": result}]})
    if problems:
        raise DataFormatError(f"{len(problems)} document(s) cannot be exported to Label Studio", problems)
    return tasks


def write_labelstudio(path: str | Path, documents: Iterable[Document]) -> int:
    """Write Label Studio tasks for ``documents`` to ``path`` (atomically); returns how many were written."""
    tasks = export_labelstudio(documents)
    write_text_atomic(path, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    return len(tasks)
