"""Triple and fact scores on hand-made predictions with known results."""

from __future__ import annotations

import pytest

from persnews.document import Document
from persnews.evaluation.relations import fact_matches, fact_scores, format_errors, format_per_document, \
    per_document, triple_scores

TEXT = "حسین نوری، معاون فنی شهرداری شیراز گفت. مریم احمدی، سخنگوی شورا افزود."
SPANS = [("حسین نوری", "PER"), ("معاون فنی", "ROLE"), ("شهرداری شیراز", "ORG"),
         ("مریم احمدی", "PER"), ("سخنگوی", "ROLE"), ("شورا", "ORG")]


def entities(spans=SPANS) -> list[dict]:
    return [{"start": TEXT.index(s), "end": TEXT.index(s) + len(s), "label": label} for s, label in spans]


def document(relations, officials=(), doc_id="d1", spans=SPANS) -> Document:
    return Document.from_dict({"id": doc_id, "text": TEXT, "entities": entities(spans),
                               "relations": [{"person": p, "role": r, "institution": i, "former": any(former)}
                                             for p, r, i, *former in relations],
                               "officials": [{"name": n, "positions": [{"role": r, "institution": i,
                                                                        "former": any(former)}]}
                                             for n, r, i, *former in officials]})


# --- triples ----------------------------------------------------------------------------------------

def test_triples_exact_match():
    gold = document([(0, 1, 2), (3, 4, 5)])
    scores = triple_scores([gold], [document([(0, 1, 2), (3, 4, 5)])])
    assert (scores["precision"], scores["recall"], scores["f1"], scores["errors"]) == (1.0, 1.0, 1.0, [])


def test_triples_wrong_institution_is_one_false_positive_and_one_false_negative():
    scores = triple_scores([document([(0, 1, 2), (3, 4, 5)])], [document([(0, 1, 2), (3, 4, None)])])
    assert (scores["tp"], scores["fp"], scores["fn"], scores["support"]) == (1, 1, 1, 2)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.5, 0.5, 0.5)
    assert scores["errors"] == [
        {"doc": "d1", "kind": "false positive", "person": "مریم احمدی", "role": "سخنگوی", "institution": None,
         "former": False},
        {"doc": "d1", "kind": "false negative", "person": "مریم احمدی", "role": "سخنگوی", "institution": "شورا",
         "former": False}]


def test_triples_compare_character_spans_not_indices():
    shorter = [("نوری", "PER") if s == "حسین نوری" else (s, label) for s, label in SPANS]
    scores = triple_scores([document([(0, 1, 2)])], [document([(0, 1, 2)], spans=shorter)])
    assert (scores["tp"], scores["fp"], scores["fn"]) == (0, 1, 1)


def test_triples_micro_average_over_documents():
    gold = [document([(0, 1, 2), (3, 4, 5)], doc_id="a"), document([(0, 1, 2)], doc_id="b")]
    pred = [document([(0, 1, 2)], doc_id="a"), document([(0, 1, 2), (3, 4, 5)], doc_id="b")]
    scores = triple_scores(gold, pred)
    assert (scores["tp"], scores["fp"], scores["fn"]) == (2, 1, 1)
    assert scores["f1"] == pytest.approx(0.6667)


def test_empty_predictions_score_zero():
    scores = triple_scores([document([(0, 1, 2)])], [document([])])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.0, 0.0, 0.0)


def test_documents_must_pair_up():
    with pytest.raises(ValueError, match="2 gold documents but 1"):
        triple_scores([document([]), document([])], [document([])])
    with pytest.raises(ValueError, match="paired with"):
        fact_scores([document([], doc_id="a")], [document([], doc_id="b")])
    other = Document.from_dict({"id": "d1", "text": TEXT + " ", "entities": entities()})
    with pytest.raises(ValueError, match="differ in text"):
        triple_scores([document([])], [other])


# --- facts ------------------------------------------------------------------------------------------

GOLD_FACTS = [("حسین نوری", "معاون فنی", "شهرداری شیراز"), ("مریم احمدی", "سخنگوی", "شورای اسلامی شهر شیراز")]


def test_facts_match_leniently():
    pred = [("نوری", "معاون فنی", "شهرداري شیراز"), ("مريم احمدی", "سخنگوی", "شورای اسلامی شهر شیراز")]
    scores = fact_scores([document([], GOLD_FACTS)], [document([], pred)])
    assert (scores["tp"], scores["fp"], scores["fn"], scores["f1"]) == (2, 0, 0, 1.0)


