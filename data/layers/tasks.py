"""Make annotation tasks for the stand-off layer, and collect the annotators' answers into a layer file.

How the layer ``roles-v1`` was made (see data/README.md):
1. ``make`` picks corpus sentences that contain a title head (features.ROLE_HEADS),
   pre-annotates ROLE spans by rule (head + following untagged words, stopping
   at punctuation, prepositions and verbs of speech) and writes task files
   OUTSIDE the repository (they hold corpus text, which must not be committed).
   ``make-raw`` does the same for sentences of the unlabelled Fars News
   articles (``news-raw/fars-news-*.json``), at most two per article, spread
   over the five files, pre-annotating all four labels and relations with the
   shipped default model (``persnews.load()``).
2. Annotators read every sentence against the guidelines and write an answer
   file beside each task: per corpus sentence, its final ROLE spans, relations
   and any corrections of the corpus's own PER/ORG/LOC; per raw news sentence,
   its final full annotation (all four labels and relations, not a diff).
3. ``collect`` turns both kinds of answers (raw news blocks are told apart by
   their ``news-raw/`` id) into one layer JSONL (token offsets and a sentence
   hash only; no corpus text), applying the harmonisation decisions taken
   after the five passes (``_harmonise``), and checks it by joining it with
   the corpora. The layer is written sorted, so it does not depend on the
   order of the answer files. A relation to a former office (``_former``) is
   kept and marked ``"former": true`` (guidelines v1.1; until then such
   relations were dropped). The answers hold ids and numbers only, so they
   are kept in ``data/layers/answers/`` (``batch-*.ann`` for corpus
   sentences, ``raw-batch-*.ann`` for raw news): the layer can be rebuilt
   from them.

    python data/layers/tasks.py make --out /tmp/layer-tasks --batches 5 --per-batch 410
    python data/layers/tasks.py make-raw --out /tmp/raw-tasks --batches 5 --per-batch 100
    python data/layers/tasks.py collect data/layers/answers/*.ann -o data/layers/roles-v1.jsonl

Answer format for a corpus sentence, one block per sentence (token spans are [start, end), end excluded)::

    ## peyma/train/123
    ROLE 7 9
    REL 5 7 | 7 9 | 9 12        (person | role | institution, or '-' for none; a fourth field
                                 '| former' marks a former office the rule of ``_former`` misses)
    FIX 9 12 LOC                (a corpus entity at tokens 9..12 relabelled; FIX a b O removes it,
                                 FIX a b LABEL on untagged tokens adds one)

Answer format for a raw news sentence: its whole final annotation::

    ## news-raw/fars-news-1/12/3/0-141
    PER 0 2
    ROLE 3 5
    ORG 5 7
    LOC 9 10
    REL 0 2 | 3 5 | 5 7

A block with no lines means "read: no specific role here" (raw news: no entity at all).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import persnews  # noqa: E402  (its model is loaded only by make-raw)
from persnews import segmentation  # noqa: E402
from persnews.data.corpora import CorpusSentence, corpora_root, corpus_file_path, read_corpus_file  # noqa: E402
from persnews.data.labels import relation_problems  # noqa: E402
from persnews.data.standoff import (RAW_NEWS, RAW_NEWS_FILES, Layer, LayerLine, LayerSentence,  # noqa: E402
                                    NewsSentence, Span, join_layer, news_file_path, news_sentence_id,
                                    news_sentence_text, news_tokens, parse_news_id, read_news_paragraphs,
                                    sentence_hash, write_layer)
from persnews.document import LABELS, Document  # noqa: E402
from persnews.features import is_role_head  # noqa: E402
from persnews.normalization import normalize  # noqa: E402
from persnews.cue_words import EARLIER_PHRASES, FORMER_WORDS, compact  # noqa: E402

QUOTAS = {("peyma", "train"): 300, ("peyma", "dev"): 80, ("peyma", "test"): 220,
          ("arman", "fold1"): 250, ("arman", "fold2"): 250, ("arman", "fold3"): 200, ("nsurl", "train-600k"): 760}
_STOP = {"در", "با", "از", "به", "که", "گفت", "افزود", "این", "آن", "را", "نیز", "هم", "است", "بود", "کرد", "شد",
         "خبر", "اظهار", "تصریح", "داد", "می", "گزارش"}
RAW_FILES = tuple(name for name in RAW_NEWS_FILES if name.startswith("fars-news-"))
RAW_PER_ARTICLE = 2
Triple = tuple[Span | None, Span | None, Span | None, bool]
"""A relation as written in answers: person, role and institution token spans (None for '-'), and whether the
office is a former one."""
RAW_HEADER = """\
# persnews raw news annotation, task file {batch} of {batches}: sentences of Fars News articles (news-raw).
# These articles carry no labels: annotate ALL FOUR labels (PER, ROLE, ORG, LOC) and the person-role-institution
# relations, following ../shared/annotation-guidelines.md and the layer's decisions in data/README.md
# («نماینده مردم» is one ROLE; «سابق», «وقت», ... stay outside a ROLE; a former office keeps its relation,
# marked '| former' when no «سابق/وقت/پیشین/...» at the title says so).
# Each block: '## <id>'; 'tokens:' the sentence as index:token (normalised: Persian «ی/ک», ZWNJ repaired) with
# the model's guess as [B-TAG]/[I-TAG]; 'pre:' the model's entities as token spans [start, end) (end excluded);
# 'pre-rel:' its proposed relations. The model is often wrong: read every token.
# Answer in data/layers/answers/raw-batch-{batch}.ann (ids and numbers only, never text), one block per
# sentence giving the FINAL full annotation (not a diff: what you leave out is not in the layer):
#   ## news-raw/fars-news-1/12/3/0-141
#   PER 0 2
#   ROLE 3 5
#   ORG 5 7
#   LOC 9 10
#   REL 0 2 | 3 5 | 5 7     (person | role | institution, '-' for none; '| former' for a former office)
# A block with no lines means "read: no entity in this sentence".
"""


def _pre_roles(tokens: tuple[str, ...], spans: tuple[tuple[int, int, str], ...]) -> list[tuple[int, int]]:
    tagged = {k for a, b, _ in spans for k in range(a, b)}
    roles, k = [], 0
    while k < len(tokens):
        if k not in tagged and is_role_head(tokens[k]):
            end = k + 1
            while (end < len(tokens) and end - k < 5 and end not in tagged and tokens[end] not in _STOP
                   and re.match(r"^\w", tokens[end])):
                end += 1
            roles.append((k, end))
            k = end
        else:
            k += 1
    return roles


def _shown(tokens: Sequence[str], spans: Iterable[tuple[int, int, str]]) -> str:
    """The tokens as ``index:token``, with ``[B-TAG]``/``[I-TAG]`` on the tokens inside ``spans``."""
    tags = ["O"] * len(tokens)
    for a, e, label in spans:
        tags[a:e] = [f"B-{label}"] + [f"I-{label}"] * (e - a - 1)
    return " ".join(f"{k}:{t}" + ("" if tag == "O" else f"[{tag}]") for k, (t, tag) in enumerate(zip(tokens, tags)))


def make(out: Path, batches: int, per_batch: int, seed: int = 7) -> None:
    root = corpora_root()
    rng = random.Random(seed)
    chosen = []
    for (corpus, stem), quota in QUOTAS.items():
        sentences = read_corpus_file(corpus, corpus_file_path(corpus, stem, root)).sentences
        with_titles = [s for s in sentences if _pre_roles(s.tokens, s.spans) and 6 <= len(s.tokens) <= 70]
        chosen += rng.sample(with_titles, min(quota, len(with_titles)))
    rng.shuffle(chosen)
    out.mkdir(parents=True, exist_ok=True)
    for b in range(batches):
        lines = []
        for s in chosen[b * per_batch:(b + 1) * per_batch]:
            pre = "; ".join(f"ROLE {a} {e}" for a, e in _pre_roles(s.tokens, s.spans))
            lines += [f"## {s.id}", f"tokens: {_shown(s.tokens, s.spans)}", f"pre: {pre}", ""]
        (out / f"batch-{b + 1}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{min(len(chosen), batches * per_batch)} sentences in {batches} task files under {out}")


@dataclass(frozen=True)
class RawCandidate:
    """A raw news sentence that may become a task: its layer id, its text and its :func:`news_tokens`."""

    id: str
    text: str
    tokens: tuple[segmentation.Token, ...]


def _raw_candidates(file: str, root: Path) -> Iterator[RawCandidate]:
    """The sentences of a news file's article paragraphs that contain a title head and have 6–70 tokens."""
    for article, paragraphs in enumerate(read_news_paragraphs(news_file_path(file, root))):
        for number, paragraph in enumerate(paragraphs):
            for sentence in segmentation.sentences(normalize(paragraph)):
                text = paragraph[sentence.start:sentence.end]
                tokens = tuple(news_tokens(text))
                if 6 <= len(tokens) <= 70 and any(is_role_head(t.text) for t in tokens):
                    yield RawCandidate(news_sentence_id(file, article, number, sentence.start, sentence.end),
                                       text, tokens)


