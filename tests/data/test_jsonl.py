import os

import pytest

from persnews.data.jsonl import read_documents, read_records, replaced_directory, scan_records, write_documents, \
    write_text_atomic
from persnews.document import Document
from persnews.errors import DataFormatError, InputDecodeError


def test_documents_round_trip_with_line_numbers(tmp_path, make_doc):
    docs = [make_doc("a", "علی رضایی گفت", [("علی رضایی", "PER")]), Document("متن دوم", id="b")]
    path = tmp_path / "docs.jsonl"
    write_documents(path, docs)
    assert [d for _, d in read_documents(path)] == docs
    path.write_text("\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert [line for line, _ in read_documents(path)] == [2, 3]


def test_every_bad_line_is_reported(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{broken\n[1, 2]\n{"id": "b", "text": 3}\n', encoding="utf-8")
    scan = scan_records(path)
    assert [n for n, _ in scan.records] == [1, 4]
    assert [p.split(": ")[0] for p in scan.problems] == [f"{path}:2", f"{path}:3"]
    with pytest.raises(DataFormatError) as error:
        read_records(path)
    assert len(error.value.problems) == 2
    path.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": 3}\n{"text": "ab", "entities": '
                    '[{"start": 0, "end": 5, "label": "PER"}]}\n', encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        read_documents(path)
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{path}:2", f"{path}:3"]


def test_invalid_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "\xe9"}\n')
    with pytest.raises(InputDecodeError, match=r"latin.jsonl:2: not valid UTF-8"):
        read_records(path)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.jsonl"
    write_text_atomic(path, "old\n")

    def broken():
        yield Document("x", id="x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_documents(path, broken())
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_replaced_directory_is_all_or_nothing(tmp_path):
    target = tmp_path / "release"
    with replaced_directory(target) as staging:
        (staging / "a").write_text("1")
    with pytest.raises(RuntimeError):
        with replaced_directory(target) as staging:
            (staging / "a").write_text("2")
            raise RuntimeError("half-way")
    assert (target / "a").read_text() == "1"
    with replaced_directory(target) as staging:
        (staging / "b").write_text("3")
    assert sorted(os.listdir(target)) == ["b"]
    assert os.listdir(tmp_path) == ["release"]


def test_docstring_examples(doctests):
    from persnews.data import jsonl

    assert doctests(jsonl) > 0
