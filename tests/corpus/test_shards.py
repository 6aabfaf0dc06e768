from __future__ import annotations

from pathlib import Path

import pytest

from persnews.corpus.records import failed_row
from persnews.corpus.shards import OutputFolder
from persnews.errors import OutputConflictError

ROWS = [{"id": "a", "entities": [{"start": 0, "end": 3, "label": "PER", "text": "علی", "score": 0.9}],
         "relations": [{"person": 0, "role": 0, "institution": None, "score": 0.5}],
         "officials": [{"name": "علی", "positions": [{"role": "معاون", "institution": None, "evidence": [0]}]}],
         "error": None},
        failed_row(None, "x.jsonl:2: missing id")]


@pytest.mark.parametrize("format", ["jsonl", "parquet"])
def test_shards_round_trip_and_are_found_on_resume(tmp_path: Path, format: str) -> None:
    folder = OutputFolder(tmp_path / "out", format)
    assert folder.open({"inputs": ["x"]}) == set()
    folder.write(3, ROWS)
    assert folder.read(3) == ROWS
    assert OutputFolder(tmp_path / "out", format).open({"inputs": ["x"]}) == {3}


def test_a_run_over_other_inputs_is_refused(tmp_path: Path) -> None:
    OutputFolder(tmp_path / "out").open({"inputs": ["x"], "model": "m"})
    with pytest.raises(OutputConflictError, match="other model"):
        OutputFolder(tmp_path / "out").open({"inputs": ["x"], "model": "other"})
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputConflictError, match="not empty"):
        OutputFolder(tmp_path / "full").open({})


def test_a_failed_write_leaves_no_shard_and_a_crash_leftover_is_cleared(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path / "out")
    folder.open({})
    with pytest.raises(TypeError):
        folder.write(0, [{**ROWS[0], "entities": {1, 2}}])  # a set is not JSON
    assert not folder.shard_path(0).exists() and not list(folder.path.glob(".part-*"))
    (folder.path / ".part-00001.jsonl.abc.tmp").write_text("half", encoding="utf-8")
    assert folder.open({}) == set() and not list(folder.path.glob(".part-*"))