def _pick_raw(total: int, root: Path, rng: random.Random) -> list[RawCandidate]:
    """``total`` sentences spread evenly over the Fars News files, at most ``RAW_PER_ARTICLE`` per article
    and no text twice (agency boilerplate repeats across articles)."""
    chosen: list[RawCandidate] = []
    texts: set[str] = set()
    for k, file in enumerate(RAW_FILES):
        quota = total // len(RAW_FILES) + (k < total % len(RAW_FILES))
        candidates = list(_raw_candidates(file, root))
        rng.shuffle(candidates)
        per_article: Counter[int] = Counter()
        for candidate in candidates:
            article = parse_news_id(candidate.id)[1]
            if quota and per_article[article] < RAW_PER_ARTICLE and candidate.text not in texts:
                chosen.append(candidate)
                texts.add(candidate.text)
                per_article[article] += 1
                quota -= 1
    return chosen


def _predicted(doc: Document, tokens: Sequence[segmentation.Token]) -> tuple[list[tuple[int, int, str]], list[Triple]]:
    """The model's entities as token spans (the tokens that start inside each) and its relations over them."""
    spans: list[tuple[int, int, str] | None] = []
    for entity in doc.entities:
        inside = [k for k, token in enumerate(tokens) if entity.start <= token.start < entity.end]
        spans.append((inside[0], inside[-1] + 1, entity.label) if inside else None)
    relations = [(*(None if k is None else spans[k][:2] for k in (r.person, r.role, r.institution)), r.former)
                 for r in doc.relations
                 if all(k is None or spans[k] is not None for k in (r.person, r.role, r.institution))]
    return [span for span in spans if span is not None], relations


