"""The word-level BIO tag set, defined once, and the conversions between BIO tags and spans.

Every module that writes or reads BIO tags (the corpus importers, the
``datasets`` conversion, augmentation) imports them from here, so the tag ids
a model is trained with cannot drift between modules.

>>> BIO_TAGS[:3]
('O', 'B-PER', 'I-PER')
>>> bio_spans(["O", "I-PER", "I-PER", "B-LOC", "O"])
[(1, 3, 'PER'), (3, 4, 'LOC')]
"""

from __future__ import annotations

from typing import Sequence

from ..document import INSTITUTION_LABELS, LABELS

BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{prefix}-{label}" for label in LABELS for prefix in ("B", "I"))
"""``O`` then ``B-X``, ``I-X`` for each schema label in ``LABELS`` order: the ``ClassLabel`` names."""

TAG_IDS: dict[str, int] = {tag: i for i, tag in enumerate(BIO_TAGS)}


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans ``[start, end)`` of word indices with their label, from BIO tags (``B-X``/``I-X``/``O``).

    An ``I-X`` that does not continue an ``X`` span (after ``O`` or another
    label) starts a new span, the usual repair for corpora that omit ``B-``.
    """
    spans: list[tuple[int, int, str]] = []
    start, label = 0, None
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and kind == label
        if label is not None and not continues:
            spans.append((start, i, label))
            label = None
        if prefix in ("B", "I") and not continues:
            start, label = i, kind
    if label is not None:
        spans.append((start, len(tags), label))
    return spans


def repair_bio(tags: Sequence[str]) -> list[str]:
    """The same spans as :func:`bio_spans` reads, written as strict IOB2 (every span opens with ``B-``)."""
    repaired = ["O"] * len(tags)
    for start, end, label in bio_spans(tags):
        repaired[start] = f"B-{label}"
        for i in range(start + 1, end):
            repaired[i] = f"I-{label}"
    return repaired


def word_tags(word_starts: Sequence[int], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """BIO tags for words given their start offsets and character spans ``(start, end, label)``.

    A word is inside a span when its *start* is (a word that crosses a span
    boundary is labelled by where it starts); the first such word gets
    ``B-``, the following ones ``I-``. ``word_starts`` must be increasing and
    the spans sorted and non-overlapping.

    >>> word_tags([0, 4, 10, 15], [(4, 14, "ROLE")])
    ['O', 'B-ROLE', 'I-ROLE', 'O']
    """
    tags, k, previous = [], 0, -1
    for start in word_starts:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        if k < len(spans) and spans[k][0] <= start:
            tags.append(("I-" if previous == k else "B-") + spans[k][2])
            previous = k
        else:
            tags.append("O")
            previous = -1
    return tags


RELATION_SLOTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("person", frozenset({"PER"})), ("role", frozenset({"ROLE"})), ("institution", INSTITUTION_LABELS))
"""What each slot of a relation triple must point at; ``institution`` may also be null."""


def relation_problems(labels: Sequence[str], slots: Sequence[int | None]) -> list[str]:
    """Why the triple ``slots`` (person, role, institution entity indices) is ill-typed or dangling, if it is.

    ``labels`` are the labels of the document's entities, in order.

    >>> relation_problems(["PER", "ROLE", "ORG"], [0, 1, None])
    []
    >>> relation_problems(["PER", "ROLE"], [1, 0, 5])
    ['person points at a ROLE, expected PER', 'role points at a PER, expected ROLE', 'institution 5 is not an entity index (0..1)']
    """
    problems = []
    for (slot, wanted), index in zip(RELATION_SLOTS, slots):
        if index is None and slot == "institution":
            continue
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(labels):
            problems.append(f"{slot} {index!r} is not an entity index (0..{len(labels) - 1})")
        elif labels[index] not in wanted:
            problems.append(f"{slot} points at a {labels[index]}, expected {'/'.join(sorted(wanted))}")
    return problems
