from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from persnews.corpus import extract_corpus
from persnews.corpus.shards import OutputFolder
from persnews.pipeline import load

TEXTS = ["علی رضایی، معاون فنی شهرداری شیراز گفت", "سخنگوی شورا در تهران گفت", "علی گفت"]


def make_corpus(folder: Path) -> list[Path]:
    """Twelve documents over JSONL, Parquet-free .txt and the bad records the issue names."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [{"id": f"j{i}", "text": TEXTS[i % 3]} for i in range(8)]
    lines[2] = {"text": TEXTS[0]}                 # missing id
    lines[4] = {"id": "number", "text": 12345}   # not text
    lines[6] = {"id": "huge", "text": "علی " * 75_000}  # 300,000 characters
    (folder / "a.jsonl").write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    (folder / "t1.txt").write_text(TEXTS[1], encoding="utf-8")
    (folder / "t2.txt").write_bytes(TEXTS[2].encode() + b"\xff")  # invalid UTF-8
    return [folder / "a.jsonl", folder / "t1.txt", folder / "t2.txt"]


def read_output(folder: Path, format: str = "jsonl") -> list[dict]:
    output = OutputFolder(folder, format)
    return [row for path in sorted(folder.glob(f"part-*.{format}")) for row in output.read(int(path.stem[5:]))]


def test_local_engine_writes_every_document_once(tmp_path: Path, tiny_model: Path) -> None:
    inputs = make_corpus(tmp_path / "in")
    summary = extract_corpus(inputs, tmp_path / "out", model=tiny_model, shard_size=3, batch_size=2)
    rows = read_output(tmp_path / "out")
    assert (summary.documents, summary.errors, summary.shards, summary.skipped_shards) == (10, 4, 4, 0)
    assert [row["id"] for row in rows] == ["j0", "j1", None, "j3", "number", "j5", "huge", "j7",
                                           str(inputs[1]), str(inputs[2])]
    errors = {row["id"]: row["error"] for row in rows if row["error"]}
    assert errors == {None: f"{inputs[0]}:3: missing id", "number": f"{inputs[0]}:5: text must be a string, got int",
                      "huge": "text has 300,000 characters, over the limit of 100,000",
                      str(inputs[2]): f"{inputs[2]}:1: not valid UTF-8 (byte offset 13)"}
    expected = load(tiny_model).extract(TEXTS[1]).to_dict()
    assert rows[1]["entities"] == expected["entities"] and rows[1]["officials"] == expected["officials"]
    assert rows[8]["entities"] == expected["entities"]


def test_a_rerun_after_a_crash_resumes_and_writes_each_document_once(tmp_path: Path, tiny_model: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = make_corpus(tmp_path / "in")
    extract_corpus(inputs, tmp_path / "whole", model=tiny_model, shard_size=3, format="parquet")
    write = OutputFolder.write

    def crash_on_third(self: OutputFolder, index: int, rows: list[dict]) -> None:
        if index == 2:
            raise KeyboardInterrupt  # the process dies while the third shard is being written
        write(self, index, rows)

    monkeypatch.setattr(OutputFolder, "write", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        extract_corpus(inputs, tmp_path / "out", model=tiny_model, shard_size=3, format="parquet")
    monkeypatch.setattr(OutputFolder, "write", write)
    assert sorted(p.name for p in (tmp_path / "out").glob("part-*")) == ["part-00000.parquet", "part-00001.parquet"]
    summary = extract_corpus(inputs, tmp_path / "out", model=tiny_model, shard_size=3, format="parquet")
    assert (summary.documents, summary.skipped_shards, summary.skipped_documents) == (4, 2, 6)
    rows = read_output(tmp_path / "out", "parquet")
    assert rows == read_output(tmp_path / "whole", "parquet")
    ids = Counter(row["id"] for row in rows)
    assert len(rows) == 10 and all(count == 1 for record_id, count in ids.items() if record_id is not None)


def test_cli_extract_corpus(tmp_path: Path, tiny_model: Path) -> None:
    inputs = make_corpus(tmp_path / "in")
    command = [sys.executable, "-m", "persnews.cli", "extract-corpus", *map(str, inputs), "--output",
               str(tmp_path / "out"), "--model", str(tiny_model), "--shard-size", "4", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("10 documents, 4 errors, ") and "(3 shards)" in result.stdout
    again = subprocess.run(command[:-2] + ["5", "--quiet"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "holds a run with other shard_size" in again.stderr
