"""The inline markup our annotators write authored news in, converted to schema documents.

Writing character offsets by hand is error-prone, so authored items are kept as
readable markup and the offsets are computed here::

    ### auth-a-001
    به گزارش [[ORG|ایسنا]]، [[PER#1|حسین نوری]]، [[ROLE#2|معاون فنی]] [[ORG#3|شهرداری شیراز]] گفت: ...
    rel: 1 2 3
    official: حسین نوری | معاون فنی | شهرداری شیراز

* ``[[LABEL|surface]]`` marks an entity; ``[[LABEL#n|surface]]`` also gives it a
  number that ``rel:`` lines refer to (numbers are local to the item).
* ``rel: P R I`` states a relation (person, role, institution); ``-`` for no institution;
  ``rel: P R I former`` a former office (guidelines v1.1, ``"former": true``).
* ``official: name | role | institution`` lists a document fact; ``-`` for no institution;
  a fourth field ``| former`` marks a former office.
  Officials with several positions repeat the name on several lines.
* Every other line is text; the item's lines are joined with newlines.

>>> docs = parse_markup("### x\\n[[PER#1|علی]]، [[ROLE#2|شهردار]] گفت\\nrel: 1 2 -\\nofficial: علی | شهردار | -")
>>> [(e.label, e.text) for e in docs[0].entities]
[('PER', 'علی'), ('ROLE', 'شهردار')]
>>> docs[0].relations[0].institution is None
True
"""

from __future__ import annotations

import re
from pathlib import Path

from ..document import LABELS, Document, Entity, Official, Position, Relation
from ..errors import DataFormatError

_MARK = re.compile(r"\[\[([A-Z]+)(?:#(\d+))?\|([^\[\]|]*)\]\]")
_ITEM = re.compile(r"^###\s*(\S+)\s*$")


def _parse_item(item_id: str, lines: list[tuple[int, str]], path: str) -> tuple[Document | None, list[str]]:
    problems: list[str] = []
    text_parts: list[str] = []
    entities: list[Entity] = []
    numbered: dict[str, int] = {}
    relation_lines: list[tuple[int, str]] = []
    official_lines: list[tuple[int, str]] = []
    offset = 0
    for lineno, line in lines:
        if line.startswith("rel:"):
            relation_lines.append((lineno, line[4:]))
            continue
        if line.startswith("official:"):
            official_lines.append((lineno, line[9:]))
            continue
        plain, cursor = [], 0
        for match in _MARK.finditer(line):
            label, number, surface = match.groups()
            plain.append(line[cursor:match.start()])
            start = offset + sum(map(len, plain))
            plain.append(surface)
            cursor = match.end()
            if label not in LABELS:
                problems.append(f"{path}:{lineno}: unknown label {label!r}")
                continue
            if not surface.strip() or surface != surface.strip():
                problems.append(f"{path}:{lineno}: {label} entity {surface!r} is empty or has outer whitespace")
                continue
            if number is not None:
                if number in numbered:
                    problems.append(f"{path}:{lineno}: entity number #{number} used twice in {item_id}")
                numbered[number] = len(entities)
            entities.append(Entity(start, start + len(surface), label, surface))
        plain.append(line[cursor:])
        joined = "".join(plain)
        if "[[" in joined or "]]" in joined:
            problems.append(f"{path}:{lineno}: unclosed or malformed [[...]] markup")
        text_parts.append(joined)
        offset += len(joined) + 1
    text = "\n".join(text_parts)
    relations = []
    for lineno, spec in relation_lines:
        parts = spec.split()
        former = parts[3:] == ["former"]
        if len(parts) != 3 and not former:
            problems.append(f"{path}:{lineno}: rel needs three fields (person role institution|-) and an optional "
                            f"'former', got {spec.strip()!r}")
            continue
        indices = []
        for part, wanted in zip(parts[:3], ({"PER"}, {"ROLE"}, {"ORG", "LOC"})):
            if part == "-" and wanted == {"ORG", "LOC"}:
                indices.append(None)
            elif part not in numbered:
                problems.append(f"{path}:{lineno}: rel refers to #{part}, which no entity in {item_id} carries")
                break
            elif entities[numbered[part]].label not in wanted:
                problems.append(f"{path}:{lineno}: #{part} is {entities[numbered[part]].label}, expected {'/'.join(sorted(wanted))}")
                break
            else:
                indices.append(numbered[part])
        else:
            relations.append(Relation(indices[0], indices[1], indices[2], former=former))
    surfaces = {label: {e.text for e in entities if e.label == label} for label in LABELS}
    institutions = surfaces["ORG"] | surfaces["LOC"]
    positions: dict[str, list[Position]] = {}
    for lineno, spec in official_lines:
        parts = [p.strip() for p in spec.split("|")]
        former = parts[3:] == ["former"]
        if len(parts) != 3 and not former:
            problems.append(f"{path}:{lineno}: official needs 'name | role | institution' and an optional "
                            f"'| former', got {spec.strip()!r}")
            continue
        name, role, institution = parts[:3]
        for value, pool, what in ((name, surfaces["PER"], "PER"), (role, surfaces["ROLE"], "ROLE")):
            if value not in pool:
                problems.append(f"{path}:{lineno}: official {what} {value!r} is not a {what} entity of {item_id}")
        if institution != "-" and institution not in institutions:
            problems.append(f"{path}:{lineno}: official institution {institution!r} is not an ORG/LOC entity of {item_id}")
        positions.setdefault(name, []).append(Position(role, None if institution == "-" else institution,
                                                       former=former))
    if problems:
        return None, problems
    officials = tuple(Official(name, tuple(ps)) for name, ps in positions.items())
    return Document(text, tuple(entities), tuple(relations), officials, item_id), []


def parse_markup(source: str, path: str = "<string>") -> list[Document]:
    """Parse every ``### id`` item of a markup file; raise one error listing all problems."""
    items: list[tuple[str, list[tuple[int, str]]]] = []
    problems: list[str] = []
    for lineno, line in enumerate(source.splitlines(), 1):
        header = _ITEM.match(line)
        if header:
            items.append((header.group(1), []))
        elif items:
            if line.strip() or items[-1][1]:
                items[-1][1].append((lineno, line))
        elif line.strip():
            problems.append(f"{path}:{lineno}: text before the first '### id' line")
    docs, seen = [], set()
    for item_id, lines in items:
        while lines and not lines[-1][1].strip():
            lines.pop()
        if item_id in seen:
            problems.append(f"{path}: item id {item_id!r} used twice")
        seen.add(item_id)
        doc, item_problems = _parse_item(item_id, lines, path)
        problems += item_problems
        if doc is not None:
            docs.append(doc)
    if problems:
        raise DataFormatError(f"{path}: {len(problems)} problem(s) in the markup", problems)
    return docs


def read_markup(path: str | Path) -> list[Document]:
    """Read one markup file (UTF-8)."""
    path = Path(path)
    return parse_markup(path.read_text(encoding="utf-8"), str(path))


if __name__ == "__main__":  # a quick check for annotators: python -m persnews.data.authoring FILE...
    import sys
    from collections import Counter

    status = 0
    for name in sys.argv[1:]:
        try:
            documents = read_markup(name)
        except DataFormatError as error:
            print(error)
            status = 1
            continue
        counts = Counter(e.label for d in documents for e in d.entities)
        relations = sum(len(d.relations) for d in documents)
        print(f"{name}: {len(documents)} items, entities {dict(counts)}, {relations} relations")
    sys.exit(status)
