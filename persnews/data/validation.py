"""Checks that annotated JSONL files and release folders follow the schema, reporting every problem.

Checks work on raw JSON records (not :class:`Document` objects, which refuse
to exist when broken), so one pass can report all problems of a file as
``file:line: reason``. Training calls :func:`check_release` and refuses a
release with the same messages.

>>> record_problems({"id": "d", "text": "علی", "entities": [{"start": 0, "end": 9, "label": "PER"}]})
['entity 0: offsets 0:9 outside the text (length 3)']
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..document import LABELS
from ..errors import CorpusMismatchError, DataFormatError, InputDecodeError
from ..normalization import normalize_string
from .jsonl import read_text, scan_records
from .labels import relation_problems
from .corpora import corpora_root
from .docs_layer import is_docs_record, join_docs_layer, parse_docs_layer
from .splits import SPLITS
from .standoff import read_layer

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


def text_key(text: str) -> str:
    """A hash under which two copies of one text collide even if they differ in ZWNJ, «ي/ك» or spacing."""
    canonical = re.sub(r"[\s\u200c]+", "", normalize_string(text))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entity_problems(text: str, entities: Any) -> tuple[list[str], list[str]]:
    """``(problems, labels)``: ``labels`` has one entry per entity (``?`` when unusable) so indices stay aligned."""
    if not isinstance(entities, list):
        return [f"entities must be a list, got {type(entities).__name__}"], []
    problems, labels = [], []
    previous: tuple[int, int] | None = None  # (end, index) of the last entity with usable offsets
    for k, entity in enumerate(entities):
        if not isinstance(entity, dict):
            problems.append(f"entity {k}: expected an object")
            labels.append("?")
            continue
        start, end, label = entity.get("start"), entity.get("end"), entity.get("label")
        labels.append(label if label in LABELS else "?")
        if label not in LABELS:
            problems.append(f"entity {k}: unknown label {label!r} (schema labels: {', '.join(LABELS)})")
        if not (_is_int(start) and _is_int(end)):
            problems.append(f"entity {k}: start and end must be integers, got {start!r}, {end!r}")
            continue
        if not 0 <= start < end <= len(text):
            problems.append(f"entity {k}: offsets {start}:{end} outside the text (length {len(text)})")
            continue
        if "text" in entity and entity["text"] != text[start:end]:
            problems.append(f"entity {k}: stored surface {entity['text']!r} != text[{start}:{end}] {text[start:end]!r}")
        if previous is not None and start < previous[0]:
            problems.append(f"entity {k} at {start}:{end} overlaps or precedes entity {previous[1]} "
                            "(entities must be sorted by start and must not overlap)")
        previous = (end, k)
    return problems, labels


def _official_problems(officials: Any, n_relations: int) -> list[str]:
    if not isinstance(officials, list):
        return [f"officials must be a list, got {type(officials).__name__}"]
    problems = []
    for k, official in enumerate(officials):
        if not isinstance(official, dict) or not isinstance(official.get("name"), str) or not official["name"].strip():
            problems.append(f"official {k}: needs a non-empty name")
            continue
        positions = official.get("positions", [])
        if not isinstance(positions, list):
            problems.append(f"official {k}: positions must be a list")
            continue
        for j, position in enumerate(positions):
            if not isinstance(position, dict) or not isinstance(position.get("role"), str):
                problems.append(f"official {k} position {j}: needs a role string")
            elif not (position.get("institution") is None or isinstance(position["institution"], str)):
                problems.append(f"official {k} position {j}: institution must be a string or null")
            elif not isinstance(position.get("former", False), bool):
                problems.append(f"official {k} position {j}: former must be true or false (absent: false)")
            elif any(not _is_int(e) or not 0 <= e < n_relations for e in position.get("evidence", [])):
                problems.append(f"official {k} position {j}: evidence must be relation indices (0..{n_relations - 1})")
    return problems


def record_problems(record: dict[str, Any]) -> list[str]:
    """Every reason ``record`` (one parsed JSONL line) breaks the schema; empty when it is valid."""
    text, doc_id = record.get("text"), record.get("id")
    problems = []
    if not isinstance(doc_id, str) or not doc_id.strip():
        problems.append(f"id must be a non-empty string, got {doc_id!r}")
    if not isinstance(text, str):
        return problems + [f"text must be a string, got {type(text).__name__}"]
    entity_problems, labels = _entity_problems(text, record.get("entities", []))
    problems += entity_problems
    relations = record.get("relations", [])
    if not isinstance(relations, list):
        return problems + [f"relations must be a list, got {type(relations).__name__}"]
    for k, relation in enumerate(relations):
        if not isinstance(relation, dict):
            problems.append(f"relation {k}: expected an object")
            continue
        slots = [relation.get("person"), relation.get("role"), relation.get("institution")]
        problems += [f"relation {k}: {p}" for p in relation_problems(labels, slots)]
        if not isinstance(relation.get("former", False), bool):
            problems.append(f"relation {k}: former must be true or false (absent: false), got {relation['former']!r}")
    problems += _official_problems(record.get("officials", []), len(relations))
    return problems


def validate_records(records: Iterable[tuple[int, dict[str, Any]]], path: str | Path) -> list[str]:
    """``file:line: reason`` for every schema problem of the records of one file."""
    return [f"{path}:{number}: {reason}" for number, record in records for reason in record_problems(record)]


def duplicate_problems(located: Sequence[tuple[str, int, dict[str, Any]]]) -> list[str]:
    """Records ``(file, line, record)`` that repeat an earlier one's id or text (see :func:`text_key`)."""
    first_id: dict[str, str] = {}
    first_text: dict[str, str] = {}
    problems = []
    for path, number, record in located:
        where = f"{path}:{number}"
        doc_id, text = record.get("id"), record.get("text")
        if isinstance(doc_id, str):
            if doc_id in first_id:
                problems.append(f"{where}: duplicate id {doc_id!r} (first at {first_id[doc_id]})")
            first_id.setdefault(doc_id, where)
        if isinstance(text, str):
            key = text_key(text)
            if key in first_text:
                problems.append(f"{where}: duplicate document, same text as {first_text[key]}")
            first_text.setdefault(key, where)
    return problems


