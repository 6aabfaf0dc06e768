"""Document-level consistency: a name the tagger marked once marks its other mentions in the document.

News names a person in full once and then by surname («علی احمدی» … «احمدی
گفت»), and repeats an organisation or a title; the tagger reads each window
on its own and can miss the repetition. This stage runs after tagging and
before relations (see :data:`persnews.pipeline.STAGES`):

* an **anchor** is a PER, ORG or ROLE entity the tagger is sure of (score at
  least ``anchor``); its words, compared without ZWNJ, spaces and «ي/ك»
  (:func:`persnews.cue_words.compact`), are a pattern of its label; a PER of
  two or more words also gives its last word (the surname), and with
  ``first_names`` its first word, as patterns;
* a pattern shorter than ``min_chars`` letters, a single word that is not a
  name (by default only PER's one-word patterns are kept) or is a function
  word, an honorific or a title head, a pattern two labels claim, and those
  of labels not spread are dropped;
* every other run of words of one sentence that equals a pattern becomes an
  entity of its label (score: its anchor's), unless an entity of that label
  already covers it, an entity reaches past it (it is never cut), or an
  entity of another label there has a score of at least ``threshold`` (the
  tagger is sure of another reading). Entities inside the run are replaced.

Offsets are the original text's, as the words' are. Longer patterns are
applied first, so «علی احمدی» is marked whole before «احمدی» is looked for.

>>> from persnews.normalization import normalize
>>> from persnews.segmentation import sentences
>>> text = "علی احمدي گفت: احمدی امروز آمد."
>>> tagged = [Entity(0, 9, "PER", "علی احمدي", 0.97)]
>>> [(e.text, e.label) for e in propagate(text, sentences(normalize(text)), tagged)]
[('علی احمدي', 'PER'), ('احمدی', 'PER')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .document import Entity
from .features import is_role_head
from .cue_words import FUNCTION_WORDS, HONORIFICS, compact
from .segmentation import Sentence

Pattern = tuple[str, ...]


@dataclass(frozen=True)
class ConsistencyOptions:
    """What the stage spreads, and how sure the tagger must be (defaults chosen on dev data: see the README)."""

    labels: tuple[str, ...] = ("PER", "ORG", "ROLE")
    anchor: float = 0.9
    """An entity is spread only when its score is at least this."""
    threshold: float = 0.5
    """An entity of another label gives way to a pattern only when its score is below this."""
    min_chars: int = 3
    """The fewest letters (without spaces and ZWNJ) a pattern has."""
    surnames: bool = True
    """A PER of two or more words marks its last word alone."""
    first_names: bool = False
    """A PER of two or more words marks its first word alone (risky: common first names are common words)."""
    single_words: tuple[str, ...] = ("PER",)
    """Labels whose one-word patterns are spread: a name; a one-word ORG or ROLE is most often a bare
    common noun that annotators leave O in one place and tag in another («دولت», «مجلس», «دانشگاه»)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0 or not 0.0 <= self.anchor <= 1.0:
            raise ValueError(f"anchor and threshold are probabilities, got {self.anchor}, {self.threshold}")
        if self.min_chars < 1:
            raise ValueError(f"min_chars must be at least 1, got {self.min_chars}")


def _words(sentences: Sequence[Sentence], entity: Entity) -> Pattern:
    return tuple(compact(t.text) for s in sentences for t in s.tokens if entity.start <= t.start < entity.end)


def _usable(pattern: Pattern, label: str, options: ConsistencyOptions) -> bool:
    if sum(map(len, pattern)) < options.min_chars:
        return False
    if len(pattern) > 1:
        return True
    word = pattern[0]
    return (label in options.single_words and word.isalpha() and word not in FUNCTION_WORDS
            and word not in HONORIFICS and not is_role_head(word))


def patterns(sentences: Sequence[Sentence], entities: Sequence[Entity],
             options: ConsistencyOptions) -> dict[Pattern, tuple[str, float]]:
    """The patterns the document's anchors give, each with its label and its best anchor's score. Every sure
    entity claims its words, whether its label or its shape is spread or not, so «تهران» of «رضا تهران» is
    no pattern in a document that is sure «تهران» alone is a place."""
    found: dict[Pattern, dict[str, float]] = {}
    for entity in entities:
        if entity.score < options.anchor:
            continue
        words = _words(sentences, entity)
        shapes = [words]
        if entity.label == "PER" and len(words) > 1:
            shapes += [words[-1:]] * options.surnames + [words[:1]] * options.first_names
        for shape in filter(None, shapes):
            labels = found.setdefault(shape, {})
            labels[entity.label] = max(labels.get(entity.label, 0.0), entity.score)
    claimed = {shape: next(iter(labels.items())) for shape, labels in found.items() if len(labels) == 1}
    return {shape: (label, score) for shape, (label, score) in claimed.items()
            if label in options.labels and _usable(shape, label, options)}


def propagate(text: str, sentences: Sequence[Sentence], entities: Sequence[Entity],
              options: ConsistencyOptions = ConsistencyOptions()) -> list[Entity]:
    """The entities with the document's repeated names marked (see the module docstring), sorted by start."""
    found = patterns(sentences, entities, options)
    result = sorted(entities, key=lambda e: e.start)
    if not found:
        return result
    lengths = sorted({len(p) for p in found}, reverse=True)
    matches = []
    for sentence in sentences:
        keys = [compact(t.text) for t in sentence.tokens]
        for n in lengths:
            for i in range(len(keys) - n + 1):
                pattern = tuple(keys[i:i + n])
                if pattern in found:
                    matches.append((-n, sentence.tokens[i].start, sentence.tokens[i + n - 1].end, *found[pattern]))
    for _, start, end, label, score in sorted(matches):
        here = [e for e in result if e.start < end and start < e.end]
        if (any(e.label == label and e.start <= start and end <= e.end for e in here)
                or any(e.start < start or e.end > end for e in here)
                or any(e.label != label and e.score >= options.threshold for e in here)):
            continue
        result = sorted([e for e in result if e not in here] + [Entity(start, end, label, text[start:end], score)],
                        key=lambda e: e.start)
    return result
