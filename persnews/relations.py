"""Sentence-level relations: which person holds which role, at which institution.

Persian news states offices in a handful of fixed shapes, read here as cues
over the entity sequence of one sentence (honorifics such as «آقای» or
«دکتر», and quote marks, between two entities are ignored):

* the institution of a role is the ORG/LOC written right after it
  («معاون فنی» + «شهرداری شیراز»), past one modifier («رئیس جمهور کنونی
  آمریکا»), or the ORG after «در» («استاد ... در دانشگاه شیکاگو»); roles
  coordinated with «و» share the institution at the end of the chain
  («معاون ... و رئیس ... شهرداری تهران») unless a role is complete without it
  («معاون وزیر», «استاد دانشگاه», a state office such as «نخست‌وزیر» before
  an ORG);
* the holder of a role (or a chain of coordinated roles) is the person in
  apposition before it («PER، ROLE ORG», «PER (ROLE ORG)»), right after it
  («ROLE ORG PER گفت»), right before it without punctuation («PER ROLE ORG»,
  preferred to a name after a comma), after it across a comma, colon or
  bracket («ROLE ORG، PER», captions «گزارشگر: PER»), or the subject of the
  same clause in «PER ... به عنوان (نخستین) ROLE ...» and «PER ... ROLE ORG
  خواهد بود»; a name right after a role held for someone («معاون ترامپ») is
  whose it is, not its holder;
* a representative's institution is the ORG after his constituency and «در»
  («نماینده مردم ساری و میاندورود در مجلس شورای اسلامی», «نماینده حزب کارگر
  در پارلمان»), else the constituency's first place or body («نماینده مجلس
  خبرگان»);
* a former office («شهردار سابق», «وزیر وقت», «X که پیش از این معاون ...
  بود») is still a relation, marked ``former`` (guidelines v1.1): a time
  modifier inside, or right after, the role or its institution, or an
  earlier-office phrase before the chain, says the person no longer holds it.

The institution is always decided by those cues. The holder is decided by the
cues alone, or, given a :class:`~persnews.relation_scorer.RelationScorer`, by a logistic regression over
the cues and their context (order, distance, punctuation, intervening
entities, speech verbs, agent words such as «با حکم»), trained on annotated
documents, so it learns where the cues fail. A role takes at most one holder.

>>> from persnews.normalization import normalize
>>> from persnews.segmentation import sentences
>>> text = "حسین نوری، معاون فنی شهرداری شیراز گفت"
>>> spans = [("حسین نوری", "PER"), ("معاون فنی", "ROLE"), ("شهرداری شیراز", "ORG")]
>>> entities = [Entity(text.index(s), text.index(s) + len(s), label, s) for s, label in spans]
>>> extract_relations(text, sentences(normalize(text)), entities)
[Relation(person=0, role=1, institution=2, score=1.0, former=False)]
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, Sequence

from .cue_words import (
    AGENT_WORDS, ALSO, APPOSITION, AS_ROLE, COMPLEMENT_ENDS, COPULAS, DEMONSTRATIVES, EARLIER_PHRASES, FORMER_WORDS,
    FUNCTION_WORDS, GENERIC_BODIES, HONORIFICS, ITS, NOT_MODIFIERS, OBJECT, OFFICE_HEADS, PAST_COPULAS, PEOPLE,
    PLURAL_COPULAS, PREPOSITIONS, QUOTES, RELATIONAL_HEADS, REPRESENTATIVE, ROLE_ADJECTIVES, SPEECH_HEADS,
    SPEECH_VERBS, STATE_OFFICES, TITLE_SEPARATORS, compact, compact_words)
from .document import INSTITUTION_LABELS, Entity, Relation
from .segmentation import Sentence

if TYPE_CHECKING:
    from .relation_scorer import RelationScorer


CUES = ("apposition", "title", "as_role", "adjacent", "title_separated", "predicate")
"""Holder cues, in the order rules prefer them when several persons qualify: a name right before a role
(«X عضو هیئت‌رئیسه، Y ...») before a name after it across a comma, except in captions («گزارشگر: Y»,
"title_separated" across a colon), which go before "adjacent"."""


class _Word(NamedTuple):  # a tuple: sentences' words are built by the hundred thousand
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class RoleUnit:
    """A role with what is written right after it.

    ``institution`` is the ORG/LOC right after the role, or for a
    representative («نماینده مردم X و Y در مجلس») the ORG after «در», else
    the first place of the constituency; ``demonstrative`` the noun of «این
    سازمان» right after a role with no institution, or ``""`` for «آن» alone
    ("its"), resolved against the document by the officials stage;
    ``complement`` whether one or two plain words complete the role instead
    («سرپرست تیم»); ``end`` the original offset where all of that ends.
    """

    role: int
    institution: int | None
    demonstrative: str | None
    complement: bool
    last: int
    end: int


class SentenceCues:
    """The structural reading of one sentence: its entities, role chains, institutions and speech verbs.

    ``members`` are indices into the document's entity list, in text order;
    ``groups`` are chains of roles joined by «و» (each a tuple of role indices).
    """

    def __init__(self, sentence: Sentence, entities: Sequence[Entity], members: Sequence[int]):
        self.sentence = sentence
        self.entities = entities
        self.members = tuple(members)
        self._cues: dict[tuple[int, tuple[int, ...]], frozenset[str]] = {}

    @cached_property
    def words(self) -> tuple[_Word, ...]:
        """The sentence's words in comparison form (built only for sentences whose cues are read)."""
        return tuple(_Word(compact(t.text), t.start, t.end) for t in self.sentence.tokens)

    @classmethod
    def for_document(cls, text: str, sentences: Sequence[Sentence], entities: Sequence[Entity]) -> list[SentenceCues]:
        """One reading per sentence of ``text``; an entity belongs to the sentence its start falls in."""
        if any(a.start > b.start for a, b in zip(entities, entities[1:])):
            raise ValueError("entities must be sorted by start; relation indices refer to that order")
        for entity in entities:
            if text[entity.start:entity.end] != entity.text:
                raise ValueError(f"entity {entity.text!r} at {entity.start}:{entity.end} does not match the text")
        members: list[list[int]] = [[] for _ in sentences]
        s = 0
        for index, entity in enumerate(entities):
            while s < len(sentences) and sentences[s].end <= entity.start:
                s += 1
            if s < len(sentences) and sentences[s].start <= entity.start:
                members[s].append(index)
        return [cls(sentence, entities, m) for sentence, m in zip(sentences, members)]

    def _label(self, index: int) -> str:
        return self.entities[index].label

    @cached_property
    def _bounds(self) -> tuple[list[int], list[int]]:
        """Word starts and ends, both ascending (words are in text order and do not overlap), for bisection:
        the word lookups below run for every candidate pair, so they must not scan the sentence."""
        return [w.start for w in self.words], [w.end for w in self.words]

    def words_between(self, start: int, end: int) -> tuple[str, ...]:
        """The words (comparison form) between two original offsets, honorifics and quote marks left out."""
        starts, ends = self._bounds
        return tuple(w.text for w in self.words[bisect_left(starts, start):bisect_right(ends, end)]
                     if w.text not in HONORIFICS and w.text not in QUOTES)

    def words_before(self, offset: int, n: int) -> tuple[str, ...]:
        """The last ``n`` words of the sentence that end before ``offset``."""
        last = bisect_right(self._bounds[1], offset)
        return tuple(w.text for w in self.words[max(0, last - n):last]) if n else ()

    def words_after(self, offset: int, n: int) -> tuple[str, ...]:
        """The first ``n`` words of the sentence that start at or after ``offset``."""
        first = bisect_left(self._bounds[0], offset)
        return tuple(w.text for w in self.words[first:first + n])

    def _gap(self, left: int, right: int) -> tuple[str, ...]:
        return self.words_between(self.entities[left].end, self.entities[right].start)

    @cached_property
    def speech_verbs(self) -> tuple[int, ...]:
        """Original offsets where a verb of speech starts."""
        texts = [w.text for w in self.words]
        return tuple(word.start for i, word in enumerate(self.words) if word.text in SPEECH_HEADS
                     and any(tuple(texts[i:i + len(v)]) == v for v in SPEECH_VERBS))

    def _unit(self, position: int) -> RoleUnit:
        role = self.members[position]
        following = list(self.members[position + 1:])
        institution = constituency = demonstrative = None
        last = role
        if compact(self.entities[role].text).startswith(REPRESENTATIVE):
            allowed = {(), (PEOPLE,)}
            while following and self._label(following[0]) == "LOC" and self._gap(last, following[0]) in allowed:
                constituency = following[0] if constituency is None else constituency
                last = following.pop(0)
                allowed = {(), ("و",), ("،",), (",",)}
            if constituency is None and following and self._label(following[0]) == "ORG" and not self._gap(
                    role, following[0]):
                constituency = last = following.pop(0)  # «نماینده حزب کارگر در پارلمان», «نماینده مجلس خبرگان»
            body = self._body_after(last, following)
            if body is not None:
                institution = last = body
            else:
                institution = constituency
        elif (following and self._label(following[0]) in INSTITUTION_LABELS
              and self._modifiers(self._gap(role, following[0]))):
            institution = last = following[0]
        elif following and self._label(following[0]) == "ORG" and self._gap(role, following[0]) == ("در",):
            institution = last = following[0]  # «استاد زیست‌شناسی در دانشگاه شیکاگو»: the body one works in
        end = self.entities[last].end
        if institution is None:
            after = [w for w in self.words if w.start >= end][:2]
            if len(after) == 2 and after[0].text in DEMONSTRATIVES and after[1].text.isalpha():
                demonstrative, end = after[1].text, after[1].end
            elif after and after[0].text == ITS:
                demonstrative, end = "", after[0].end
        complement = None
        if institution is None and demonstrative is None:
            complement = self._complement(end, self.entities[following[0]].start if following else self.sentence.end)
            end = complement[-1].end if complement else end
        return RoleUnit(role, institution, demonstrative, bool(complement), last, end)

    @staticmethod
    def _modifiers(gap: tuple[str, ...]) -> bool:
        """Whether the words between a role and the ORG/LOC after it still let that be its institution."""
        plain = [w for w in gap if w not in ROLE_ADJECTIVES | FORMER_WORDS]  # «مدیرعامل سابق باشگاه سایپا»
        return not plain or (len(plain) == 1 and plain[0].isalpha() and plain[0] not in FUNCTION_WORDS
                             and plain[0] not in NOT_MODIFIERS)  # «سرمربی هلندی سابق بارسلونا»

    def _body_after(self, last: int, following: Sequence[int]) -> int | None:
        """The ORG a representative sits in: after «در», past at most two plain words of a constituency
        that is no entity («نماینده کلیمیان در مجلس»)."""
        if not following or self._label(following[0]) != "ORG":
            return None
        gap = self._gap(last, following[0])
        plain = gap[:-1]
        if (gap and gap[-1] == "در" and len(plain) <= 2
                and all(w.isalpha() and w not in FUNCTION_WORDS for w in plain)):
            return following[0]
        return None

    def _complement(self, start: int, limit: int) -> list[_Word]:
        """«کاپیتان تیم، X», «دبیر جشنواره و رئیس ...»: one or two plain words that complete a role
        without an institution, before a comma or «و»."""
        words = [w for w in self.words if w.start >= start and w.end <= limit]
        for n in (1, 2):
            if (len(words) > n and words[n].text in COMPLEMENT_ENDS
                    and all(w.text.isalpha() and w.text not in FUNCTION_WORDS for w in words[:n])):
                return words[:n]
        return []

    @cached_property
    def units(self) -> dict[int, RoleUnit]:
        """Every role of the sentence with what is written right after it."""
        return {index: self._unit(p) for p, index in enumerate(self.members) if self._label(index) == "ROLE"}

    @cached_property
    def groups(self) -> tuple[tuple[int, ...], ...]:
        """Chains of ROLE indices joined by «و» (:meth:`_joins`), in text order."""
        chains: list[list[int]] = []
        for role, unit in self.units.items():
            previous = self.units[chains[-1][-1]] if chains else None
            joined = (previous is not None
                      and not [i for i in self.members if previous.last < i < role]
                      and self._joins(self.words_between(previous.end, self.entities[role].start)))
            if joined:
                chains[-1].append(role)
            else:
                chains.append([role])
        return tuple(tuple(c) for c in chains)

    @staticmethod
    def _joins(gap: tuple[str, ...]) -> bool:
        """«و» between two roles, after a time modifier of the first («وزیر سابق و مشاور بانک ملی»)."""
        return gap == ("و",) or (len(gap) == 2 and gap[0] in FORMER_WORDS and gap[1] == "و")

    def _held_for(self, group: Sequence[int]) -> bool:
        """Whether the chain ends in a role held for someone («معاون», «مشاور») with nothing after it
        that says whose: then a name right after it is that someone."""
        unit = self.units[group[-1]]
        words = compact_words(self.entities[group[-1]].text)
        return (unit.institution is None and unit.demonstrative is None and not unit.complement
                and bool({words[0], "".join(words[:2])} & RELATIONAL_HEADS if words else False))

    def _names_office(self, role: int) -> bool:
        words = compact_words(self.entities[role].text)
        return any(w in OFFICE_HEADS for w in words[1:]) or any(
            a + b in OFFICE_HEADS for a, b in zip(words[1:], words[2:]))

    def _complete(self, role: int, shared: int | None) -> bool:
        """Whether a role takes no institution ``shared`` from the roles coordinated after it: it names
        another office («معاون وزیر»), ends in the kind of its body («استاد دانشگاه»), or is an office
        of a state and the shared institution is an ORG («نخست‌وزیر و فرمانده کل نیروهای مسلح عراق»)."""
        words = compact_words(self.entities[role].text)
        if not words:
            return False
        if self._names_office(role) or (len(words) > 1 and words[-1] in GENERIC_BODIES):
            return True
        state = words[0] in STATE_OFFICES or "".join(words[:2]) in STATE_OFFICES
        return state and shared is not None and self._label(shared) == "ORG"

    def _parallel(self, group: Sequence[int]) -> int | None:
        """«X نایب‌رئیس و Y سخنگوی شورای شهر شدند»: the role of the next coordinated «PER ROLE» pair."""
        end = self.group_end(group)
        after = [i for i in self.members if self.entities[i].start >= end][:2]
        if (len(after) == 2 and self._label(after[0]) == "PER" and self._label(after[1]) == "ROLE"
                and self.words_between(end, self.entities[after[0]].start) in {("و",), ("،",), (",",)}
                and not self._gap(after[0], after[1])):
            return after[1]
        return None

    def _predicated_list(self, group: Sequence[int]) -> bool:
        """Whether the enumeration of «PER ROLE» pairs that ``group`` starts ends in a plural copula,
        alone or after a verb of appointment («X نایب‌رئیس، Y سخنگو و Z منشی شورا شدند», «... انتخاب
        شدند»), which agrees with the listed persons: then its roles are of one body. A singular verb
        agrees with something else («با حضور X فرماندار و Y مدیرعامل شرکت Z برگزار شد»)."""
        seen = {tuple(group)}
        while (parallel := self._parallel(group)) is not None and self.group_of(parallel) not in seen:
            group = self.group_of(parallel)
            seen.add(group)
        after = [w for w in self.words_after(self.group_end(group), 4) if w not in ALSO][:2]
        return bool(set(after) & PLURAL_COPULAS)

    @cached_property
    def institutions(self) -> dict[int, int | None]:
        """The institution of every role: its own; else the next one of its chain («معاون ... و رئیس ...
        شهرداری تهران») or of a parallel «PER ROLE» pair after it, when that enumeration is predicated
        («X نایب‌رئیس و Y سخنگوی شورای شهر شدند»; in a list of guests «با حضور X فرماندار، Y مدیرعامل
        شرکت Z» each title stands alone)."""
        result: dict[int, int | None] = {}
        for chain in reversed(self.groups):
            parallel = self._parallel(chain)
            shared = parallel is not None and self._predicated_list(chain)
            inherited = result.get(parallel) if shared else None
            for role in reversed(chain):
                unit = self.units[role]
                if unit.institution is not None:
                    inherited = unit.institution
                elif unit.complement or self._complete(role, inherited):
                    inherited = None
                result[role] = inherited
        return result

    def group_of(self, role: int) -> tuple[int, ...]:
        return next(g for g in self.groups if role in g)

    def group_end(self, group: Sequence[int]) -> int:
        """The original offset where the chain ends (its last role's institution or «این X» included)."""
        return self.units[group[-1]].end

    @cached_property
    def persons(self) -> tuple[int, ...]:
        return tuple(i for i in self.members if self._label(i) == "PER")

    def agent_before(self, group: Sequence[int]) -> bool:
        """Whether the chain follows an agent or source word («با حکم», «به گزارش»): it names no holder here."""
        return any(w in AGENT_WORDS for w in self.words_before(self.entities[group[0]].start, 1))

    def _after_as_role(self, offset: int) -> bool:
        """Whether «به عنوان» (or «به سمت» ...) comes right before ``offset``, past an ordinal
        («به عنوان چهل و پنجمین رئیس جمهور», «به عنوان نخستین ...»)."""
        before = list(self.words_before(offset, 8))
        while before and _ordinal(before[-1]):
            before.pop()
            if len(before) >= 2 and before[-1] == "و" and _ordinal(before[-2], cardinal=True):
                del before[-2:]
        return any(tuple(before[len(before) - len(p):]) == p for p in AS_ROLE if len(before) >= len(p))

    def earlier(self, group: Sequence[int]) -> bool:
        """Whether an earlier office is announced in the four words before the chain («که پیش از این
        معاون ... بود», «که سابقا ...»)."""
        before = self.words_before(self.entities[group[0]].start, 4)
        return any(before[k:k + len(phrase)] == phrase for phrase in EARLIER_PHRASES for k in range(len(before)))

    def former(self, role: int) -> bool:
        """Whether the text says the holder of this role no longer holds it: a time modifier inside the role
        after its head («مدیرکل وقت زندان‌ها», where the span was drawn around it), right after the role
        («شهردار پیشین», «مدیرعامل سابق باشگاه»), between it and its institution («سرمربی هلندی سابق
        بارسلونا») or after its institution («وزیر کشور وقت»), or an earlier office announced before its chain
        («که پیش از این معاون ... بود»)."""
        inside = set(compact_words(self.entities[role].text)[1:])
        place = self.units[role].institution
        if place is not None:
            inside |= set(self.words_between(self.entities[role].end, self.entities[place].start))
        ends = {self.entities[role].end, self.units[role].end}
        return (bool(inside & FORMER_WORDS) or any(set(self.words_after(end, 1)) & FORMER_WORDS for end in ends)
                or self.earlier(self.group_of(role)))

    def _predicated(self, group: Sequence[int], copulas: frozenset[str] = COPULAS) -> bool:
        after = [w for w in self.words_after(self.group_end(group), 3) if w not in ALSO]
        return bool(after) and after[0] in copulas

    @staticmethod
    def _described(gap: tuple[str, ...]) -> bool:
        """«X، شاعر و مدرس دانشگاه», «X، متخصص زنان و زایمان و عضو هیئت علمی», «X روانشناس و عضو ...»: an
        apposition that starts with a plain description of the person (up to four words after a comma,
        one or two without)."""
        if len(gap) < 2 or gap[-1] != "و":
            return False
        comma = gap[0] in {"،", ","}
        middle = gap[1:-1] if comma else gap[:-1]
        return (0 < len(middle) <= (4 if comma else 2) and middle[0] != "و"
                and all(w.isalpha() and w not in FUNCTION_WORDS and w not in NOT_MODIFIERS for w in middle))

    def cues(self, person: int, group: Sequence[int]) -> frozenset[str]:
        """Which holder cues link ``person`` to the role chain ``group`` (remembered: the holder rules ask
        again for every other person and chain of the sentence)."""
        key = (person, tuple(group))
        if key not in self._cues:
            self._cues[key] = self._read_cues(person, group)
        return self._cues[key]

    def _read_cues(self, person: int, group: Sequence[int]) -> frozenset[str]:
        first = group[0]
        start, end = self.entities[first].start, self.group_end(group)
        person_start, person_end = self.entities[person].start, self.entities[person].end
        found = set()
        if person_end <= start:
            nothing_between = not [i for i in self.members if person < i < first]
            gap = self.words_between(person_end, start)
            if nothing_between and (gap in APPOSITION or self._described(gap)):
                found.add("apposition")
            elif nothing_between and not gap:
                found.add("adjacent")
            clause = (":" not in gap and not any(person_end <= v < start for v in self.speech_verbs)
                      and not [i for i in self.members if person < i < first and self._label(i) == "PER"])
            if clause:
                if self._after_as_role(start):
                    found.add("as_role")
                elif self._predicated(group) or (self.earlier(group) and self._predicated(group, PAST_COPULAS)):
                    found.add("predicate")
        elif person_start >= end and not self.agent_before(group):
            last = self.units[group[-1]].last
            if not [i for i in self.members if last < i < person]:
                gap = self.words_between(end, person_start)
                if not gap and not self._held_for(group):
                    found.add("title")
                elif gap in TITLE_SEPARATORS:
                    found.add("title_separated")
        return frozenset(found)

    def rule_holder(self, group: Sequence[int]) -> int | None:
        """The person the cues give the chain, by the preference order of :data:`CUES`.

        A name followed by its own role («X نایب‌رئیس، Y سخنگو و Z منشی شدند») is not the title of
        the role before it, unless that role is captioned by another name («خبرنگار: X عکاس: Y»). A name
        the title comes before that is the object of the verb («X نماینده ایران، Y را ... توصیف کرد»)
        yields to a name right before the title.
        """
        linked = {p: self.cues(p, group) for p in self.persons}
        for person in linked:
            if any("adjacent" in self.cues(person, other) and not self._captioned(other)
                   for other in self.groups if other != tuple(group)):
                linked[person] -= {"title", "title_separated"}
            if "title_separated" in linked[person] and self._caption(person, group):
                linked[person] |= {"caption"}
            if "title" in linked[person] and self.words_after(self.entities[person].end, 1) == (OBJECT,):
                linked[person] = linked[person] - {"title"} | {"object"}
        adjacent = CUES.index("adjacent")
        order = CUES[:adjacent] + ("caption", "adjacent", "object") + CUES[adjacent + 1:]
        for cue in order:
            for person, found in linked.items():
                if cue in found:
                    return person
        return None

    def _caption(self, person: int, group: Sequence[int]) -> bool:
        """«گزارشگر: X»: the name follows the chain across a colon."""
        return self.words_between(self.group_end(group), self.entities[person].start) == (":",)

    def _captioned(self, group: Sequence[int]) -> bool:
        return any("title_separated" in self.cues(p, group) and self._caption(p, group) for p in self.persons)

    def features(self, person: int, group: Sequence[int]) -> dict[str, float]:
        """Named features of a (person, role chain) candidate for :class:`~persnews.relation_scorer.RelationScorer`."""
        first = group[0]
        person_first = person < first
        if person_first:
            left_end, right_start = self.entities[person].end, self.entities[first].start
            between = [i for i in self.members if person < i < first]
        else:
            left_end, right_start = self.group_end(group), self.entities[person].start
            between = [i for i in self.members if self.units[group[-1]].last < i < person]
        gap = [w.text for w in self.words if w.start >= left_end and w.end <= right_start]
        cues = self.cues(person, group)
        rivals = [p for p in self.persons if p != person and self.cues(p, group)]
        other_groups = [g for g in self.groups if g != tuple(group) and self.cues(person, g)]
        pair_end = max(self.group_end(group), self.entities[person].end)
        later_persons = [self.entities[p].start for p in self.persons if self.entities[p].start >= pair_end]
        next_person = min(later_persons, default=math.inf)
        side = [p for p in self.persons if (p < first) == person_first]
        nearest = max(side) if person_first else min(side)
        features = {
            "bias": 1.0,
            "person_first": float(person_first),
            f"distance={_bucket(len(gap))}": 1.0,
            "gap_comma": float("،" in gap or "," in gap),
            "gap_colon": float(":" in gap),
            "gap_bracket": float("(" in gap or ")" in gap),
            "gap_dash": float(any(w in gap for w in ("-", "–", "—"))),
            "gap_quote": float("«" in gap or "»" in gap or '"' in gap),
            "gap_va": float("و" in gap),
            "gap_speech": float(any(left_end <= v < right_start for v in self.speech_verbs)),
            f"between_PER={min(2, sum(self._label(i) == 'PER' for i in between))}": 1.0,
            f"between_ROLE={min(2, sum(self._label(i) == 'ROLE' for i in between))}": 1.0,
            f"between_INST={min(2, sum(self._label(i) in INSTITUTION_LABELS for i in between))}": 1.0,
            "speech_after": float(any(pair_end <= v < next_person for v in self.speech_verbs)),
            "nearest_person_on_side": float(person == nearest),
            "first_person": float(person == self.persons[0]),
            "first_group": float(tuple(group) == self.groups[0]),
            "chain": float(len(group) > 1),
            "has_institution": float(self.institutions[group[-1]] is not None),
            "agent_before": float(self.agent_before(group)),
            "preposition_before": float(self.words_before(self.entities[first].start, 1) in PREPOSITIONS),
            "past_copula_after": float(self._predicated(group, PAST_COPULAS)),
            "former": float(any(self.former(role) for role in group)),
            "rival_with_cue": float(bool(rivals)),
            "person_has_other_cue": float(bool(other_groups)),
            "no_cue": float(not cues),
            "rule_choice": float(self.rule_holder(group) == person),
            "object_after": float(self.words_after(self.entities[person].end, 1) == (OBJECT,)),
            "as_role_subject": float(person_first and person == self.persons[0] and self._after_as_role(
                self.entities[first].start)),
        }
        for cue in cues:
            features[f"cue={cue}"] = 1.0
        return features


