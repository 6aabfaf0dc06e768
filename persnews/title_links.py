"""Title links: which person a role chain without a holder in its own sentence describes.

News articles name a person once and go on with a description: «برانکو ...
. سرمربی پرسپولیس که ...», «X ... . دروازه‌بان باتجربه گل‌گهر درباره ...
گفت», or lead with the title and name the person in the next sentence
(«امام جمعه بندرلنگه گفت ... . به گزارش ...، آیت‌الله X ... اظهار کرد»).
This module reads the structure of such a link as named features — how far
back the candidate was mentioned, whether it was the subject or the quoted
speaker there, whether the chain opens its sentence, follows «این», comes
before a verb of speech or a «که» clause, is announced as someone new
(«نیز») — for the officials stage to weigh with a learned model
(:class:`persnews.relation_scorer.LogisticModel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

from .cue_words import compact
from .relations import SentenceCues

WINDOW = 3
"""How many sentences back a description may refer."""

OPENERS = frozenset({"،", ",", ":", "-", "–", "همچنین", "سپس"})
"""Words a title-only subject may follow: it opens its clause («در ادامه، معاون ... گفت»)."""
NEW_SPEAKER = frozenset({"هم", "نیز", "اما", "ولی"})
"""«رئیس X نیز گفت»: right after a subject these mark someone other than the previous speaker."""
_PRONOUNS = frozenset({"او", "وی"})
_RELATIVE = "که"
_DEMONSTRATIVES = frozenset({"این", "همین"})
_PREPOSITIONS = frozenset({"به", "با", "از", "برای", "در"})


def after_according_to(cues: SentenceCues, person: int) -> bool:
    return cues.words_before(cues.entities[person].start, 2) == ("به", "گفته")


def says(cues: SentenceCues, person: int, continuing: frozenset[str] | None = None) -> bool:
    """Whether the sentence quotes this person mention: a verb of speech after it, or «به گفته PER».

    With ``continuing``, only verbs whose first word is one of these count («افزود», also as the second verb
    of «X ... عنوان کرد و افزود»).
    """
    if after_according_to(cues, person):
        return True
    verbs = [cues.words_after(v, 1)[0] for v in cues.speech_verbs if v > cues.entities[person].start]
    return bool(verbs) and (continuing is None or any(verb in continuing for verb in verbs))


@dataclass(frozen=True)
class Candidate:
    """A person a chain may describe: ``key`` names the person (the officials stage's cluster), ``mention``
    the entity index of its latest mention before the chain, or of its first in the next sentence
    (``distance`` -1); ``distance`` counts sentences back."""

    key: Hashable
    mention: int
    distance: int
    rank: int
    mentions: int


def candidates(readings: Sequence[SentenceCues], index: int, group: Sequence[int],
               person_of: Mapping[int, Hashable]) -> list[Candidate]:
    """The persons mentioned in the :data:`WINDOW` sentences before the chain (its own sentence up to the
    chain included), latest first, then the first person of the next sentence if not among them."""
    start = readings[index].entities[group[0]].start
    latest: dict[Hashable, tuple[int, int]] = {}
    counts: dict[Hashable, int] = {}
    for back in range(max(0, index - WINDOW), index + 1):
        for person in readings[back].persons:
            if readings[back].entities[person].start < start:
                key = person_of[person]
                latest[key] = (person, index - back)
                counts[key] = counts.get(key, 0) + 1
    ordered = sorted(latest.items(), key=lambda item: -item[1][0])
    found = [Candidate(key, mention, distance, rank, counts[key])
             for rank, (key, (mention, distance)) in enumerate(ordered)]
    if index + 1 < len(readings) and readings[index + 1].persons:
        first = readings[index + 1].persons[0]
        if person_of[first] not in latest:
            found.append(Candidate(person_of[first], first, -1, len(found), 0))
    return found


def _opens(cues: SentenceCues, group: Sequence[int]) -> bool:
    first = cues.entities[group[0]].start
    before = cues.words_before(first, 1)
    return not before or before[0] in OPENERS or not [i for i in cues.members if i < group[0]]


def chain_features(cues: SentenceCues, index: int, group: Sequence[int]) -> dict[str, float]:
    """What the chain's own sentence says about it being a description of someone mentioned elsewhere."""
    start, end = cues.entities[group[0]].start, cues.group_end(group)
    before = cues.words_before(start, 1)
    after = cues.words_after(end, 2)
    texts = {w.text for w in cues.words}
    return {
        "opens": float(_opens(cues, group)),
        "demonstrative_before": float(bool(set(before) & _DEMONSTRATIVES)),
        "preposition_before": float(bool(set(before) & _PREPOSITIONS)),
        "agent_before": float(cues.agent_before(group)),
        "speech_after": float(any(v >= end for v in cues.speech_verbs)),
        "speech_before": float(any(v < start for v in cues.speech_verbs)),
        "new_speaker_after": float(bool(set(after) & NEW_SPEAKER)),
        "relative_after": float(after[:1] == (_RELATIVE,)),
        "person_after": float(any(cues.entities[p].start >= end for p in cues.persons)),
        "person_before": float(any(cues.entities[p].end <= start for p in cues.persons)),
        "pronoun_in_sentence": float(bool(texts & _PRONOUNS)),
        "former": float(any(cues.former(role) for role in group)),
        "has_institution": float(cues.institutions[group[-1]] is not None),
        "first_sentence": float(index == 0),
    }


def link_features(readings: Sequence[SentenceCues], index: int, group: Sequence[int], candidate: Candidate,
                  chain: Mapping[str, float], count: int) -> dict[str, float]:
    """Named features of one (chain, candidate) link; ``chain`` is :func:`chain_features` of the chain and
    ``count`` the number of candidates."""
    back = index + 1 if candidate.distance < 0 else index - candidate.distance
    where = readings[back]
    mention = candidate.mention
    subject = bool(where.persons) and where.persons[0] == mention
    quoted = says(where, mention)
    between = readings[min(back, index) + 1:index] if candidate.distance > 0 else ()
    pronoun_between = any(cues.words[:1] and compact(cues.words[0].text) in _PRONOUNS for cues in between)
    titled = any(cues for cues in (where.cues(mention, g) for g in where.groups))
    distance = "next" if candidate.distance < 0 else str(candidate.distance)
    features = {
        "bias": 1.0,
        f"distance={distance}": 1.0,
        f"rank={min(candidate.rank, 3)}": 1.0,
        f"mentions={min(candidate.mentions, 3)}": 1.0,
        f"candidates={min(count, 4)}": 1.0,
        "subject": float(subject),
        "quoted": float(quoted),
        "titled_there": float(titled),
        "pronoun_between": float(pronoun_between),
    }
    for name, value in chain.items():
        if value:
            features[f"chain:{name}"] = value
            if candidate.rank == 0:
                features[f"latest&{name}"] = value
            if subject:
                features[f"subject&{name}"] = value
            features[f"distance={distance}&{name}"] = value
    return features
