"""Reading and writing Document JSONL, keeping line numbers, and writing files atomically.

Every reader here returns records with the line they came from, so that later
checks can say ``file:line: reason``. Every writer writes a temporary sibling
and renames it, so a failed write never leaves a half-written file or release.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "docs.jsonl"
>>> write_documents(path, [Document("علی گفت", id="d1")])
>>> [(line, doc.id) for line, doc in read_documents(path)]
[(1, 'd1')]
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..document import Document
from ..errors import DataFormatError, InputDecodeError


@dataclass(frozen=True)
class ImportResult:
    """What every importer returns: the documents, and one ``file:line: reason`` per thing it skipped."""

    documents: tuple[Document, ...]
    skipped: tuple[str, ...] = ()


def read_text(path: str | Path) -> str:
    """The file's text; invalid UTF-8 raises :class:`InputDecodeError` naming the file, line and byte."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InputDecodeError(f"{path}:{line}: not valid UTF-8 (byte offset {error.start})") from error


@dataclass(frozen=True)
class RecordScan:
    """The JSON objects of a JSONL file as ``(line, record)`` pairs, and a ``file:line: reason`` per bad line."""

    records: tuple[tuple[int, dict[str, Any]], ...]
    problems: tuple[str, ...]


def scan_records(path: str | Path) -> RecordScan:
    """Parse every line of a JSONL file, collecting bad lines instead of stopping at the first.

    Blank lines are allowed. Invalid UTF-8 raises :class:`InputDecodeError`.
    """
    records, problems = [], []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: invalid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(value, dict):
            problems.append(f"{path}:{number}: expected a JSON object, got {type(value).__name__}")
            continue
        records.append((number, value))
    return RecordScan(tuple(records), tuple(problems))


def read_records(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """Every JSON object of a JSONL file with its 1-based line number; all bad lines raise one :class:`DataFormatError`."""
    scan = scan_records(path)
    if scan.problems:
        raise DataFormatError(f"{path}: {len(scan.problems)} line(s) are not JSON objects", list(scan.problems))
    return list(scan.records)


def read_documents(path: str | Path) -> list[tuple[int, Document]]:
    """Documents with their line numbers; a record the data model rejects is reported as ``file:line: reason``.

    This checks what :class:`Document` checks (offsets, surfaces, labels,
    relation indices); :mod:`persnews.data.validation` checks the rest of the schema.
    """
    documents, problems = [], []
    for number, record in read_records(path):
        if not isinstance(record.get("text"), str):
            problems.append(f"{path}:{number}: text must be a string")
            continue
        try:
            documents.append((number, Document.from_dict(record)))
        except (KeyError, TypeError, ValueError) as error:
            reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            problems.append(f"{path}:{number}: {reason}")
    if problems:
        raise DataFormatError(f"{path}: {len(problems)} invalid document(s)", problems)
    return documents


def documents_jsonl(documents: Iterable[Document]) -> str:
    """The JSONL text of ``documents`` (one line each, newline-terminated)."""
    return "".join(doc.to_json() + "\n" for doc in documents)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; it is renamed over ``path`` only if the block finishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from other users
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a temporary sibling of ``path``, then rename it over ``path``."""
    with atomic_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="\n")


def write_documents(path: str | Path, documents: Iterable[Document]) -> None:
    """Write ``documents`` as JSONL, atomically."""
    write_text_atomic(path, documents_jsonl(documents))


@contextlib.contextmanager
def replaced_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty temporary directory that replaces ``path`` only if the block finishes.

    On an exception the temporary directory is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        yield staging
        if path.exists():
            retired = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, retired / path.name)
            os.replace(staging, path)
            shutil.rmtree(retired)
        else:
            os.replace(staging, path)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
