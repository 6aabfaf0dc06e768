"""Corpus inputs cut into shards: JSONL (``id``, ``text``), Parquet (the same columns), ``.txt`` files.

A shard is a fixed run of records (a byte range of a JSONL file, a row range
of a Parquet file, or a list of ``.txt`` files), so the same inputs always cut
into the same shards: that is what lets a rerun skip the shards already
written. Reading a shard never raises for a bad record; the record comes back
with its ``error`` (``file:line: reason``), so it is reported, not lost.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.jsonl").write_text('{"id": 1, "text": "علی گفت"}\\n{"text": "بی‌شناسه"}\\n', encoding="utf-8")
>>> [shard] = index_inputs([folder / "a.jsonl"], shard_size=10)
>>> [(r["id"], r["error"]) for r in read_shard(shard)]  # doctest: +ELLIPSIS
[('1', None), (None, '...a.jsonl:2: missing id')]
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import pyarrow.parquet as pq

from ..data.jsonl import read_text
from ..errors import DataFormatError, InputDecodeError
from .records import check_record

SUFFIXES = (".jsonl", ".parquet", ".txt")


@dataclass(frozen=True)
class Shard:
    """Records ``start``..``stop`` of one JSONL (byte offsets; ``line`` is the first line's number) or
    Parquet file (row numbers), or the ``.txt`` files in ``paths``; ``count`` records in all."""

    index: int
    kind: str
    paths: tuple[str, ...]
    count: int
    start: int = 0
    stop: int = 0
    line: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shard:
        return cls(**{**data, "paths": tuple(data["paths"])})


def input_files(inputs: Sequence[str | Path]) -> list[Path]:
    """The files to read: each input file, and the ``.jsonl``/``.parquet``/``.txt`` files under each folder."""
    files = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif not path.exists():
            raise FileNotFoundError(f"no input file or folder {path}")
        elif path.suffix not in SUFFIXES:
            raise DataFormatError(f"{path}: unknown input type; expected {', '.join(SUFFIXES)} or a folder")
        else:
            files.append(path)
    return files


def index_inputs(inputs: Sequence[str | Path], shard_size: int = 1000) -> list[Shard]:
    """Cut the inputs into shards of at most ``shard_size`` records, in input order."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    shards: list[Shard] = []
    texts: list[str] = []
    for path in input_files(inputs):
        if path.suffix == ".txt":
            texts.append(str(path))
            continue
        pieces = _jsonl_pieces(path, shard_size) if path.suffix == ".jsonl" else _parquet_pieces(path, shard_size)
        shards += [Shard(len(shards) + i, path.suffix[1:], (str(path),), count, start, stop, line)
                   for i, (count, start, stop, line) in enumerate(pieces)]
    for first in range(0, len(texts), shard_size):
        group = tuple(texts[first:first + shard_size])
        shards.append(Shard(len(shards), "txt", group, len(group)))
    return shards


def _jsonl_pieces(path: Path, shard_size: int) -> Iterator[tuple[int, int, int, int]]:
    """(count, start byte, stop byte, first line) of each run of ``shard_size`` non-blank lines."""
    count, start, offset, first = 0, 0, 0, 1
    with path.open("rb") as stream:
        for number, line in enumerate(stream, 1):
            if line.strip():
                if count == 0:
                    start, first = offset, number
                count += 1
            offset += len(line)
            if count == shard_size:
                yield count, start, offset, first
                count = 0
    if count:
        yield count, start, offset, first


def _parquet_pieces(path: Path, shard_size: int) -> Iterator[tuple[int, int, int, int]]:
    schema = pq.read_schema(path)
    missing = [name for name in ("id", "text") if name not in schema.names]
    if missing:
        raise DataFormatError(f"{path}: no {' or '.join(missing)} column (columns: {', '.join(schema.names)})")
    rows = pq.ParquetFile(path).metadata.num_rows
    for start in range(0, rows, shard_size):
        stop = min(start + shard_size, rows)
        yield stop - start, start, stop, 1


def read_shard(shard: Shard) -> list[dict[str, Any]]:
    """The shard's records, ``{"id", "text", "error"}`` each, ``count`` of them, in order."""
    reader = {"jsonl": _read_jsonl, "parquet": _read_parquet, "txt": _read_texts}[shard.kind]
    records = list(reader(shard))
    if len(records) != shard.count:
        raise DataFormatError(f"{', '.join(shard.paths)} changed while it was read: shard {shard.index} should hold "
                              f"{shard.count} records, read {len(records)}")
    return records


def _record(record_id: Any, text: Any, where: str) -> dict[str, Any]:
    record_id, text, error = check_record(record_id, text)
    return {"id": record_id, "text": text, "error": f"{where}: {error}" if error else None}


def _read_jsonl(shard: Shard) -> Iterator[dict[str, Any]]:
    [path] = shard.paths
    with open(path, "rb") as stream:
        stream.seek(shard.start)
        data = stream.read(shard.stop - shard.start)
    for number, raw in enumerate(data.split(b"\n"), shard.line):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            value = json.loads(raw.decode("utf-8").lstrip("\ufeff"))
        except UnicodeDecodeError as error:
            reason = f"not valid UTF-8 (byte offset {error.start} in the line)"
            yield {"id": None, "text": None, "error": f"{where}: {reason}"}
            continue
        except json.JSONDecodeError as error:
            yield {"id": None, "text": None, "error": f"{where}: invalid JSON ({error.msg} at column {error.colno})"}
            continue
        if not isinstance(value, dict):
            yield {"id": None, "text": None, "error": f"{where}: expected a JSON object, got {type(value).__name__}"}
            continue
        yield _record(value.get("id"), value.get("text"), where)


def _read_parquet(shard: Shard) -> Iterator[dict[str, Any]]:
    [path] = shard.paths
    parquet = pq.ParquetFile(path)
    first = 0
    for group in range(parquet.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        low, high = max(shard.start, first), min(shard.stop, first + rows)
        if low < high:
            table = parquet.read_row_group(group, columns=["id", "text"]).slice(low - first, high - low)
            for offset, row in enumerate(table.to_pylist()):
                yield _record(row["id"], row["text"], f"{path}:row {low + offset}")
        first += rows


def _read_texts(shard: Shard) -> Iterator[dict[str, Any]]:
    for path in shard.paths:
        try:
            text = read_text(path).lstrip("\ufeff")
        except InputDecodeError as error:
            yield {"id": path, "text": None, "error": str(error)}
            continue
        yield {"id": path, "text": text, "error": None}


def shard_batches(shard: Shard, batch_size: int) -> list[tuple[int, list[dict[str, Any]]]]:
    """The shard's records cut into batches of ``batch_size``, each with the position of its first record:
    both engines put exactly these records through the model together."""
    records = read_shard(shard)
    return [(first, records[first:first + batch_size]) for first in range(0, len(records), batch_size)]
