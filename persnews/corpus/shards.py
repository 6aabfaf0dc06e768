"""The output folder of a corpus run: one file per input shard, each written whole or not at all.

``part-00007.jsonl`` (or ``.parquet``) holds the results of input shard 7 in
input order. It appears by rename once complete, so after a crash a rerun
skips the shards on disk and writes each document exactly once. A
``manifest.json`` records the inputs and settings; a rerun over other inputs
or another model is refused rather than mixed in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from ..data.jsonl import atomic_file, write_text_atomic
from ..errors import OutputConflictError
from .records import RESULT_SCHEMA

FORMATS = ("jsonl", "parquet")
MANIFEST = "manifest.json"


class OutputFolder:
    """Where the shards of one run go; :meth:`open` returns the shards already written."""

    def __init__(self, path: str | Path, format: str = "jsonl"):
        if format not in FORMATS:
            raise ValueError(f"unknown output format {format!r}; expected one of {FORMATS}")
        self.path = Path(path)
        self.format = format

    def shard_path(self, index: int) -> Path:
        return self.path / f"part-{index:05d}.{self.format}"

    def open(self, manifest: dict[str, Any]) -> set[int]:
        """Start or resume the run described by ``manifest``; the indices of the shards already written."""
        existing = self.path / MANIFEST
        if existing.is_file():
            previous = json.loads(existing.read_text(encoding="utf-8"))
            changed = sorted(key for key in manifest.keys() | previous.keys() if manifest.get(key) != previous.get(key))
            if changed:
                raise OutputConflictError(f"{self.path} holds a run with other {', '.join(changed)}; "
                                          "resume it with the same inputs and settings, or choose a new --output")
        elif self.path.is_dir() and any(self.path.iterdir()):
            raise OutputConflictError(f"{self.path} is not empty and holds no {MANIFEST}; choose a new --output")
        else:
            write_text_atomic(existing, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        for leftover in self.path.glob(".part-*.tmp"):  # a crash's half-written shard
            leftover.unlink()
        suffix = f".{self.format}"
        return {int(p.stem.split("-")[1]) for p in self.path.glob(f"part-*{suffix}") if p.suffix == suffix}

    def write(self, index: int, rows: Sequence[dict[str, Any]]) -> None:
        """Write one shard's result rows atomically."""
        with atomic_file(self.shard_path(index)) as temporary:
            if self.format == "jsonl":
                temporary.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                                     encoding="utf-8", newline="\n")
            else:
                pq.write_table(pa.Table.from_pylist(list(rows), schema=RESULT_SCHEMA), temporary)

    def read(self, index: int) -> list[dict[str, Any]]:
        """The result rows of a shard on disk."""
        path = self.shard_path(index)
        if self.format == "parquet":
            return pq.read_table(path).to_pylist()
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
