import json

import pytest

from persnews.data.sources import load_source, parse_source
from persnews.data.standoff import sentence_hash
from persnews.training import _load_sets


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
    sets = _load_sets([f"layer:{layer}:train", "peyma:train"], str(fake_corpora), None)
    assert len(sets[1][1]) == len(plain) - 1 and "peyma/train/0" not in {d.id for d in sets[1][1]}
