"""The data model: a document owns its entities, relations and officials.

Offsets always index the caller's original string (``doc.text``), never a
normalised copy, so ``doc.text[e.start:e.end] == e.text`` holds for every
entity. The JSON shape is the one in ``annotation-guidelines.md`` and does not
change with options.

>>> doc = Document.from_dict({"text": "علی رضایی گفت", "entities": [{"start": 0, "end": 9, "label": "PER"}]})
>>> doc.entities[0].text
'علی رضایی'
>>> Document.from_json(doc.to_json()) == doc
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

LABELS: tuple[str, ...] = ("PER", "ROLE", "ORG", "LOC")
"""The entity labels of schema v1, in a fixed order (it fixes the BIO tag ids too)."""

INSTITUTION_LABELS: frozenset[str] = frozenset({"ORG", "LOC"})


@dataclass(frozen=True)
class Entity:
    """A labelled span ``text[start:end]`` of the original string."""

    start: int
    end: int
    label: str
    text: str
    score: float = 1.0

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown entity label {self.label!r}; expected one of {LABELS}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"entity offsets must satisfy 0 <= start < end, got {self.start}, {self.end}")
        if len(self.text) != self.end - self.start:
            raise ValueError(f"entity text {self.text!r} does not span {self.start}:{self.end}")

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label,
                "text": self.text, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Relation:
    """A stated fact: entity ``person`` (PER) holds ``role`` (ROLE) at ``institution`` (ORG/LOC or None).

    The three fields are indices into ``Document.entities``.
    """

    person: int
    role: int
    institution: int | None = None
    score: float = 1.0
    former: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"person": self.person, "role": self.role,
                "institution": self.institution, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Position:
    """One (role, institution) an official holds; ``evidence`` lists the relation indices behind it."""

    role: str
    institution: str | None = None
    evidence: tuple[int, ...] = ()
    former: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "institution": self.institution, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Official:
    """A person, under their fullest name in the document, with every position the document states."""

    name: str
    positions: tuple[Position, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "positions": [p.to_dict() for p in self.positions]}


@dataclass(frozen=True)
class Document:
    """The result of extraction, and the unit of every annotated file (one JSON object per line)."""

    text: str
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    officials: tuple[Official, ...] = ()
    id: str | None = None

    def __post_init__(self) -> None:
        for e in self.entities:
            if e.end > len(self.text) or self.text[e.start:e.end] != e.text:
                raise ValueError(f"entity {e.text!r} at {e.start}:{e.end} does not match the document text")
        n = len(self.entities)
        for r in self.relations:
            for index in (r.person, r.role, r.institution):
                if index is not None and not 0 <= index < n:
                    raise ValueError(f"relation {r} points outside the {n} entities")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text,
                "entities": [e.to_dict() for e in self.entities],
                "relations": [r.to_dict() for r in self.relations],
                "officials": [o.to_dict() for o in self.officials]}

    def to_json(self) -> str:
        """One line of JSON (the JSONL record), non-ASCII kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """Build from the guidelines' shape; ``text`` and ``score`` of entities are optional there."""
        text = data["text"]
        entities = tuple(
            Entity(e["start"], e["end"], e["label"], text[e["start"]:e["end"]], e.get("score", 1.0))
            for e in data.get("entities", ()))
        for e, raw in zip(entities, data.get("entities", ())):
            if "text" in raw and raw["text"] != e.text:
                raise ValueError(f"entity surface {raw['text']!r} differs from text[{e.start}:{e.end}] = {e.text!r}")
        relations = tuple(Relation(r["person"], r["role"], r.get("institution"), r.get("score", 1.0))
                          for r in data.get("relations", ()))
        officials = tuple(
            Official(o["name"], tuple(Position(p["role"], p.get("institution"), tuple(p.get("evidence", ())))
                                      for p in o.get("positions", ())))
            for o in data.get("officials", ()))
        return cls(text, entities, relations, officials, data.get("id"))

    @classmethod
    def from_json(cls, line: str) -> Document:
        return cls.from_dict(json.loads(line))
