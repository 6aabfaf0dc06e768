from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from persnews.corpus.inputs import Shard, index_inputs, read_shard
from persnews.errors import DataFormatError


def _jsonl(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines))
    return path


def _all(shards: list[Shard]) -> list[dict]:
    return [record for shard in shards for record in read_shard(shard)]


def test_jsonl_is_cut_into_shards_in_order(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"d{i}", "text": f"متن {i}"}, ensure_ascii=False) for i in range(5)]
    path = _jsonl(tmp_path / "a.jsonl", [lines[0], "", lines[1], lines[2], "  ", lines[3], lines[4]])
    shards = index_inputs([path], shard_size=2)
    assert [(s.count, s.line) for s in shards] == [(2, 1), (2, 4), (1, 7)]
    assert [(r["id"], r["text"], r["error"]) for r in _all(shards)] == [(f"d{i}", f"متن {i}", None) for i in range(5)]
    assert Shard.from_dict(json.loads(json.dumps(shards[1].to_dict()))) == shards[1]


def test_bad_jsonl_lines_become_error_records_with_their_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "b.jsonl", ['{"id": 1, "text": "خوب"}', '{"text": "بی شناسه"}', '{"id": "n", "text": 5}',
                                         "not json", "[1, 2]", b'{"id": "u", "text": "\xff"}', '{"id": "ok", "text": ""}'])
    records = _all(index_inputs([path], shard_size=3))
    assert [(r["id"], r["error"]) for r in records] == [
        ("1", None), (None, f"{path}:2: missing id"), ("n", f"{path}:3: text must be a string, got int"),
        (None, f"{path}:4: invalid JSON (Expecting value at column 1)"),
        (None, f"{path}:5: expected a JSON object, got list"),
        (None, f"{path}:6: not valid UTF-8 (byte offset 21 in the line)"), ("ok", None)]


def test_txt_files_are_one_document_each_and_bad_utf8_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("علی گفت", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("علی".encode() + b"\xff")
    shards = index_inputs([tmp_path / "good.txt", tmp_path / "bad.txt"], shard_size=5)
    records = _all(shards)
    assert [(r["id"], r["text"]) for r in records] == [(str(tmp_path / "good.txt"), "علی گفت"),
                                                      (str(tmp_path / "bad.txt"), None)]
    assert records[1]["error"] == f"{tmp_path / 'bad.txt'}:1: not valid UTF-8 (byte offset 6)"


def test_parquet_shards_cross_row_groups(tmp_path: Path) -> None:
    table = pa.table({"id": list(range(7)), "text": [f"t{i}" for i in range(7)], "other": [0] * 7})
    pq.write_table(table, tmp_path / "c.parquet", row_group_size=3)
    shards = index_inputs([tmp_path / "c.parquet"], shard_size=4)
    assert [s.count for s in shards] == [4, 3]
    assert [(r["id"], r["text"]) for r in _all(shards)] == [(str(i), f"t{i}") for i in range(7)]


def test_parquet_without_a_text_column_is_refused(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": ["a"], "body": ["x"]}), tmp_path / "d.parquet")
    with pytest.raises(DataFormatError, match="no text column"):
        index_inputs([tmp_path / "d.parquet"])


def test_folders_expand_and_unknown_inputs_are_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("الف", encoding="utf-8")
    _jsonl(tmp_path / "a.jsonl", ['{"id": "a", "text": "ب"}'])
    (tmp_path / "notes.md").write_text("ignored in folders", encoding="utf-8")
    assert [r["id"] for r in _all(index_inputs([tmp_path]))] == ["a", str(tmp_path / "sub" / "x.txt")]
    with pytest.raises(DataFormatError, match="unknown input type"):
        index_inputs([tmp_path / "notes.md"])
    with pytest.raises(FileNotFoundError):
        index_inputs([tmp_path / "missing.jsonl"])


def test_an_input_that_changed_since_indexing_is_an_error(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", ['{"id": "a", "text": "ب"}', '{"id": "b", "text": "پ"}'])
    [shard] = index_inputs([path])
    _jsonl(path, ['{"id": "a", "text": "ب"}'])
    with pytest.raises(DataFormatError, match="changed while it was read"):
        read_shard(shard)
