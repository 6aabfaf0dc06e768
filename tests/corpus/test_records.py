from __future__ import annotations

from pathlib import Path

import pytest

from persnews.corpus.records import check_record, extract_records
from persnews.pipeline import Extractor, load

TEXT = "علی رضایی، معاون فنی شهرداری شیراز گفت"


@pytest.fixture(scope="module")
def extractor(tiny_model: Path) -> Extractor:
    return load(tiny_model)


class PoisonedExtractor(Extractor):
    """The real pipeline, except that a batch holding the word «زهر» raises, as a pipeline bug would."""

    def extract_many(self, texts, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        texts = list(texts)
        if any("زهر" in text for text in texts):
            raise RuntimeError("poisoned")
        return super().extract_many(texts, batch_size, progress)


def test_good_records_get_the_documents_results(extractor: Extractor) -> None:
    rows = extract_records(extractor, ["a", 7], [TEXT, ""])
    expected = extractor.extract(TEXT).to_dict()
    assert rows[0] == {"id": "a", "entities": expected["entities"], "relations": expected["relations"],
                       "officials": expected["officials"], "error": None}
    assert rows[1] == {"id": "7", "entities": [], "relations": [], "officials": [], "error": None}


def test_bad_records_are_reported_in_place(extractor: Extractor) -> None:
    ids = ["ok1", None, "num", "long", "given", "ok2", True]
    texts = [TEXT, TEXT, 42, "ا" * 300_000, TEXT, TEXT, TEXT]
    errors = [None, None, None, None, "in.jsonl:5: not valid UTF-8", None, None]
    rows = extract_records(extractor, ids, texts, errors)
    assert [row["id"] for row in rows] == ["ok1", None, "num", "long", "given", "ok2", None]
    assert [row["error"] for row in rows] == [
        None, "missing id", "text must be a string, got int", "text has 300,000 characters, over the limit of 100,000",
        "in.jsonl:5: not valid UTF-8", None, "id must be a string or an integer, got bool"]
    assert all(not row["entities"] and not row["officials"] for row in rows if row["error"])
    assert rows[5] == {**rows[0], "id": "ok2"}


def test_the_length_limit_can_be_lifted(extractor: Extractor) -> None:
    [row] = extract_records(extractor, ["long"], ["علی گفت. " * 2_000], max_chars=None)
    assert row["error"] is None


def test_a_record_that_breaks_the_pipeline_fails_alone(tiny_model: Path, extractor: Extractor) -> None:
    poisoned = PoisonedExtractor(extractor.tagger, extractor.relation_scorer)
    rows = extract_records(poisoned, ["a", "b", "c"], [TEXT, "زهر " + TEXT, TEXT])
    assert [row["error"] for row in rows] == [None, "RuntimeError: poisoned", None]
    assert rows[0] == extract_records(extractor, ["a"], [TEXT])[0]
    assert rows[2]["entities"] == rows[0]["entities"]


@pytest.mark.parametrize("record_id, expected", [("x", "x"), (3, "3"), (3.0, "3"), ("", None), (float("nan"), None)])
def test_ids_become_strings(record_id: object, expected: str | None) -> None:
    assert check_record(record_id, "t")[0] == expected
