"""The shipped model (models/persnews-fa-small) tags plain news sentences as a reader would."""

from __future__ import annotations

import pytest

import persnews
from persnews.pipeline import DEFAULT_MODEL
from persnews.tagging import shipped_models

CASES = [
    ("علی رضایی، شهردار تهران گفت: طرح نوسازی ناوگان اجرا می‌شود.",
     [("PER", "علی رضایی"), ("ROLE", "شهردار"), ("LOC", "تهران")], [("علی رضایی", "شهردار", "تهران")]),
    ("حسین نوری، معاون فنی و عمرانی شهرداری شیراز در این نشست گفت که کار تمام شده است.",
     [("PER", "حسین نوری"), ("ROLE", "معاون فنی و عمرانی"), ("ORG", "شهرداری شیراز")],
     [("حسین نوری", "معاون فنی و عمرانی", "شهرداری شیراز")]),
    ("مریم احمدی سخنگوی شورای اسلامی شهر اصفهان است.",
     [("PER", "مریم احمدی"), ("ROLE", "سخنگوی"), ("ORG", "شورای اسلامی شهر اصفهان")],
     [("مریم احمدی", "سخنگوی", "شورای اسلامی شهر اصفهان")]),
    ("به گزارش خبرگزاری فارس، محمد کاظمی رئیس دانشگاه تهران گفت کلاس ها حضوری است.",
     [("ORG", "خبرگزاری فارس"), ("PER", "محمد کاظمی"), ("ROLE", "رئیس"), ("ORG", "دانشگاه تهران")],
     [("محمد کاظمی", "رئیس", "دانشگاه تهران")]),
]


@pytest.fixture(scope="module")
def extractor() -> persnews.Extractor:
    assert (shipped_models()[DEFAULT_MODEL] / "model.safetensors").is_file(), "the default model must ship in models/"
    return persnews.load()


@pytest.mark.parametrize("text, entities, facts", CASES)
def test_default_model_tags_news_sentences(extractor: persnews.Extractor, text: str, entities: list,
                                           facts: list) -> None:
    document = extractor.extract(text)
    assert [(e.label, e.text) for e in document.entities] == entities
    assert [(o.name, p.role, p.institution) for o in document.officials for p in o.positions] == facts


def test_default_model_ignores_missing_zwnj_and_arabic_letters(extractor: persnews.Extractor) -> None:
    text, entities, _ = CASES[3]
    noisy = text.replace("\u200c", "").replace("ی", "ي").replace("ک", "ك")
    document = extractor.extract(noisy)
    assert [e.label for e in document.entities] == [label for label, _ in entities]
    for entity in document.entities:
        assert noisy[entity.start:entity.end] == entity.text


def test_default_model_is_small() -> None:
    assert (shipped_models()[DEFAULT_MODEL] / "model.safetensors").stat().st_size <= 60 * 2**20
