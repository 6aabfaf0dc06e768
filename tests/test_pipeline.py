from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import persnews
from persnews.pipeline import Extractor, load


@pytest.fixture(scope="module")
def extractor(tiny_model: Path) -> Extractor:
    return load(tiny_model)


def _check(document: persnews.Document) -> None:
    for entity in document.entities:
        assert document.text[entity.start:entity.end] == entity.text
    for relation in document.relations:
        assert document.entities[relation.person].label == "PER"
        assert document.entities[relation.role].label == "ROLE"


def test_extract_one_equals_first_of_many(extractor: Extractor) -> None:
    text = "به گزارش ایسنا، علی رضایی، معاون فنی شهرداری شیراز گفت: کار تمام شد."
    assert extractor.extract(text) == extractor.extract_many([text, "دوم"])[0]
    _check(extractor.extract(text))


def test_blank_text_gives_an_empty_document(extractor: Extractor) -> None:
    for text in ["", "   ", "\n\t\u200f"]:
        document = extractor.extract(text)
        assert document.text == text and document.entities == () and document.officials == ()


def test_non_str_input_is_a_type_error(extractor: Extractor) -> None:
    with pytest.raises(TypeError, match="str"):
        extractor.extract(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        extractor.extract_many("not a list of texts")
    with pytest.raises(TypeError):
        persnews.extract(None)  # type: ignore[arg-type]


def test_odd_input_does_not_crash(extractor: Extractor) -> None:
    texts = ["ا" * 10_000, "😀" * 500, "\x00\x01\u202e\u200f" * 100, "علی " * 3000 + "\n" * 50]
    for document in extractor.extract_many(texts, batch_size=4):
        _check(document)


def test_extract_accepts_a_model_folder_or_extractor(tiny_model: Path, extractor: Extractor) -> None:
    text = "علی رضایی گفت"
    assert persnews.extract(text, model=tiny_model) == persnews.extract(text, model=extractor)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list("آابپتشعلیيكک ،.\n\u200c\u200f😀a1۱") + ["علی", "رضایی", "شهرداری"]),
                max_size=80).map("".join))
def test_every_span_indexes_the_original(extractor: Extractor, text: str) -> None:
    _check(extractor.extract(text))


def test_a_200000_character_article_is_processed_whole(extractor: Extractor) -> None:
    sentence = "علی رضایی، معاون فنی شهرداری شیراز در تهران گفت: کار تمام شد. "
    text = sentence * (200_000 // len(sentence) + 1)
    document = extractor.extract(text)
    assert len(text) > 200_000
    _check(document)


def test_extract_many_is_public_and_matches_the_extractor(tiny_model: Path, extractor: Extractor) -> None:
    texts = ["علی رضایی گفت", "", "شهرداری شیراز"]
    assert "extract_many" in persnews.__all__
    assert persnews.extract_many(texts, model=tiny_model) == extractor.extract_many(texts)
    assert persnews.extract_many(texts, model=extractor) == extractor.extract_many(texts)
    with pytest.raises(TypeError):
        persnews.extract_many("one text", model=extractor)


def test_consistency_runs_between_tagging_and_relations_and_can_be_switched_off(tiny_model: Path) -> None:
    from persnews.consistency import ConsistencyOptions
    from persnews.document import Entity
    from persnews.normalization import normalize
    from persnews.pipeline import STAGES
    from persnews.segmentation import sentences

    assert STAGES.index("tag") < STAGES.index("consistency") < STAGES.index("relate")
    text = "علی احمدی آمد. احمدی، شهردار قم، گفت: بله."
    tagged = [Entity(0, 9, "PER", "علی احمدی", 0.99), Entity(22, 28, "ROLE", "شهردار", 0.99),
              Entity(29, 31, "LOC", "قم", 0.99)]
    on, off = load(tiny_model), load(tiny_model, consistency=False)
    assert on.consistency == ConsistencyOptions() and off.consistency is None
    sents = sentences(normalize(text))
    marked = on.finish(text, sents, tagged)
    assert [e.text for e in marked.entities] == ["علی احمدی", "احمدی", "شهردار", "قم"]
    assert [(o.name, o.positions[0].role) for o in marked.officials] == [("علی احمدی", "شهردار")]
    assert off.finish(text, sents, tagged).officials == ()
