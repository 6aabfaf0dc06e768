import json

import pytest

from persnews.data.hf import source_of
from persnews.data.sources import load_source, parse_source
from persnews.data.splits import SPLITS, hash_split
from persnews.data.standoff import sentence_hash
from persnews.document import LABELS
from persnews.training import load_sets


@pytest.fixture
def layer(tmp_path):
    path = tmp_path / "roles.jsonl"
    record = {"corpus": "peyma", "file": "train", "sentence": 0, "sha": sentence_hash("حسین نوری رئیس شهرداری تهران گفت"),
              "entities": [{"start": 2, "end": 3, "label": "ROLE"}],
              "relations": [{"person": [0, 2], "role": [2, 3], "institution": [3, 5]}]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_source_kinds():
    assert parse_source("peyma:test").kind == "corpus"
    assert parse_source("x/releases/v1:dev").kind == "release"
    assert parse_source("layer:x.jsonl:test").labels == ("PER", "ROLE", "ORG", "LOC")
    with pytest.raises(ValueError, match="unknown data source"):
        parse_source("nonsense")


def test_layer_source_keeps_its_split(layer, fake_corpora):
    [doc] = load_source(parse_source(f"layer:{layer}:train"), fake_corpora)
    assert [e.label for e in doc.entities] == ["PER", "ROLE", "ORG"] and len(doc.relations) == 1
    assert load_source(parse_source(f"layer:{layer}:test"), fake_corpora) == []


def test_layered_sentences_are_not_read_twice(layer, fake_corpora):
    plain = load_source(parse_source("peyma:train"), fake_corpora)
    sets = load_sets([f"layer:{layer}:train", "peyma:train"], str(fake_corpora), None)
    assert len(sets[1][1]) == len(plain) - 1 and "peyma/train/0" not in {d.id for d in sets[1][1]}


def test_raw_news_layer_sentences_are_fully_labelled_and_split_by_article(tmp_path, fake_news, fake_corpora):
    path = tmp_path / "raw.jsonl"
    lines = [{"corpus": "news-raw", "file": "fars-news-1", "article": 0, "paragraph": 1, "start": start, "end": end,
              "sha": sentence_hash(text), "entities": entities, "relations": []}
             for start, end, text, entities in [
                 (0, 47, "حسين نوري، رئيس شهرداري تهران گفت: کار تمام شد.",
                  [{"start": 0, "end": 2, "label": "PER"}, {"start": 3, "end": 4, "label": "ROLE"},
                   {"start": 4, "end": 6, "label": "ORG"}]),
                 (48, 72, "مريم احمدی در کرمان بود.", [{"start": 3, "end": 4, "label": "LOC"}])]]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    split = hash_split("news-raw/fars-news-1/0")  # the article's split
    source = parse_source(f"layer:{path}:{split}")
    docs = load_source(source, fake_corpora)
    assert [d.id for d in docs] == ["layer:raw/news-raw/fars-news-1/0/1/0-47",
                                    "layer:raw/news-raw/fars-news-1/0/1/48-72"]
    assert all(load_source(parse_source(f"layer:{path}:{other}"), fake_corpora) == [] for other in SPLITS
               if other != split)
    # ROLE is annotated on raw news, so training takes every label as gold (no partial labels), as for authored text
    assert source.labels == LABELS and source_of(docs[0].id) == ("layer:raw", True)
    plain = load_source(parse_source("peyma:train"), fake_corpora)
    sets = load_sets([f"layer:{path}:{split}", "peyma:train"], str(fake_corpora), None)
    assert sets[0][1] == docs and sets[1][1] == plain  # no plain-corpus twin to exclude


def test_a_layer_source_can_keep_one_corpus(layer, fake_corpora):
    [doc] = load_source(parse_source(f"layer:{layer}:train:peyma"), fake_corpora)
    assert doc.id == "layer:roles/peyma/train/0"
    assert load_source(parse_source(f"layer:{layer}:train:news-raw"), fake_corpora) == []
    with pytest.raises(ValueError, match="unknown corpus 'wiki'"):
        parse_source(f"layer:{layer}:train:wiki")
