"""Whole-article docs layers: reading, writing, joining with the corpora, sources and validation."""

from __future__ import annotations

import json

import pytest

from persnews.data.docs_layer import (DocsLayer, article_text, join_docs_layer, parse_docs_layer, read_docs_layer,
                                      write_docs_layer)
from persnews.data.sources import load_source, parse_source
from persnews.data.standoff import sentence_hash
from persnews.data.validation import validate_paths
from persnews.errors import CorpusMismatchError, DataFormatError

from .conftest import FARS_NEWS

TEXT = article_text(FARS_NEWS[0])  # "عنوان\nخلاصه\nخبر کوتاه\nحسين نوري، رئيس شهرداري تهران گفت: ..."


def offsets(surface: str, text: str = TEXT) -> dict:
    start = text.index(surface)
    return {"start": start, "end": start + len(surface)}


def article_line(**changes) -> dict:
    record = {"corpus": "news-raw", "file": "fars-news-1", "article": 0, "sha": sentence_hash(TEXT), "split": "test",
              "entities": [{**offsets("حسين نوري"), "label": "PER"}, {**offsets("رئيس"), "label": "ROLE"},
                           {**offsets("شهرداري تهران"), "label": "ORG"}, {**offsets("کرمان"), "label": "LOC"}],
              "relations": [{"person": 0, "role": 1, "institution": 2, "former": True}],
              "officials": [{"person": 0, "positions": [{"role": 1, "institution": 2, "former": True}]}]}
    return {**record, **changes}


def write_lines(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_article_text_is_title_abstract_paragraphs_joined_by_newlines():
    assert TEXT.split("\n") == ["عنوان", "خلاصه", *FARS_NEWS[0]["paragraphs"]]
    assert article_text({"title": None, "paragraphs": ["الف"]}) == "\n\nالف"  # same layout without a head


def test_join_gives_entities_relations_and_officials_without_storing_text(tmp_path, fake_news, fake_corpora):
    path = write_lines(tmp_path / "news-docs-v1.jsonl", article_line())
    assert "حسين" not in path.read_text(encoding="utf-8")
    [doc] = join_docs_layer(read_docs_layer(path), fake_corpora)
    assert doc.id == "docs:news-docs-v1/news-raw/fars-news-1/0"
    assert doc.text == TEXT and [e.text for e in doc.entities] == ["حسين نوري", "رئيس", "شهرداري تهران", "کرمان"]
    assert doc.relations[0].former and (doc.relations[0].person, doc.relations[0].institution) == (0, 2)
    [official] = doc.officials
    assert official.name == "حسين نوري"
    assert (official.positions[0].role, official.positions[0].institution, official.positions[0].former) == \
        ("رئيس", "شهرداري تهران", True)


def test_former_defaults_to_false_and_round_trips(tmp_path, fake_news, fake_corpora):
    record = article_line(relations=[{"person": 0, "role": 1, "institution": None}], officials=[])
    layer = parse_docs_layer("x", [(1, record)])
    assert layer.articles[0].relations == ((0, 1, None, False),)
    out = tmp_path / "x.jsonl"
    write_docs_layer(out, layer)
    assert read_docs_layer(out) == layer
    assert json.loads(out.read_text(encoding="utf-8"))["relations"][0]["former"] is False


def test_changed_corpus_is_a_typed_error(tmp_path, fake_news, fake_corpora):
    path = write_lines(tmp_path / "d.jsonl", article_line(), article_line(article=7, sha="0" * 12))
    with pytest.raises(CorpusMismatchError, match="fars-news-1/7 is not in the corpus"):
        join_docs_layer(read_docs_layer(path), fake_corpora)
    changed = [dict(a) for a in FARS_NEWS]
    changed[0] = {**changed[0], "title": "عنوان تازه"}
    fake_news.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusMismatchError, match="has changed"):
        join_docs_layer(read_docs_layer(write_lines(path, article_line())), fake_corpora)


def test_malformed_lines_report_every_problem():
    bad = article_line(split="holdout", sha="XYZ", entities=[{"start": 5, "end": 2, "label": "PER"}],
                       relations=[{"person": 0, "role": 0, "institution": None, "former": "yes"}],
                       officials=[{"person": 3, "positions": []}])
    with pytest.raises(DataFormatError) as error:
        parse_docs_layer("x", [(1, bad), (2, article_line()), (3, article_line())])
    text = "\n".join(error.value.problems)
    for expected in ("split must be one of", "sha must be", "entity 0 needs character offsets",
                     "former must be true or false", "non-empty positions", "already annotated at line 2"):
        assert expected in text


def test_entities_past_the_article_do_not_fit(tmp_path, fake_news, fake_corpora):
    record = article_line(entities=[{"start": 0, "end": len(TEXT) + 3, "label": "LOC"}], relations=[], officials=[])
    with pytest.raises(DataFormatError, match="do not fit"):
        join_docs_layer(DocsLayer("x", parse_docs_layer("x", [(1, record)]).articles), fake_corpora)


def test_sources_name_a_split_of_a_docs_layer(tmp_path, fake_news, fake_corpora):
    path = write_lines(tmp_path / "d.jsonl", article_line(),
                       article_line(article=2, split="train", sha=sentence_hash(article_text(FARS_NEWS[2])),
                                    entities=[], relations=[], officials=[]))
    assert [d.id for d in load_source(parse_source(f"docs:{path}:test"), fake_corpora)] == \
        ["docs:d/news-raw/fars-news-1/0"]
    assert len(load_source(parse_source(f"docs:{path}:train"), fake_corpora)) == 1
    with pytest.raises(ValueError, match="docs:LAYER.jsonl"):
        parse_source(f"docs:{path}:holdout")


def test_validate_accepts_a_docs_layer_and_reports_its_problems(tmp_path, fake_news, fake_corpora, monkeypatch):
    monkeypatch.setenv("PERSNEWS_CORPORA", str(fake_corpora))
    good = write_lines(tmp_path / "good.jsonl", article_line())
    assert validate_paths([good]) == []
    broken = write_lines(tmp_path / "broken.jsonl", article_line(sha="0" * 12))
    assert any("has changed" in p for p in validate_paths([broken]))
