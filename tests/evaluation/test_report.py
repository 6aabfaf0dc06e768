from __future__ import annotations

from pathlib import Path

import pytest

from persnews.document import Document, Entity
from persnews.errors import DataFormatError
from persnews.evaluation.report import evaluate, format_report, strip_zwnj


def test_strip_zwnj_moves_offsets() -> None:
    text = "سازمان\u200cهای شهرداری تهران"
    doc = Document(text, (Entity(11, 24, "ORG", "شهرداری تهران"),))
    stripped = strip_zwnj(doc)
    assert stripped.text == "سازمانهای شهرداری تهران"
    assert stripped.entities[0].text == "شهرداری تهران" and stripped.entities[0].start == 10


def test_evaluate_writes_a_report(tiny_model: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(Document.from_dict({"id": "g1", "text": "علی رضایی در تهران گفت", "entities": [
        {"start": 0, "end": 9, "label": "PER"}, {"start": 13, "end": 18, "label": "LOC"}]}).to_json() + "\n",
                    encoding="utf-8")
    report = evaluate(str(tiny_model), [str(gold)], zwnj_stripped=True, output=tmp_path / "r.json")
    scores = report["sources"][str(gold)]
    assert scores["documents"] == 1 and set(scores["spans"]) == {"PER", "ROLE", "ORG", "LOC", "micro"}
    assert (tmp_path / "r.json").is_file() and "micro" in format_report(report) and report["quantized"]


def test_invalid_release_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    release = tmp_path / "bad"
    release.mkdir()
    (release / "test.jsonl").write_text('{"id": "x", "text": "ab", "entities": [{"start": 0, "end": 9, "label": "PER"}]}\n',
                                        encoding="utf-8")
    with pytest.raises(DataFormatError):
        evaluate(str(tiny_model), [f"{release}:test"])


def test_evaluate_can_keep_float32(tiny_model: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "g", "text": "علی رضایی گفت", "entities": []}\n', encoding="utf-8")
    assert not evaluate(str(tiny_model), [str(gold)], precision="float32")["quantized"]