def _answer_span(span: Span | None) -> str:
    return "-" if span is None else f"{span[0]} {span[1]}"


def _rel_line(relation: Triple) -> str:
    """``REL p | r | i`` (``| former`` added for a former office), as answers write a relation."""
    return f"REL {' | '.join(map(_answer_span, relation[:3]))}" + (" | former" if relation[3] else "")


def make_raw(out: Path, batches: int, per_batch: int, seed: int = 7) -> None:
    """Task files of raw news sentences, pre-annotated with the shipped default model (all four labels)."""
    rng = random.Random(seed)
    chosen = _pick_raw(batches * per_batch, corpora_root(), rng)
    rng.shuffle(chosen)
    documents = persnews.load().extract_many([c.text for c in chosen])
    out.mkdir(parents=True, exist_ok=True)
    for b in range(batches):
        lines = [RAW_HEADER.format(batch=b + 1, batches=batches)]
        for candidate, doc in list(zip(chosen, documents))[b * per_batch:(b + 1) * per_batch]:
            spans, relations = _predicted(doc, candidate.tokens)
            lines += [f"## {candidate.id}", f"tokens: {_shown([t.text for t in candidate.tokens], spans)}",
                      "pre: " + "; ".join(f"{label} {a} {e}" for a, e, label in spans),
                      *(f"pre-rel: {_rel_line(relation)}" for relation in relations), ""]
        (out / f"batch-{b + 1}.txt").write_text("\n".join(lines), encoding="utf-8")
    print(f"{min(len(chosen), batches * per_batch)} sentences in {batches} task files under {out}")


def _parse_answers(path: Path) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            blocks[current] = []
        elif line.strip() and current is not None:
            blocks[current].append(line.strip())
    return blocks


_EDGE_MODIFIERS = {"سابق", "اسبق", "وقت", "پیشین", "قبلی", "جدید", "فعلی", "منتخب"}


