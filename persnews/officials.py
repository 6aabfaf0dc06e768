"""Document-level facts: each person, under their fullest name, with every position the article states.

Sentence relations only see one sentence; a news article spreads a person's
facts over several. This stage joins them:

1. **People.** A person mention joins a fuller name of the document when all
   its words are words (or joined runs of words) of that name, compared
   without ZWNJ, spaces or Arabic letter variants: «نوری» and «حسین نوري»
   join «حسین نوری». A mention that fits several people joins the one
   mentioned last before it. The longest mention's original surface names
   the person.
2. **Institutions.** An ORG that abbreviates exactly one fuller ORG of the
   article is replaced by it («شورا», «شورای شهر» → «شورای اسلامی شهر
   شیراز»; «شهرداری» → «شهرداری شیراز» when several fuller ORGs remain, the
   one of the same head word wins), and «معاون ... این سازمان» takes the
   latest ORG of that head word before it.
3. **Title-only subjects.** A sentence whose subject is a role chain with a
   verb of speech and no person named before that verb («معاون شهردار مشهد با
   بیان اینکه ... گفت»; names inside the quote do not count) belongs to the
   one person already stated to hold that title, else
   continues the last speaker: the first person of the previous
   relation-bearing sentence when that sentence quoted them (or of a later
   sentence that quotes a person with no title), if the title fits one of
   their positions (same institution, or one role abbreviating the other)
   or they have none yet, or whatever their titles after «این» («این
   کارشناس ... افزود»). A following «هم», «نیز» or «اما», or «یک» before
   the title, marks a new speaker instead. A title that continues nobody («رئیس سازمان X از ...
   خبر داد») passes to the person who speaks at the start of the next
   sentence («Y گفت: ...»; after «نیز», only one who goes on: «Y افزود», «Y
   ... عنوان کرد و افزود»).
   A former office as a title-only subject («شهردار سابق تهران گفت») is left
   to nobody: it rarely continues the previous speaker.
4. **Positions** are deduplicated: the same role with the same institution
   (as compared), or with none on one side, and the same ``former`` flag, is
   one position; a current and a former holding of one office stay two
   positions, and titles worded differently stay as written. Each keeps the
   indices of its evidence relations. Persons with no position are left out.

>>> from persnews.normalization import normalize
>>> from persnews.segmentation import sentences
>>> from persnews.document import Entity, Relation
>>> text = "حسین نوری، معاون فنی شهرداری شیراز گفت: کار تمام شد. نوری افزود: هزینه کم بود."
>>> spans = [("حسین نوری", "PER", 0), ("معاون فنی", "ROLE", 0), ("شهرداری شیراز", "ORG", 0), ("نوری", "PER", 20)]
>>> entities = [Entity(text.index(s, f), text.index(s, f) + len(s), label, s) for s, label, f in spans]
>>> build_officials(text, sentences(normalize(text)), entities, [Relation(0, 1, 2)])
[Official(name='حسین نوری', positions=(Position(role='معاون فنی', institution='شهرداری شیراز', evidence=(0,), former=False),))]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from .document import Document, Entity, Official, Position, Relation
from .evaluation.relations import fact_matches
from .normalization import normalize
from .cue_words import compact, compact_words
from .relations import SentenceCues
from .segmentation import Sentence, sentences as sentences_of
from .title_links import NEW_SPEAKER, OPENERS, after_according_to, candidates, chain_features, link_features, says

if TYPE_CHECKING:
    from .relation_scorer import LogisticModel as Scorer

_CONTINUING = frozenset(compact(w) for w in ("افزود", "ادامه", "اضافه"))
"""«X افزود»: verbs that go on with a speaker already introduced (one a title introduced with «نیز»)."""


def _bare(word: str) -> str:
    """A word without its written ezafe «ی» after a vowel: «شورای» → «شورا»."""
    return word[:-1] if len(word) > 2 and word.endswith("ی") and word[-2] in "اوآ" else word


def _runs(words: tuple[str, ...]) -> set[str]:
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def _part_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether a name's words are words, or joined runs of words, of a fuller name («علیرضا» in «علی رضا کاظمی»)."""
    runs = _runs(full)
    return bool(short) and ("".join(short) in runs or all(w in runs for w in short))


