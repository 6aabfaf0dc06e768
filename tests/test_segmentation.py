from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persnews.normalization import normalize
from persnews.segmentation import _WORD, Window, merge_windows, sentences, tokenize, windows


def test_sentences_split_on_end_marks_and_lines() -> None:
    text = "شهردار گفت: کار تمام شد. آیا؟ بله!\nعکس: علی رضایی"
    result = [[t.text for t in s.tokens] for s in sentences(normalize(text))]
    assert result == [["شهردار", "گفت", ":", "کار", "تمام", "شد", "."], ["آیا", "؟"], ["بله", "!"],
                      ["عکس", ":", "علی", "رضایی"]]


def test_tokens_index_the_original_string() -> None:
    text = "علي‌رضا  كاظمي، معاون «فني»"
    for token in tokenize(normalize(text)):
        assert normalize(text[token.start:token.end]).text == token.text


def test_zwnj_stays_inside_words() -> None:
    assert [t.text for t in tokenize(normalize("سازمان‌های شهرداری"))] == ["سازمان\u200cهای", "شهرداری"]


def test_blank_text_has_no_sentences() -> None:
    assert sentences(normalize(" \n\t \u200f")) == []


def test_windows_pack_whole_sentences() -> None:
    assert windows([[1, 1], [1, 1], [1, 1, 1]], budget=4) == [Window(0, 4), Window(4, 7)]


def test_long_sentence_is_split_with_overlap() -> None:
    result = windows([[1] * 10], budget=4, stride=1)
    assert result[0] == Window(0, 4) and result[-1].end == 10
    assert all(b.start < a.end for a, b in zip(result, result[1:]))  # consecutive windows overlap


def test_word_longer_than_budget_gets_its_own_window() -> None:
    assert windows([[1, 9, 1]], budget=4, stride=1) == [Window(0, 1), Window(1, 2), Window(2, 3)]


def test_merge_prefers_the_more_central_window() -> None:
    wins = [Window(0, 4), Window(2, 6)]
    merged = merge_windows(wins, [["a0", "a1", "a2", "a3"], ["b2", "b3", "b4", "b5"]], 6)
    assert merged == ["a0", "a1", "a2", "b3", "b4", "b5"]


def test_merge_needs_full_coverage() -> None:
    with pytest.raises(ValueError):
        merge_windows([Window(0, 2)], [["x", "y"]], 3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=30), min_size=1, max_size=8),
       st.integers(4, 40))
def test_windows_cover_every_word_within_budget(lengths: list[list[int]], budget: int) -> None:
    flat = [n for sentence in lengths for n in sentence]
    result = windows(lengths, budget)
    covered = set()
    for w in result:
        size = sum(flat[w.start:w.end])
        assert size <= budget or w.end - w.start == 1
        covered.update(range(w.start, w.end))
    assert covered == set(range(len(flat)))
    merge_windows(result, [list(range(w.start, w.end)) for w in result], len(flat))


def test_sentence_rule_is_hazms() -> None:
    from hazm import SentenceTokenizer

    from persnews.segmentation import SENTENCE_END

    assert SENTENCE_END.pattern == SentenceTokenizer().pattern.pattern


def test_extraction_does_not_import_hazm() -> None:
    """hazm loads scikit-learn and NLTK (~180 MB); extraction reads only its verb lexicon, by path."""
    import subprocess
    import sys

    code = ("import sys; from persnews.pipeline import load; from persnews.normalization import normalize; "
            "from persnews.segmentation import sentences; sentences(normalize('او میگوید. شهردار آمد')); "
            "print('hazm' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "False", result.stderr



@given(st.lists(st.sampled_from(["می", "ها", "کتاب", "شد", " ", "  ", "\u200c", "\u200f", "\u064b", "ي", "۱۲", ".", "\n",
                                 "ﻻ", "ـ"]), max_size=40).map("".join))
@settings(max_examples=300)
def test_token_offsets_are_the_views_own_mapping(raw: str) -> None:
    # tokenize maps most words without calling to_original; it must agree with it everywhere
    view = normalize(raw)
    expected = [(m.group(), *view.to_original(*m.span())) for m in _WORD.finditer(view.text)]
    assert [(t.text, t.start, t.end) for t in tokenize(view)] == expected
