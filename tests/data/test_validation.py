import json

import pytest

from persnews.data.release import split_release, write_release
from persnews.data.validation import check_release, record_problems, validate_paths
from persnews.errors import DataFormatError

TEXT = "حسین نوری، معاون فنی شهرداری شیراز گفت"
GOOD = {"id": "ok", "text": TEXT,
        "entities": [{"start": 0, "end": 9, "label": "PER", "text": "حسین نوری"},
                     {"start": 11, "end": 20, "label": "ROLE"}, {"start": 21, "end": 34, "label": "ORG"}],
        "relations": [{"person": 0, "role": 1, "institution": 2}],
        "officials": [{"name": "حسین نوری", "positions": [{"role": "معاون فنی", "institution": "شهرداری شیراز",
                                                           "evidence": [0]}]}]}


def broken(**changes):
    return {**GOOD, **changes}


@pytest.mark.parametrize("record, reason", [
    (broken(entities=[{"start": 30, "end": 99, "label": "PER"}]), "outside the text"),
    (broken(entities=[{"start": 0, "end": 4, "label": "PER", "text": "نوری"}]), "stored surface"),
    (broken(entities=[{"start": 0, "end": 9, "label": "DAT"}]), "unknown label 'DAT'"),
    (broken(entities=[{"start": 0, "end": 9, "label": "PER"}, {"start": 5, "end": 20, "label": "ROLE"}],
            relations=[]), "overlaps"),
    (broken(entities=[{"start": 11, "end": 20, "label": "ROLE"}, {"start": 0, "end": 9, "label": "PER"}],
            relations=[]), "sorted"),
    (broken(relations=[{"person": 0, "role": 7, "institution": None}]), "role 7 is not an entity index"),
    (broken(relations=[{"person": 1, "role": 0, "institution": 2}]), "person points at a ROLE"),
    (broken(relations=[{"person": 0, "role": 1, "institution": 0}]), "institution points at a PER"),
    (broken(officials=[{"name": "x", "positions": [{"role": "r", "evidence": [4]}]}]), "evidence"),
    (broken(id=None), "id must be a non-empty string"),
    (broken(relations=[{"person": 0, "role": 1, "institution": 2, "former": "yes"}]), "former must be true or false"),
    (broken(officials=[{"name": "x", "positions": [{"role": "r", "former": 1}]}]), "former must be true or false"),
    (broken(entities=[{"start": "0", "end": 9, "label": "PER"}], relations=[]), "must be integers"),
])
def test_each_broken_record_is_explained(record, reason):
    assert record_problems(GOOD) == []
    assert record_problems(broken(relations=[{"person": 0, "role": 1, "institution": 2, "former": True}])) == []
    problems = record_problems(record)
    assert problems and any(reason in p for p in problems), problems


def test_all_problems_of_all_lines_are_reported_as_file_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [GOOD, broken(id="b", entities=[{"start": 0, "end": 99, "label": "XX"}], relations=[], officials=[]),
             "not json", broken(id="c", relations=[{"person": 0, "role": 5}])]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines),
                    encoding="utf-8")
    problems = validate_paths([path])
    line2 = [p for p in problems if p.startswith(f"{path}:2: ")]
    assert any("unknown label 'XX'" in p for p in line2) and any("outside the text" in p for p in line2)
    assert any(p.startswith(f"{path}:3: invalid JSON") for p in problems)
    assert any(p.startswith(f"{path}:4: relation 0") for p in problems)
    assert f"{path}:4: duplicate document, same text as {path}:1" in problems


def test_a_valid_release_passes_and_a_tampered_one_lists_everything(tmp_path, make_doc):
    docs = [make_doc(f"d{k}", f"خبر شماره {k} از کرمان", [("کرمان", "LOC")]) for k in range(10)]
    folder = tmp_path / "r"
    write_release(folder, split_release(docs))
    check_release(folder)
    assert validate_paths([folder]) == []
    # copy a test document into train (same text, new id) and break a train record
    test_line = (folder / "test.jsonl").read_text(encoding="utf-8").splitlines()[0]
    leaked = json.loads(test_line) | {"id": "leak"}
    bad = GOOD | {"id": "bad", "entities": [{"start": 0, "end": 9, "label": "PERSON"}], "relations": []}
    with open(folder / "train.jsonl", "a", encoding="utf-8") as stream:
        stream.write(json.dumps(leaked, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n")
    with pytest.raises(DataFormatError) as error:
        check_release(folder)
    problems = error.value.problems
    assert any("sha256 of train.jsonl differs" in p for p in problems)
    assert any(p.startswith(f"{folder / 'train.jsonl'}:") and "unknown label 'PERSON'" in p for p in problems)
    assert any("same text as" in p and "test.jsonl" in p for p in problems)


def test_missing_release_parts(tmp_path):
    (tmp_path / "empty").mkdir()
    problems = validate_paths([tmp_path / "empty", tmp_path / "nowhere.jsonl"])
    assert any("manifest.json: missing" in p for p in problems)
    assert any("train.jsonl: missing" in p for p in problems)
    assert any("nowhere.jsonl: no such file" in p for p in problems)


def test_docstring_examples(doctests):
    from persnews.data import validation

    assert doctests(validation) > 0
