"""Whole-article agreement (data/agreement/agreement.py docs): a second docs layer scored against the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import script_module
from .test_docs_layer import article_line, write_lines

AGREEMENT = Path(__file__).resolve().parents[2] / "data" / "agreement" / "agreement.py"


@pytest.fixture(scope="module")
def agreement():
    yield from script_module("agreement", AGREEMENT)


def test_docs_agreement_scores_entities_triples_and_facts_with_and_without_former(agreement, tmp_path, fake_news,
                                                                                fake_corpora):
    first = write_lines(tmp_path / "first.jsonl", article_line())
    line = article_line()
    second = write_lines(tmp_path / "second.jsonl", {
        **line, "entities": line["entities"][:3],  # the LOC left out
        "relations": [{"person": 0, "role": 1, "institution": 2, "former": False}],
        "officials": [{"person": 0, "positions": [{"role": 1, "institution": 2, "former": False}]}]})
    report = agreement.score_docs(first, second, fake_corpora)
    assert report["articles"] == 1
    assert report["entity_f1"]["LOC"] == 0.0 and report["entity_f1"]["PER"] == 1.0
    assert report["entity_f1"]["micro"] == pytest.approx(6 / 7, abs=1e-4)  # P 3/3, R 3/4
    assert report["triples"] == 1.0 and report["facts"] == 1.0
    assert report["facts_former"] == 0.0  # the second pass missed that the office is a former one