def docs_layer_problems(path: Path, records: Sequence[tuple[int, dict[str, Any]]]) -> list[str]:
    """Every problem of a docs layer file (:mod:`persnews.data.docs_layer`), its join with the corpora included."""
    try:
        join_docs_layer(parse_docs_layer(path.stem, records, str(path)), corpora_root())
    except DataFormatError as error:
        return list(error.problems) or [str(error)]
    except CorpusMismatchError as error:
        return [str(error)]
    return []


def _scan(path: Path) -> tuple[list[tuple[str, int, dict[str, Any]]], list[str]]:
    """The records of one JSONL file as ``(file, line, record)`` and its schema problems; a docs layer file
    is checked as one (its records hold no text, so they take no part in the duplicate check)."""
    try:
        scan = scan_records(path)
    except InputDecodeError as error:
        return [], [str(error)]
    if scan.records and is_docs_record(scan.records[0][1]):
        return [], list(scan.problems) + docs_layer_problems(path, scan.records)
    return ([(str(path), n, r) for n, r in scan.records],
            list(scan.problems) + validate_records(scan.records, path))


def _manifest_problems(directory: Path) -> list[str]:
    path = directory / MANIFEST
    if not path.is_file():
        return [f"{path}: missing (every release has a manifest)"]
    try:
        manifest = json.loads(read_text(path))
    except (json.JSONDecodeError, InputDecodeError) as error:
        return [f"{path}: not valid JSON ({error})"]
    if not isinstance(manifest, dict):
        return [f"{path}: expected a JSON object"]
    problems = []
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"{path}: schema_version {manifest.get('schema_version')!r}, expected {SCHEMA_VERSION}")
    if manifest.get("labels") != list(LABELS):
        problems.append(f"{path}: labels {manifest.get('labels')!r} differ from the schema's {list(LABELS)}")
    files = manifest.get("files")
    if not isinstance(files, dict):
        return problems + [f"{path}: 'files' must map each file to its sha256"]
    for split in SPLITS:
        if f"{split}.jsonl" not in files:
            problems.append(f"{path}: {split}.jsonl is not listed in 'files'")
    for extra in sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*.jsonl")):
        if extra not in files:
            problems.append(f"{path}: {extra} is in the folder but not listed in 'files'")
    for name, digest in files.items():
        member = directory / name
        if not member.is_file():
            problems.append(f"{path}: lists {name}, which is missing")
        elif file_sha256(member) != digest:
            problems.append(f"{path}: sha256 of {name} differs from the manifest (edited after release?)")
    for layer in manifest.get("layers", []):
        name = layer.get("file") if isinstance(layer, dict) else None
        if not isinstance(name, str) or name not in files:
            problems.append(f"{path}: layer entry {layer!r} must name a file listed in 'files'")
        elif (directory / name).is_file():
            try:
                read_layer(directory / name)
            except (DataFormatError, InputDecodeError) as error:
                problems += getattr(error, "problems", None) or [str(error)]
    return problems


def validate_paths(paths: Sequence[str | Path]) -> list[str]:
    """Every problem of the given JSONL files and release folders, duplicates across all of them included."""
    located: list[tuple[str, int, dict[str, Any]]] = []
    problems: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            problems += _manifest_problems(path)
            files = [path / f"{split}.jsonl" for split in SPLITS]
        elif path.is_file():
            files = [path]
        else:
            problems.append(f"{path}: no such file or release folder")
            continue
        for file in files:
            if not file.is_file():
                problems.append(f"{file}: missing")
                continue
            records, file_problems = _scan(file)
            located += records
            problems += file_problems
    return problems + duplicate_problems(located)


def check_release(directory: str | Path) -> None:
    """Raise :class:`DataFormatError` listing every problem of the release folder; training calls this."""
    problems = validate_paths([directory])
    if problems:
        raise DataFormatError(f"{directory}: invalid release ({len(problems)} problem(s))", problems)