def _harmonise(tokens: tuple[str, ...], span: tuple[int, int]) -> tuple[int, int]:
    """Decisions taken where annotators differed: «نماینده مردم» is one ROLE; time modifiers at a
    title's edge («سابق», «وقت», ...) stay outside it."""
    a, b = span
    if b - a == 1 and tokens[a] == "نماینده" and b < len(tokens) and tokens[b] == "مردم":
        b += 1
    while b - a > 1 and tokens[b - 1] in _EDGE_MODIFIERS:
        b -= 1
    return a, b


def _former(tokens: tuple[str, ...], role: tuple[int, int] | None) -> bool:
    """Whether a ROLE span (after ``_harmonise``) is marked as a former office: a time modifier right
    after or before it («شهردار سابق تهران», «وزیر وقت»), or inside it after its head where
    harmonisation could not trim it («مدیرکل وقت زندان‌ها», «فرمانده پيشين» in Arabic letters), or
    «پیش از این» / «قبلا» / «سابقا» in the four words before it («X که پیش از این معاون ... بود»).

    Guidelines v1.1 keep a former office as a relation marked ``former``, so ``collect`` marks the
    relations of such roles (under schema v1 it dropped them: 34 relations of the corpus answers).
    """
    if role is None:
        return False
    a, b = role
    near = {compact(w) for w in tokens[a + 1:b] + tokens[b:b + 1] + tokens[max(a - 1, 0):a]}
    before = tuple(compact(w) for w in tokens[max(a - 4, 0):a])
    return bool(near & FORMER_WORDS) or any(before[k:k + len(phrase)] == phrase
                                            for phrase in EARLIER_PHRASES for k in range(len(before)))


def _span(text: str) -> Span | None:
    """``a b`` as a token span, ``-`` as None; anything else raises ``ValueError``."""
    parts = text.split()
    if parts == ["-"]:
        return None
    a, b = map(int, parts)
    if not 0 <= a < b:
        raise ValueError(f"{text.strip()!r} is not a token span 'start end' with start < end")
    return a, b


def _apply_answer(tokens: tuple[str, ...], lines: list[str], entities: dict[Span, str],
                  kinds: set[str]) -> list[Triple]:
    """Apply one answer block's lines to ``entities`` (token span → label) and return its relations.

    ``kinds`` are the line kinds the block may use. ROLE spans are harmonised
    (relations follow them) and relations of former offices marked ``former``.
    """
    relations = []
    moved: dict[Span | None, Span | None] = {}
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind not in kinds:
            raise ValueError(f"unknown line {line!r}")
        if kind == "FIX":
            a, b, label = rest.split()
            overlapping = [s for s in entities if s[0] < int(b) and int(a) < s[1]]
            for s in overlapping:
                del entities[s]
            if label != "O":
                entities[(int(a), int(b))] = label
        elif kind == "REL":
            fields = [field.strip() for field in rest.split("|")]
            marked = fields[3:] == ["former"]
            if len(fields) != 3 and not marked:
                raise ValueError(f"{line!r} needs person | role | institution (| former)")
            person, role, institution = (moved.get(span, span) for span in map(_span, fields[:3]))
            relations.append((person, role, institution, marked or _former(tokens, role)))
        else:
            span = _span(rest)
            if span is None:
                raise ValueError(f"{line!r} needs a token span")
            if kind == "ROLE":
                moved[span] = _harmonise(tokens, span)
                span = moved[span]
            entities[span] = kind
    return relations


def _corpus_answer(sentence: CorpusSentence, lines: list[str]) -> LayerSentence:
    """The layer line of a corpus sentence's answer: ROLE spans and corrections as additions and removals."""
    entities = {(a, b): label for a, b, label in sentence.spans}
    relations = _apply_answer(sentence.tokens, lines, entities, {"ROLE", "FIX", "REL"})
    final = set((a, b, label) for (a, b), label in entities.items())
    original = set(sentence.spans)
    corpus, stem, index = sentence.id.split("/")
    return LayerSentence(0, corpus, stem, int(index), sentence_hash(sentence.text), tuple(sorted(final - original)),
                         tuple(relations), tuple(sorted((a, b) for a, b, _ in original - final)))


