"""Document-level consistency: what a sure anchor marks elsewhere, what it must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from persnews.consistency import ConsistencyOptions, patterns, propagate
from persnews.document import Entity
from persnews.normalization import normalize
from persnews.segmentation import sentences


def entity(text: str, surface: str, label: str, score: float, after: int = 0) -> Entity:
    start = text.index(surface, after)
    return Entity(start, start + len(surface), label, surface, score)


def run(text: str, entities: list[Entity], **options) -> list[tuple[str, str]]:
    found = propagate(text, sentences(normalize(text)), entities, ConsistencyOptions(**options))
    assert all(text[e.start:e.end] == e.text for e in found)
    return [(e.text, e.label) for e in found]


def test_a_surname_alone_is_marked_after_the_full_name():
    text = "علی احمدی، شهردار قم گفت: کار تمام شد. احمدی افزود: هزینه کم بود."
    tagged = [entity(text, "علی احمدی", "PER", 0.95), entity(text, "شهردار", "ROLE", 0.9),
              entity(text, "قم", "LOC", 0.9)]
    assert run(text, tagged) == [("علی احمدی", "PER"), ("شهردار", "ROLE"), ("قم", "LOC"), ("احمدی", "PER")]


def test_surfaces_are_compared_without_zwnj_and_arabic_letters_with_original_offsets():
    text = "علی‌رضا کاظمی آمد. \u200fعليرضا كاظمي هم آمد و كاظمي رفت."
    tagged = [entity(text, "علی‌رضا کاظمی", "PER", 0.97)]
    assert run(text, tagged) == [("علی‌رضا کاظمی", "PER"), ("عليرضا كاظمي", "PER"), ("كاظمي", "PER")]


def test_another_label_gives_way_only_below_the_threshold():
    text = "حسن روحانی آمد. روحانی گفت."
    low = [entity(text, "حسن روحانی", "PER", 0.95), entity(text, "روحانی", "ORG", 0.4, after=10)]
    assert run(text, low) == [("حسن روحانی", "PER"), ("روحانی", "PER")]
    high = [low[0], entity(text, "روحانی", "ORG", 0.9, after=10)]
    assert run(text, high) == [("حسن روحانی", "PER"), ("روحانی", "ORG")]
    assert run(text, low, threshold=0.3) == [("حسن روحانی", "PER"), ("روحانی", "ORG")]


def test_a_part_of_a_name_is_extended_to_the_whole_repeated_name():
    text = "محمد باقری آمد. سپس محمد باقری رفت."
    tagged = [entity(text, "محمد باقری", "PER", 0.9), entity(text, "باقری", "PER", 0.5, after=12)]
    assert run(text, tagged) == [("محمد باقری", "PER"), ("محمد باقری", "PER")]


def test_an_entity_reaching_past_the_name_is_never_cut():
    text = "مریم نوری آمد. خیابان نوری بسته شد."
    tagged = [entity(text, "مریم نوری", "PER", 0.95), entity(text, "خیابان نوری", "LOC", 0.2)]
    assert run(text, tagged) == [("مریم نوری", "PER"), ("خیابان نوری", "LOC")]


def test_repeated_org_and_role_strings_are_marked_but_not_single_common_nouns():
    text = "شهرداری شیراز و دولت اعلام کرد. معاون فنی گفت شهرداری شیراز آماده است و معاون فنی و دولت رفتند."
    tagged = [entity(text, "شهرداری شیراز", "ORG", 0.9), entity(text, "دولت", "ORG", 0.9),
              entity(text, "معاون فنی", "ROLE", 0.95)]
    assert run(text, tagged) == [("شهرداری شیراز", "ORG"), ("دولت", "ORG"), ("معاون فنی", "ROLE"),
                                 ("شهرداری شیراز", "ORG"), ("معاون فنی", "ROLE")]  # the second «دولت» stays O
    assert run(text, tagged, labels=("PER",)) == [("شهرداری شیراز", "ORG"), ("دولت", "ORG"), ("معاون فنی", "ROLE")]
    assert run(text, tagged, single_words=("PER", "ORG"))[-1] == ("دولت", "ORG")


def test_unsure_anchors_first_names_and_short_or_function_words_are_not_spread():
    text = "امید رضایی آمد. امید داریم رضایی بیاید."
    sure = [entity(text, "امید رضایی", "PER", 0.95)]
    assert run(text, sure) == [("امید رضایی", "PER"), ("رضایی", "PER")]
    assert run(text, sure, first_names=True) == [("امید رضایی", "PER"), ("امید", "PER"), ("رضایی", "PER")]
    assert run(text, [entity(text, "امید رضایی", "PER", 0.6)]) == [("امید رضایی", "PER")]
    assert run(text, sure, surnames=False) == [("امید رضایی", "PER")]
    short = "ژو لی آمد. لی رفت."
    assert run(short, [entity(short, "ژو لی", "PER", 0.99)]) == [("ژو لی", "PER")]  # «لی»: two letters


def test_a_pattern_two_labels_claim_is_dropped():
    text = "رضا تهران آمد. تهران بزرگ است و تهران شلوغ است."
    per, loc = entity(text, "رضا تهران", "PER", 0.9), entity(text, "تهران", "LOC", 0.9, after=10)
    view = sentences(normalize(text))
    assert ("تهران",) in patterns(view, [per], ConsistencyOptions())
    assert ("تهران",) not in patterns(view, [per, loc], ConsistencyOptions())
    assert run(text, [per, loc]) == [("رضا تهران", "PER"), ("تهران", "LOC")]  # the second «تهران» stays O


def test_options_are_checked():
    with pytest.raises(ValueError):
        ConsistencyOptions(threshold=1.5)
    with pytest.raises(ValueError):
        ConsistencyOptions(min_chars=0)


WORDS = ["علی", "احمدی", "گفت", "شهردار", "قم", "و", "،", "کاظمي", "کاظمی", "آمد", "."]


@st.composite
def tagged_texts(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
    text = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    entities, i = [], 0
    while i < len(words):
        n = draw(st.integers(0, 3))
        if n and i + n <= len(words):
            start, end = starts[i], starts[i + n - 1] + len(words[i + n - 1])
            label = draw(st.sampled_from(["PER", "ROLE", "ORG", "LOC"]))
            entities.append(Entity(start, end, label, text[start:end], draw(st.floats(0.0, 1.0))))
            i += n
        else:
            i += 1
    return text, entities


@settings(max_examples=200, deadline=None)
@given(tagged_texts(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_spans_stay_on_the_text_sorted_disjoint_and_sure_entities_are_kept(case, anchor, threshold):
    text, tagged = case
    found = propagate(text, sentences(normalize(text)), tagged, ConsistencyOptions(anchor=anchor, threshold=threshold))
    assert all(text[e.start:e.end] == e.text for e in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    for old in tagged:
        kept = old in found or any(e.label == old.label and e.start <= old.start and old.end <= e.end for e in found)
        assert kept or old.score < threshold