_ORDINALS = frozenset(compact(w) for w in ("اولین", "نخستین", "آخرین"))
_NUMBERS = ("یک", "دو", "سو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده", "دوازده", "سیزده",
            "چهارده", "پانزده", "شانزده", "هفده", "هجده", "نوزده")
_TENS = frozenset(compact(w) for w in ("بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود", "صد"))


def _ordinal(word: str, cardinal: bool = False) -> bool:
    """«نخستین», «پنجمین», «۴۵مین»; with ``cardinal`` the tens of «چهل و پنجمین» instead."""
    if cardinal:
        return word in _TENS or word.isdigit()
    stem = word[:-3] if word.endswith("مین") else None
    return word in _ORDINALS or (stem is not None and (stem.isdigit() or stem in _TENS
                                                       or stem.endswith(_NUMBERS)))


def _bucket(n: int) -> str:
    for limit, name in ((0, "0"), (1, "1"), (2, "2"), (4, "3-4"), (8, "5-8")):
        if n <= limit:
            return name
    return "9+"


def extract_relations(text: str, sentences: Sequence[Sentence], entities: Sequence[Entity],
                      scorer: RelationScorer | None = None, threshold: float = 0.5) -> list[Relation]:
    """The relations each sentence states, as indices into ``entities`` (sorted by start).

    Every role of a chain gets the chain's holder: the rules' choice (score
    1.0) without a scorer, else the person of highest probability if it
    reaches ``threshold``. Each role keeps the institution the cues give it
    and is marked ``former`` when :meth:`SentenceCues.former` says so
    («شهردار پیشین»).
    """
    relations = []
    for cues in SentenceCues.for_document(text, sentences, entities):
        for group in cues.groups:
            if scorer is None:
                holder, score = cues.rule_holder(group), 1.0
            else:
                scored = [(scorer.probability(cues.features(p, group)), p) for p in cues.persons]
                score, holder = max(scored, default=(0.0, None), key=lambda pair: pair[0])
                holder = holder if score >= threshold else None
            if holder is not None:
                relations += [Relation(holder, role, cues.institutions[role], score, cues.former(role))
                              for role in group]
    return relations