def _raw_answer(sentence_id: str, lines: list[str], articles: list[tuple[str, ...]]) -> NewsSentence:
    """The layer line of a raw news sentence's answer (its full annotation), checked: spans inside the
    sentence and disjoint, relations between annotated entities of the right labels."""
    file, article, paragraph, start, end = parse_news_id(sentence_id)
    text = news_sentence_text(articles, article, paragraph, start, end)
    if text is None:
        raise ValueError(f"{file} has no such sentence (has it changed?)")
    tokens = tuple(t.text for t in news_tokens(text))  # the view's words, as _harmonise expects
    entities: dict[Span, str] = {}
    relations = _apply_answer(tokens, lines, entities, {*LABELS, "REL"})
    spans = sorted((a, b, label) for (a, b), label in entities.items())
    outside = [f"{label} {a} {b}" for a, b, label in spans if b > len(tokens)]
    if outside:
        raise ValueError(f"{', '.join(outside)} past the sentence's {len(tokens)} tokens")
    for (a1, b1, l1), (a2, b2, l2) in zip(spans, spans[1:]):
        if a2 < b1:
            raise ValueError(f"{l2} {a2} {b2} overlaps {l1} {a1} {b1}")
    index = {(a, b): k for k, (a, b, _) in enumerate(spans)}
    for relation in relations:
        missing = [f"{slot} {_answer_span(span)}" for slot, span in zip(("person", "role", "institution"), relation[:3])
                   if span is not None and span not in index]
        wrong = relation_problems([label for _, _, label in spans],
                                  [None if span is None else index[span] for span in relation[:3]]) if not missing else []
        if missing or wrong:
            raise ValueError(f"{_rel_line(relation)}: "
                             + "; ".join([f"{m} is not an annotated entity" for m in missing] + wrong))
    return NewsSentence(0, file, article, paragraph, start, end, sentence_hash(text), tuple(spans), tuple(relations))


def collect(answers: list[Path], output: Path) -> None:
    """Turn answer files of both kinds into one layer file (written sorted) and check it against the corpora."""
    root = corpora_root()
    corpus_files: dict[tuple[str, str], dict[str, CorpusSentence]] = {}
    news_files: dict[str, list[tuple[str, ...]]] = {}
    collected: dict[str, LayerLine] = {}
    problems = []
    for path in answers:
        for sentence_id, lines in _parse_answers(path).items():
            try:
                if sentence_id in collected:
                    raise ValueError("answered twice (an earlier answer file has it)")
                if sentence_id.startswith(RAW_NEWS + "/"):
                    file = parse_news_id(sentence_id)[0]
                    if file not in news_files:
                        news_files[file] = read_news_paragraphs(news_file_path(file, root))
                    collected[sentence_id] = _raw_answer(sentence_id, lines, news_files[file])
                else:
                    corpus, stem, _ = sentence_id.split("/")
                    if (corpus, stem) not in corpus_files:
                        corpus_files[(corpus, stem)] = {s.id: s for s in read_corpus_file(
                            corpus, corpus_file_path(corpus, stem, root)).sentences}
                    collected[sentence_id] = _corpus_answer(corpus_files[(corpus, stem)][sentence_id], lines)
            except (ValueError, IndexError, KeyError, TypeError) as error:
                problems.append(f"{path}: {sentence_id}: {error}")
    layer = Layer(output.stem, tuple(replace(s, line=n) for n, s in enumerate(collected.values(), 1)), str(output))
    for problem in problems:
        print(problem, file=sys.stderr)
    write_layer(output, layer)
    documents = join_layer(layer, root)
    print(f"{len(documents)} sentences written to {output}; {len(problems)} blocks skipped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make", help="task files of corpus sentences (ROLE pre-annotated by rule)")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--batches", type=int, default=5)
    m.add_argument("--per-batch", type=int, default=400)
    r = commands.add_parser("make-raw", help="task files of Fars News sentences (all labels pre-annotated)")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--batches", type=int, default=5)
    r.add_argument("--per-batch", type=int, default=100)
    c = commands.add_parser("collect", help="answer files of both kinds → one layer file")
    c.add_argument("answers", nargs="+", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "make":
        make(args.out, args.batches, args.per_batch)
    elif args.command == "make-raw":
        make_raw(args.out, args.batches, args.per_batch)
    else:
        collect(args.answers, args.output)


if __name__ == "__main__":
    main()
