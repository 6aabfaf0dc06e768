from __future__ import annotations

import json

import pytest

from persnews.document import Document, Entity, Official, Position, Relation

TEXT = "حسین نوری، معاون فنی شهرداری شیراز گفت"


def _document() -> Document:
    entities = (Entity(0, 9, "PER", "حسین نوری", 0.9), Entity(11, 20, "ROLE", "معاون فنی"),
                Entity(21, 34, "ORG", "شهرداری شیراز"))
    return Document(TEXT, entities, (Relation(0, 1, 2, 0.8),),
                    (Official("حسین نوری", (Position("معاون فنی", "شهرداری شیراز", (0,)),)),), "doc-1")


def test_json_round_trip_in_the_guidelines_shape() -> None:
    document = _document()
    data = json.loads(document.to_json())
    assert set(data) == {"id", "text", "entities", "relations", "officials"}
    assert data["entities"][0] == {"start": 0, "end": 9, "label": "PER", "text": "حسین نوری", "score": 0.9}
    assert data["relations"][0] == {"person": 0, "role": 1, "institution": 2, "former": False, "score": 0.8}
    assert data["officials"][0]["positions"][0] == {"role": "معاون فنی", "institution": "شهرداری شیراز",
                                                    "former": False, "evidence": [0]}
    assert Document.from_json(document.to_json()) == document


def test_former_round_trips_and_is_false_when_absent() -> None:
    data = _document().to_dict()
    data["relations"][0]["former"] = True
    data["officials"][0]["positions"][0]["former"] = True
    document = Document.from_dict(data)
    assert document.relations[0].former and document.officials[0].positions[0].former
    assert Document.from_json(document.to_json()) == document
    del data["relations"][0]["former"], data["officials"][0]["positions"][0]["former"]  # a schema v1 file
    old = Document.from_dict(data)
    assert not old.relations[0].former and not old.officials[0].positions[0].former


def test_from_dict_fills_text_and_score() -> None:
    document = Document.from_dict({"text": TEXT, "entities": [{"start": 0, "end": 9, "label": "PER"}]})
    assert document.entities[0].text == "حسین نوری" and document.entities[0].score == 1.0


@pytest.mark.parametrize("entity", [
    {"start": 0, "end": 9, "label": "PERSON"},
    {"start": 5, "end": 2, "label": "PER"},
    {"start": 0, "end": 9, "label": "PER", "text": "غلط"},
])
def test_bad_entities_are_refused(entity: dict) -> None:
    with pytest.raises(ValueError):
        Document.from_dict({"text": TEXT, "entities": [entity]})


def test_entity_must_match_document_text() -> None:
    with pytest.raises(ValueError):
        Document("abc", (Entity(0, 2, "PER", "xy"),))


def test_relation_indices_are_checked() -> None:
    with pytest.raises(ValueError, match="outside"):
        Document(TEXT, (Entity(0, 9, "PER", "حسین نوری"),), (Relation(0, 3),))