def _subsequence(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    remaining = iter(_bare(w) for w in full)
    return all(_bare(w) in remaining for w in short)


@dataclass(eq=False)  # a person is one cluster: compared and hashed by identity
class _Person:
    name: str
    words: tuple[str, ...]
    mentions: list[int]
    positions: list[Position] = field(default_factory=list)


def _people(entities: Sequence[Entity]) -> dict[int, _Person]:
    """Cluster the PER mentions; returns the person of every PER entity index."""
    mentions = [i for i, e in enumerate(entities) if e.label == "PER"]
    people: list[_Person] = []
    person_of: dict[int, _Person] = {}
    for index in sorted(mentions, key=lambda i: (-len("".join(compact_words(entities[i].text))), entities[i].start)):
        words = compact_words(entities[index].text)
        fits = [p for p in people if "".join(words) == "".join(p.words) or _part_of(words, p.words)]
        if not fits:
            person = _Person(entities[index].text, words, [])
            people.append(person)
        else:
            start = entities[index].start

            def last_before(p: _Person) -> int:
                return max((entities[m].start for m in p.mentions if entities[m].start < start), default=-1)

            person = max(fits, key=last_before)
        person.mentions.append(index)
        person_of[index] = person
    return person_of


class _Institutions:
    """Resolves an institution entity to the fullest ORG of the document it stands for."""

    def __init__(self, entities: Sequence[Entity]):
        self.entities = entities
        self.orgs: dict[tuple[str, ...], Entity] = {}
        for entity in entities:
            if entity.label == "ORG":
                self.orgs.setdefault(compact_words(entity.text), entity)

    def fullest(self, surface: str, before: int) -> str:
        """The one fuller ORG named before offset ``before`` that ``surface`` abbreviates: same head word
        (or the head after a generic first word, «فولاد مبارکه» for «شرکت فولاد مبارکه»), its words in order.
        Abbreviations refer back, so a fuller name written only later is a different body
        («فدراسیون والیبال» is not «فدراسیون جهانی والیبال»)."""
        words = compact_words(surface)
        if not words:
            return surface
        longer = [w for w, e in self.orgs.items() if e.start < before and len(w) > len(words)
                  and _bare(words[0]) in {_bare(x) for x in w[:2]} and _subsequence(words, w)]
        maximal = [w for w in longer if not any(o != w and _subsequence(w, o) for o in longer)]
        if len(maximal) > 1:
            maximal = [w for w in maximal if _bare(w[0]) == _bare(words[0])]
        return self.orgs[maximal[0]].text if len(maximal) == 1 else surface

    def resolve(self, index: int) -> str:
        entity = self.entities[index]
        return self.fullest(entity.text, entity.start) if entity.label == "ORG" else entity.text

    def demonstrative(self, noun: str, before: int) -> str | None:
        """«این سازمان»: the latest ORG before offset ``before`` whose head word is ``noun`` (any, for ``""``)."""
        for entity in reversed(self.entities):
            words = compact_words(entity.text) if entity.label == "ORG" and entity.end <= before else ()
            if words and (not noun or _bare(words[0]) == _bare(noun)):
                return self.fullest(entity.text, entity.start)
        return None


def _add(person: _Person, role: str, institution: str | None, evidence: tuple[int, ...], former: bool) -> None:
    """Add a position, merging it into one with the same role (as compared), the same or a missing
    institution and the same ``former`` flag. Differently worded titles stay apart («استان کرمانشاه» and
    «کرمانشاه»): the annotators list what the article writes."""
    key, where = compact(role), compact(institution or "")
    for k, old in enumerate(person.positions):
        old_where = compact(old.institution or "")
        if old.former == former and compact(old.role) == key and (not where or not old_where or where == old_where):
            keep = old.institution if old_where else institution
            person.positions[k] = Position(old.role, keep, tuple(sorted(set(old.evidence) | set(evidence))), former)
            return
    person.positions.append(Position(role, institution, evidence, former))


def _abbreviates(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether one phrase abbreviates the other: same head word, and its words in order in the other."""
    if not a or not b or _bare(a[0]) != _bare(b[0]):
        return False
    return _subsequence(a, b) or _subsequence(b, a)


Title = tuple[str, str | None]
"""A role and its institution as written (the institution resolved), before it is anyone's position."""


def _same_title(role: str, institution: str | None, position: Position) -> bool:
    """Whether a title names this position: the role abbreviates it («وزیر بهداشت» for «وزیر بهداشت،
    درمان و آموزش پزشکی») and the institutions, where both are given, have the words of one in the
    other («کرمانشاه», «استان کرمانشاه»)."""
    if not _abbreviates(compact_words(role), compact_words(position.role)):
        return False
    if institution is None or position.institution is None:
        return True
    here, there = compact_words(institution), compact_words(position.institution)
    return _subsequence(here, there) or _subsequence(there, here)


def _fits(person: _Person, titles: Sequence[Title]) -> bool:
    """Whether the speaker could bear these titles: one names a current position of theirs, or has its
    institution."""
    return any(_same_title(role, where, p) or (where is not None and p.institution is not None
                                               and compact(where) == compact(p.institution))
               for role, where in titles for p in person.positions if not p.former)


def _known_holder(people: Sequence[_Person], titles: Sequence[Title]) -> _Person | None:
    """The one person already stated to hold one of these titles now, if exactly one."""
    holders = [p for p in people if any(_same_title(r, w, q) for r, w in titles for q in p.positions if not q.former)]
    return holders[0] if len(holders) == 1 else None


@dataclass(frozen=True)
class _Subject:
    """A role chain that is the subject of a sentence's verb of speech, with no person before that verb.

    ``also``: «هم/نیز/اما» after it marks someone other than the last speaker, whom only a speaker who goes on
    («Y افزود») can be; ``indefinite``: «یک» before it («یک کارشناس ... گفت») marks someone not yet named;
    ``anaphoric``: «این» before it («این کارشناس ... افزود») refers back to the one being quoted, whatever
    titles they were given so far."""

    group: tuple[int, ...]
    also: bool
    indefinite: bool
    anaphoric: bool

    @property
    def new_speaker(self) -> bool:
        return self.also or self.indefinite


_THIS = compact("این")
_ONE = compact("یک")


def _title_subject(cues: SentenceCues) -> _Subject | None:
    """The role chain a sentence is about when it opens the sentence (or a clause after :data:`OPENERS`) as the
    subject of its first verb of speech, and no person is named before that verb (names inside the quote
    that follows are no subject)."""
    if not cues.speech_verbs or not cues.groups:
        return None
    verb = cues.speech_verbs[0]
    group = cues.groups[0]
    if any(cues.former(role) for role in group):  # «شهردار سابق تهران گفت»: not the previous speaker now
        return None
    start = cues.entities[group[0]].start
    if start > verb or any(cues.entities[p].start < verb for p in cues.persons):
        return None
    before = cues.words_before(start, 1)
    if before and before[0] not in OPENERS | {_THIS, _ONE}:
        return None
    also = bool(set(cues.words_after(cues.group_end(group), 2)) & NEW_SPEAKER)
    return _Subject(group, also, before == (_ONE,), before == (_THIS,))


def _speaker(cues: SentenceCues, people: dict[int, _Person]) -> _Person | None:
    """The person a sentence quotes: its first person mention, if the sentence quotes it."""
    return people[cues.persons[0]] if cues.persons and says(cues, cues.persons[0]) else None


def _opening_speaker(cues: SentenceCues, people: dict[int, _Person], continuing: bool) -> _Person | None:
    """The person who speaks at the start of a sentence («فریبا هدایتی گفت: ...»): no role before or in
    apposition to them, not introduced as someone new («X نیز گفت», «X، یکی از اهالی، گفت»)."""
    if not cues.persons:
        return None
    first = cues.persons[0]
    if any(cues.entities[i].label == "ROLE" for i in cues.members if i < first):
        return None
    after = cues.words_after(cues.entities[first].end, 2)
    if set(after) & NEW_SPEAKER or (after[:1] in {("،",), (",",)} and not after_according_to(cues, first)):
        return None
    if any({"apposition", "title_separated"} & cues.cues(first, group) for group in cues.groups):
        return None
    return people[first] if says(cues, first, _CONTINUING if continuing else None) else None


Scored = list[tuple[_Person, dict[str, float]]]
Link = Callable[[Scored, Sequence[Title]], "_Person | None"]
"""Picks the person a chain without a holder describes, from its candidates and their link features (or
nobody); the titles are the chain's roles and institutions as written."""


def build_officials(text: str, sentences: Sequence[Sentence], entities: Sequence[Entity],
                    relations: Sequence[Relation], titles: Scorer | None = None,
                    threshold: float = 0.5) -> list[Official]:
    """The officials of a document, in the order the text states their first position.

    ``relations`` index ``entities`` (sorted by start), as
    :func:`persnews.relations.extract_relations` returns them; each position's
    ``evidence`` lists indices into ``relations``. With a title-link model
    ``titles`` (:attr:`persnews.relation_scorer.RelationScorer.titles`), every
    role chain without a holder in its sentence goes to the candidate of
    :mod:`persnews.title_links` of highest probability, if it reaches
    ``threshold``; without one, the rules of the module docstring (3.) apply.
    """
    def link(scored: Scored, named: Sequence[Title]) -> _Person | None:
        best = max(scored, key=lambda pair: titles.probability(pair[1]))
        return best[0] if titles.probability(best[1]) >= threshold else None

    people = _Builder(text, sentences, entities, relations, link if titles is not None else None).people()
    return [Official(p.name, tuple(p.positions)) for p in people]


def title_examples(document: Document) -> list[tuple[dict[str, float], bool]]:
    """The (chain, candidate) link examples of an annotated document, labelled by its officials: a candidate
    is a positive when one of the chain's titles is a fact of theirs (matched as facts are scored). The
    positive latest mentioned takes the chain, as the gold would have it, before the next chain is read."""
    gold = [(o.name, p.role, p.institution, p.former) for o in document.officials for p in o.positions]
    examples: list[tuple[dict[str, float], bool]] = []

    def link(scored: Scored, named: Sequence[Title]) -> _Person | None:
        chosen = None
        for person, features in scored:
            label = any(fact_matches(fact, (person.name, role, where, fact[3])) for role, where in named for fact in gold)
            examples.append((features, label))
            chosen = chosen or (person if label else None)
        return chosen

    _Builder(document.text, sentences_of(normalize(document.text)), document.entities, document.relations,
             link).people()
    return examples


class _Builder:
    """One pass over a document's sentences, giving each person the positions stated or described."""

    def __init__(self, text: str, sentences: Sequence[Sentence], entities: Sequence[Entity],
                 relations: Sequence[Relation], link: Link | None):
        for relation in relations:
            if entities[relation.person].label != "PER" or entities[relation.role].label != "ROLE":
                raise ValueError(f"relation {relation} does not join a PER to a ROLE")
        self.entities, self.relations, self.link = entities, relations, link
        self.persons = _people(entities)
        self.institutions = _Institutions(entities)
        self.readings = SentenceCues.for_document(text, sentences, entities)
        self.sentence_of = {index: cues for cues in self.readings for index in cues.members}
        self.order: list[_Person] = []

    def institution_of(self, role: int, given: int | None) -> str | None:
        if given is not None:
            return self.institutions.resolve(given)
        cues = self.sentence_of[role]
        chain = cues.group_of(role)
        for later in chain[chain.index(role):]:
            noun = cues.units[later].demonstrative
            if noun is not None:
                return self.institutions.demonstrative(noun, cues.entities[later].start)
        return None

    def give(self, person: _Person, role: int, institution: str | None, evidence: tuple[int, ...],
             former: bool = False) -> None:
        if person not in self.order:
            self.order.append(person)
        _add(person, self.entities[role].text, institution, evidence, former)

    def titles(self, cues: SentenceCues, group: tuple[int, ...]) -> list[tuple[int, str | None]]:
        return [(role, self.institution_of(role, cues.institutions[role])) for role in group]

    def people(self) -> list[_Person]:
        """The persons with a position, in the order the text states their first one."""
        people, entities = self.persons, self.entities
        speaker: _Person | None = None
        waiting: tuple[list[tuple[int, str | None]], bool] | None = None  # a title nobody bore yet
        for index, cues in enumerate(self.readings):
            if waiting is not None:
                opener = _opening_speaker(cues, people, continuing=waiting[1])
                if opener is not None:
                    for role, where in waiting[0]:
                        self.give(opener, role, where, ())
                    speaker = opener
            waiting = None
            stated = sorted(((k, r) for k, r in enumerate(self.relations) if self.sentence_of.get(r.role) is cues),
                            key=lambda pair: (entities[pair[1].role].start, pair[0]))
            for k, relation in stated:
                self.give(people[relation.person], relation.role,
                          self.institution_of(relation.role, relation.institution), (k,), relation.former)
            ruled = {r.role for _, r in stated}
            subject = _title_subject(cues)
            if subject is None or ruled & set(subject.group):
                if cues.persons:
                    speaker = _speaker(cues, people) if stated else _speaker(cues, people) or speaker
            else:
                ruled |= set(subject.group)
                found = self.titles(cues, subject.group)
                named = [(entities[role].text, where) for role, where in found]
                holder = _known_holder(self.order, named)
                if holder is None and not subject.new_speaker and speaker is not None and (
                        subject.anaphoric or not speaker.positions or _fits(speaker, named)):
                    holder = speaker
                if holder is None:
                    waiting = (found, subject.also)
                else:
                    for role, where in found:
                        self.give(holder, role, where, ())
                    speaker = holder
            if self.link is not None:
                self._linked(index, ruled, speaker)
        return [p for p in self.order if p.positions]

    def _linked(self, index: int, ruled: set[int], speaker: _Person | None) -> None:
        """Give each chain of sentence ``index`` that neither a relation nor the title-subject rule gave anyone
        to the person :attr:`link` picks."""
        cues = self.readings[index]
        for group in cues.groups:
            options = candidates(self.readings, index, group, self.persons) if not ruled & set(group) else []
            if not options:
                continue
            found = self.titles(cues, group)
            named = [(self.entities[role].text, where) for role, where in found]
            chain = chain_features(cues, index, group)
            other = _known_holder(self.order, named)
            scored = [(c.key, link_features(self.readings, index, group, c, chain, len(options))
                       | _state_features(c.key, named, speaker, other)) for c in options]
            holder = self.link(scored, named)
            if holder is not None:
                for role, where in found:
                    self.give(holder, role, where, (), cues.former(role))


def _state_features(person: _Person, named: Sequence[Title], speaker: _Person | None,
                    holder: _Person | None) -> dict[str, float]:
    """What the document has said of the candidate so far: positions, whether the titles fit them, whether
    someone else already holds them, whether the candidate was the last speaker."""
    return {"has_positions": float(bool(person.positions)), "fits": float(_fits(person, named)),
            "holds_title": float(holder is person), "other_holds_title": float(holder is not None and holder is not person),
            "speaker": float(person is speaker)}
