from __future__ import annotations

import pytest

from persnews.document import Document
from persnews.evaluation.spans import seqeval_scores, span_scores

TEXT = "علی رضایی معاون فنی شهرداری شیراز در تهران گفت"


def _doc(*spans: tuple[int, int, str]) -> Document:
    return Document.from_dict({"text": TEXT, "entities": [{"start": a, "end": b, "label": l} for a, b, l in spans]})


GOLD = _doc((0, 9, "PER"), (10, 19, "ROLE"), (20, 33, "ORG"), (37, 42, "LOC"))
# one exact hit (PER), one boundary error (ROLE cut short), one type error (ORG as LOC), LOC right
PRED = _doc((0, 9, "PER"), (10, 15, "ROLE"), (20, 33, "LOC"), (37, 42, "LOC"))


def test_exact_span_scores_by_hand() -> None:
    scores = span_scores([GOLD], [PRED])
    assert scores["PER"]["f1"] == 1.0 and scores["ROLE"]["f1"] == 0.0 and scores["ORG"]["recall"] == 0.0
    assert scores["LOC"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(0.6667), "support": 1}
    assert scores["micro"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 4}


def test_seqeval_strict_agrees_with_exact_spans() -> None:
    report = seqeval_scores([GOLD], [PRED])
    assert report["micro avg"]["f1-score"] == 0.5 and report["LOC"]["precision"] == 0.5


def test_labels_outside_the_scope_are_not_counted() -> None:
    scores = span_scores([GOLD], [PRED], labels=("PER", "LOC"))
    assert set(scores) == {"PER", "LOC", "micro"} and scores["micro"]["support"] == 2


def test_texts_must_match() -> None:
    with pytest.raises(ValueError):
        span_scores([GOLD], [Document("other text")])