@pytest.mark.parametrize("predicted, expected", [
    (("علی نوری", "معاون", "شهرداری شیراز"), True),           # surname found, role contained
    (("حسین نوری", "معاون فنی و عمرانی", "شهرداری"), True),   # containment either way
    (("حسین‌نوری", "معاون‌فنی", "شهرداری‌شیراز"), True),      # ZWNJ and spaces ignored
    (("حسین", "معاون فنی", "شهرداری شیراز"), False),          # the gold surname is missing
    (("حسین نوری", "مدیرکل", "شهرداری شیراز"), False),        # another role
    (("حسین نوری", "معاون فنی", "استانداری فارس"), False),     # another institution
    (("حسین نوری", "معاون فنی", None), False),                # a missing institution matches only a missing one
])
def test_one_fact_match(predicted, expected):
    assert fact_matches(GOLD_FACTS[0], predicted) is expected


def test_missing_institutions_match_each_other():
    assert fact_matches(("نرگس یگانه", "گزارشگر", None), ("نرگس یگانه", "گزارشگر", None))


def test_facts_match_one_to_one():
    pred = [GOLD_FACTS[0], GOLD_FACTS[0], ("حسین نوری", "مدیرکل", None)]
    scores = fact_scores([document([], GOLD_FACTS)], [document([], pred)])
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 2, 1)
    assert (scores["precision"], scores["recall"]) == (pytest.approx(0.3333), 0.5)
    kinds = [(e["kind"], e["role"]) for e in scores["errors"]]
    assert kinds == [("false positive", "معاون فنی"), ("false positive", "مدیرکل"),
                     ("false negative", "سخنگوی")]


# --- the error list ---------------------------------------------------------------------------------

def test_format_errors_groups_by_document_and_limits():
    errors = [{"doc": "b", "kind": "false negative", "person": "مریم احمدی", "role": "سخنگوی", "institution": None},
              {"doc": "a", "kind": "false positive", "person": "حسین نوری", "role": "معاون فنی",
               "institution": "شهرداری شیراز"}]
    assert format_errors(errors) == ("a  FP  حسین نوری | معاون فنی | شهرداری شیراز\n"
                                     "b  FN  مریم احمدی | سخنگوی | -")
    assert format_errors(errors, limit=1).splitlines()[-1] == "... and 1 more"
    assert format_errors([]) == ""


# --- former offices and the per-document view ------------------------------------------------------

def test_the_former_flag_counts_only_when_required():
    gold = document([(0, 1, 2, True), (3, 4, 5)], [("حسین نوری", "معاون فنی", "شهرداری شیراز", True)])
    pred = document([(0, 1, 2), (3, 4, 5)], [("نوری", "معاون فنی", "شهرداری شیراز")])
    assert triple_scores([gold], [pred])["f1"] == 1.0 and fact_scores([gold], [pred])["f1"] == 1.0
    strict = triple_scores([gold], [pred], former=True)
    assert (strict["tp"], strict["fp"], strict["fn"]) == (1, 1, 1)
    assert [e["former"] for e in strict["errors"]] == [False, True]
    facts = fact_scores([gold], [pred], former=True)
    assert (facts["tp"], facts["fp"], facts["fn"]) == (0, 1, 1)
    assert format_errors(facts["errors"]).splitlines()[0] == "d1  FN  حسین نوری | معاون فنی | شهرداری شیراز (former)"
    assert fact_scores([gold], [gold], former=True)["f1"] == 1.0


def test_per_document_lists_missed_and_invented_for_each_document_with_an_error():
    golds = [document([(0, 1, 2), (3, 4, 5)], doc_id="a"), document([(0, 1, 2)], doc_id="b"),
             document([(0, 1, 2)], doc_id="c")]
    preds = [document([(0, 1, 2), (3, 4, None)], doc_id="a"), document([(0, 1, 2)], doc_id="b"),
             document([], doc_id="c")]
    grouped = per_document({"triples": triple_scores(golds, preds)})
    assert grouped == {"a": {"triples": {"missed": ["مریم احمدی | سخنگوی | شورا"],
                                         "invented": ["مریم احمدی | سخنگوی | -"]}},
                       "c": {"triples": {"missed": ["حسین نوری | معاون فنی | شهرداری شیراز"], "invented": []}}}
    text = format_per_document(grouped)
    assert text.splitlines()[0] == "a: triples 1 missed 1 invented"
    assert "  triples - مریم احمدی | سخنگوی | شورا" in text and "  triples + مریم احمدی | سخنگوی | -" in text
    assert per_document({"triples": triple_scores(golds[1:2], preds[1:2])}) == {}
