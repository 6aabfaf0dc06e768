from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import persnews


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "persnews.cli", *args], input=stdin, capture_output=True,
                          timeout=300)


def test_version() -> None:
    result = _run("--version")
    assert result.returncode == 0 and persnews.__version__ in result.stdout.decode()


def test_extract_stdin_to_json(tiny_model: Path) -> None:
    text = "علی رضایی، معاون فنی شهرداری شیراز گفت"
    result = _run("extract", "--model", str(tiny_model), stdin=text.encode())
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["text"] == text
    for entity in data["entities"]:
        assert text[entity["start"]:entity["end"]] == entity["text"]


@pytest.mark.parametrize("fmt", ["jsonl", "conll", "html", "text"])
def test_extract_files_in_each_format(tiny_model: Path, tmp_path: Path, fmt: str) -> None:
    files = []
    for k in range(3):
        path = tmp_path / f"doc{k}.txt"
        path.write_text("علی رضایی در تهران گفت", encoding="utf-8")
        files.append(str(path))
    result = _run("extract", *files, "--model", str(tiny_model), "--format", fmt)
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    if fmt == "jsonl":
        assert [json.loads(line)["id"] for line in out.splitlines()] == files
    elif fmt == "conll":
        assert out.count("# id = ") == 3 and "رضایی\t" in out
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and out.count("<section>") == 3
    else:
        assert out.count(files[0]) == 1


def test_bad_utf8_names_the_file(tiny_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes("سلام".encode() + b"\xff\xfe")
    result = _run("extract", str(path), "--model", str(tiny_model))
    assert result.returncode == 2
    assert "broken.txt" in result.stderr.decode() and "UTF-8" in result.stderr.decode()


def test_one_precision_flag_at_a_time(tiny_model: Path) -> None:
    result = _run("extract", "--model", str(tiny_model), "--fp32", "--int8", stdin="متن".encode())
    assert result.returncode == 2 and "not allowed with" in result.stderr.decode()


def test_missing_model_is_a_clean_error(tmp_path: Path) -> None:
    result = _run("extract", "--model", str(tmp_path), stdin=b"x")
    assert result.returncode == 2 and "Traceback" not in result.stderr.decode()


def test_unknown_convention_is_a_clean_error(tiny_model: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "g", "text": "علی", "entities": []}\n', encoding="utf-8")
    result = _run("evaluate", str(tiny_model), str(gold), "--convention", "peyma")
    assert result.returncode == 2 and "Traceback" not in result.stderr.decode()
    assert "convention 'peyma'" in result.stderr.decode()


def test_evaluate_per_document_and_without_consistency(tiny_model: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    text = "علی رضایی، شهردار قم گفت: کار تمام شد."
    gold.write_text(json.dumps({"id": "g1", "text": text, "entities": [
        {"start": 0, "end": 9, "label": "PER"}, {"start": 11, "end": 17, "label": "ROLE"},
        {"start": 18, "end": 20, "label": "LOC"}], "relations": [{"person": 0, "role": 1, "institution": 2}],
        "officials": [{"name": "علی رضایی", "positions": [{"role": "شهردار", "institution": "قم"}]}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    report = tmp_path / "r.json"
    result = _run("evaluate", str(tiny_model), str(gold), "--no-consistency", "--per-document", "--bf16",
                  "--report", str(report))
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["consistency"] is False and data["precision"] == "bfloat16"
    scores = data["sources"][str(gold)]
    assert {"triples", "triples_former", "facts", "facts_former", "per_document"} <= set(scores)
    out = result.stdout.decode()
    assert "consistency: False" in out and "facts (former must match)" in out
    if scores["per_document"]:  # the tiny model's output is arbitrary: whatever it got wrong is listed per document
        assert "per document (- missed, + invented):\ng1: " in out
        assert "facts - علی رضایی | شهردار | قم" in out or "facts" not in scores["per_document"]["g1"]
