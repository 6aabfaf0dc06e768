"""Make whole-article annotation tasks of raw news, and collect the answers into a docs layer.

How the docs layer ``news-docs-v1`` is made (see data/README.md, section on whole articles):
1. ``make`` picks articles of ``news-raw`` (seeded: 120 Fars News, 40 Varzesh3, 1,500–4,500 characters of
   :func:`~persnews.data.docs_layer.article_text`, none that the sentence layer ``roles-v1`` already uses,
   no text twice), gives each its split (36% test, 10% dev, per site), pre-annotates every article with
   the shipped default model (``persnews.load()``: entities, relations, officials) and writes, OUTSIDE the
   repository (they hold corpus text), per batch of 10 articles:
   ``batch-NN.json`` (machine-readable: numbered sentences, predicted entities with offsets and surface
   text, relations, officials), ``batch-NN.txt`` (the same for reading: each sentence line with the
   entities inside it) and ``answers/batch-NN.ann``, the pre-annotation as an answer draft to correct.
2. An annotator reads every sentence against the guidelines (INSTRUCTIONS.md beside the tasks),
   corrects the draft and writes ``DONE`` in each article block.
3. ``collect`` checks every answer (surface text against the article, labels, overlaps, relations and
   officials pointing at entities of the right labels, ``DONE`` present), builds the layer JSONL
   (offsets and indices only) and, with ``--strip-to``, writes the answers without text
   (``docs-batch-NN.ann``) for the repository: the layer can be rebuilt from them.

    python data/layers/docs_tasks.py make --out /work/notes/docs-tasks
    python data/layers/docs_tasks.py collect /work/notes/docs-tasks/answers/batch-*.ann \\
        -o data/layers/news-docs-v1.jsonl --strip-to data/layers/answers
    python data/layers/docs_tasks.py collect data/layers/answers/docs-batch-*.ann -o data/layers/news-docs-v1.jsonl

Answer format, one block per article (offsets are characters of the article text, end excluded)::

    ## news-raw/fars-news-1/12 split=test sha=9b0e77c2a4f1
    T1 PER 120 129 علی احمدی        (id, label, start, end, then the surface text, checked if given)
    T2 ROLE @L5 معاون فنی           (new entity: the first free occurrence of the text in sentence line 5;
                                      '@L5#2' for the second occurrence)
    R T1 T2 T3                      (relation: person, role, institution or '-'; 'former' at the end)
    O T1 T2 - former                (officials: the person's fullest-name entity, one position a line)
    DONE                            (every sentence read; a block without it is refused)
    REJECT not a news article       (instead of DONE: the article is left out, with the reason)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import persnews  # noqa: E402  (its model is loaded only by make)
from persnews import segmentation  # noqa: E402
from persnews.data.corpora import corpora_root  # noqa: E402
from persnews.data.docs_layer import (DocsArticle, DocsLayer, article_id, join_docs_layer,  # noqa: E402
                                      read_article_texts, write_docs_layer)
from persnews.data.labels import relation_problems  # noqa: E402
from persnews.data.standoff import RAW_NEWS, RAW_NEWS_FILES, news_article_id, read_layer, sentence_hash  # noqa: E402
from persnews.document import LABELS, Document  # noqa: E402
from persnews.normalization import normalize  # noqa: E402
from persnews.cue_words import FORMER_WORDS, compact  # noqa: E402

QUOTAS = {"fars-news": 120, "varzesh3": 40}
LENGTHS = (1500, 4500)
TEST_SHARE, DEV_SHARE = 0.36, 0.10
PER_BATCH = 10
SENTENCE_LAYER = Path(__file__).resolve().parent / "roles-v1.jsonl"
_HEADER = re.compile(rf"^{RAW_NEWS}/([^/\s]+)/(\d+) split=(train|dev|test) sha=([0-9a-f]{{12}})$")
_ENTITY = re.compile(r"^(T\d+) (PER|ROLE|ORG|LOC) (?:(\d+) (\d+)|@L(\d+)(?:#(\d+))?)(?: (.+))?$")


@dataclass(frozen=True)
class Line:
    """A numbered sentence of an article: ``text[start:end]``."""

    number: int
    start: int
    end: int


def sentence_lines(text: str) -> list[Line]:
    """The article's sentences, numbered from 1: each text line (title, abstract, paragraph) split by
    :func:`persnews.segmentation.sentences`; offsets index ``text``."""
    lines, offset = [], 0
    for part in text.split("\n"):
        for sentence in segmentation.sentences(normalize(part)):
            lines.append(Line(len(lines) + 1, offset + sentence.start, offset + sentence.end))
        offset += len(part) + 1
    return lines


# ---------------------------------------------------------------------------------------------- make


def _used_articles() -> set[str]:
    """The articles the sentence layer already annotates: kept out, so no article is in two splits."""
    if not SENTENCE_LAYER.is_file():
        return set()
    return {news_article_id(s.corpus_id) for s in read_layer(SENTENCE_LAYER).sentences if s.corpus == RAW_NEWS}


def _candidates(site: str, root: Path, used: set[str]) -> Iterator[tuple[str, str]]:
    """``(article id, text)`` of the site's articles of a typical length, not used and not repeated."""
    seen: set[str] = set()
    for file in (f for f in RAW_NEWS_FILES if f.startswith(site + "-")):
        for k, text in enumerate(read_article_texts(file, root) or []):
            doc_id = article_id(file, k)
            if LENGTHS[0] <= len(text) <= LENGTHS[1] and doc_id not in used and text not in seen:
                seen.add(text)
                yield doc_id, text


def pick_articles(root: Path, rng: random.Random) -> list[tuple[str, str, str]]:
    """``(article id, split, text)`` of the chosen articles, in task order (sites mixed)."""
    used = _used_articles()
    chosen = []
    for site, quota in QUOTAS.items():
        picked = rng.sample(list(_candidates(site, root, used)), quota)
        n_test, n_dev = round(quota * TEST_SHARE), round(quota * DEV_SHARE)
        splits = ["test"] * n_test + ["dev"] * n_dev + ["train"] * (quota - n_test - n_dev)
        chosen += [(doc_id, split, text) for (doc_id, text), split in zip(picked, splits)]
    rng.shuffle(chosen)
    return chosen


def _former(text: str, start: int, end: int) -> bool:
    """A pre-annotation guess: a time word («سابق», «وقت», ...) inside the role or right after it."""
    words = text[start:end].split()[1:] + text[end:end + 30].split()[:1]
    return any(compact(w.strip("،,.:؛")) in FORMER_WORDS for w in words)


@dataclass
class Draft:
    """One article's answer block: the lines an annotator edits."""

    doc_id: str
    split: str
    text: str
    entities: list[tuple[str, int, int, str]] = field(default_factory=list)
    relations: list[tuple[str, str, str | None, bool]] = field(default_factory=list)
    officials: list[tuple[str, str, str | None, bool]] = field(default_factory=list)

    def header(self) -> str:
        return f"## {self.doc_id} split={self.split} sha={sentence_hash(self.text)}"


def draft(doc_id: str, split: str, doc: Document) -> Draft:
    """The model's annotation of one article as an answer draft (T ids in text order)."""
    result = Draft(doc_id, split, doc.text)
    ids = [f"T{k + 1}" for k in range(len(doc.entities))]
    result.entities = [(ids[k], e.start, e.end, e.label) for k, e in enumerate(doc.entities)]

    def slot(index: int | None) -> str | None:
        return None if index is None else ids[index]

    relations = [(slot(r.person), slot(r.role), slot(r.institution),
                  _former(doc.text, doc.entities[r.role].start, doc.entities[r.role].end)) for r in doc.relations]
    result.relations = relations
    for official in doc.officials:
        named = [ids[k] for k, e in enumerate(doc.entities) if e.label == "PER" and e.text == official.name]
        for position in official.positions:
            for evidence in position.evidence[:1]:
                person, role, institution, former = relations[evidence]
                result.officials.append((named[0] if named else person, role, institution, former))
    return result


def _answer_lines(d: Draft, with_text: bool) -> list[str]:
    def entity(k: str, a: int, b: int, label: str) -> str:
        return f"{k} {label} {a} {b}" + (f" {d.text[a:b]}" if with_text else "")

    def triple(kind: str, t: tuple[str, str, str | None, bool]) -> str:
        return f"{kind} {t[0]} {t[1]} {t[2] or '-'}" + (" former" if t[3] else "")

    return [d.header(), *(entity(*e) for e in d.entities), *(triple("R", r) for r in d.relations),
            *(triple("O", o) for o in d.officials)]


def _task_view(number: int, d: Draft) -> dict:
    """The machine-readable task of one article."""
    lines = sentence_lines(d.text)
    where = {k: next((line.number for line in lines if line.start <= a < line.end), 0) for k, a, _, _ in d.entities}
    return {"id": d.doc_id, "split": d.split, "sha": sentence_hash(d.text), "position": number,
            "lines": [{"line": x.number, "start": x.start, "end": x.end, "text": d.text[x.start:x.end]} for x in lines],
            "entities": [{"id": k, "label": label, "start": a, "end": b, "text": d.text[a:b], "line": where[k]}
                         for k, a, b, label in d.entities],
            "relations": [{"person": p, "role": r, "institution": i, "former": f} for p, r, i, f in d.relations],
            "officials": [{"person": p, "role": r, "institution": i, "former": f} for p, r, i, f in d.officials]}


def _reading_view(task: dict) -> list[str]:
    """The task for reading: each sentence line, then the pre-annotated entities that start in it."""
    out = [f"## {task['id']}  ({task['split']}, {len(task['lines'])} sentence lines)"]
    for line in task["lines"]:
        out.append(f"L{line['line']} [{line['start']}-{line['end']}] {line['text']}")
        out += [f"    {e['id']} {e['label']} {e['start']} {e['end']} {e['text']}"
                for e in task["entities"] if e["line"] == line["line"]]
    by_id = {e["id"]: e["text"] for e in task["entities"]}
    for kind, items in (("R", task["relations"]), ("O", task["officials"])):
        out += [f"  {kind} {x['person']} {x['role']} {x['institution'] or '-'}{' former' if x['former'] else ''}"
                f"   = {by_id[x['person']]} | {by_id[x['role']]} | {by_id.get(x['institution'], '-')}"
                for x in items]
    return out + [""]


def make(out: Path, seed: int = 14) -> None:
    rng = random.Random(seed)
    chosen = pick_articles(corpora_root(), rng)
    documents = persnews.load().extract_many([text for _, _, text in chosen])
    drafts = [draft(doc_id, split, doc) for (doc_id, split, _), doc in zip(chosen, documents)]
    (out / "answers").mkdir(parents=True, exist_ok=True)
    for b in range(0, len(drafts), PER_BATCH):
        name = f"batch-{b // PER_BATCH + 1:02d}"
        tasks = [_task_view(b + k + 1, d) for k, d in enumerate(drafts[b:b + PER_BATCH])]
        (out / f"{name}.json").write_text(json.dumps({"batch": name, "articles": tasks}, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
        (out / f"{name}.txt").write_text("\n".join(x for t in tasks for x in _reading_view(t)), encoding="utf-8")
        draft_file = out / "answers" / f"{name}.ann"
        if not draft_file.exists():  # never overwrite an annotator's work
            draft_file.write_text("\n".join(x for d in drafts[b:b + PER_BATCH] for x in [*_answer_lines(d, True), ""]),
                                  encoding="utf-8")
    counts = Counter((doc_id.split("/")[1].rsplit("-", 1)[0], split) for doc_id, split, _ in chosen)
    print(f"{len(drafts)} articles in {-(-len(drafts) // PER_BATCH)} batches under {out}: {dict(counts)}")


# ---------------------------------------------------------------------------------------------- collect


@dataclass
class Answer:
    """One article block of an answer file, as written."""

    header: str
    lines: list[str] = field(default_factory=list)


def parse_answers(path: Path) -> list[Answer]:
    blocks: list[Answer] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            blocks.append(Answer(line[3:].strip()))
        elif line.strip() and not line.lstrip().startswith("#"):
            if not blocks:
                raise ValueError(f"{path}: {line!r} before the first '## <article>' header")
            blocks[-1].lines.append(line.strip())
    return blocks


def _resolve(text: str, lines: Sequence[Line], taken: list[tuple[int, int]], number: int, nth: int,
             surface: str) -> tuple[int, int]:
    """The offsets of the ``nth`` occurrence of ``surface`` in sentence line ``number`` that no entity holds."""
    line = next((x for x in lines if x.number == number), None)
    if line is None:
        raise ValueError(f"the article has no sentence line L{number}")
    found, start = [], line.start
    while (start := text.find(surface, start, line.end)) >= 0:
        end = start + len(surface)
        if not any(a < end and start < b for a, b in taken):
            found.append((start, end))
        start += 1
    if len(found) < nth:
        raise ValueError(f"{surface!r} occurs {len(found)} time(s) free in L{number}, not {nth}")
    return found[nth - 1]


def answer_article(answer: Answer, texts: dict[str, list[str] | None], root: Path) -> tuple[DocsArticle | None, str]:
    """The layer line of one answer block (None when it is rejected) and its stripped answer text."""
    match = _HEADER.match(answer.header)
    if match is None:
        raise ValueError(f"header {answer.header!r} is not '{RAW_NEWS}/<file>/<article> split=<split> sha=<12 hex>'")
    file, number, split, sha = match.group(1), int(match.group(2)), match.group(3), match.group(4)
    if file not in RAW_NEWS_FILES:
        raise ValueError(f"{RAW_NEWS} has no file {file!r}")
    if file not in texts:
        texts[file] = read_article_texts(file, root)
    articles = texts[file] or []
    if number >= len(articles) or sentence_hash(articles[number]) != sha:
        raise ValueError("the article is missing or its text has changed (sha differs)")
    text = articles[number]
    rejects = [line for line in answer.lines if line.split()[0] == "REJECT"]
    if rejects:
        return None, "\n".join([f"## {answer.header}", rejects[0]])
    if "DONE" not in answer.lines:
        raise ValueError("no DONE line: the block has not been read through")
    sentence_lines_ = sentence_lines(text)
    spans: dict[str, tuple[int, int, str]] = {}
    triples: list[tuple[str, list[str]]] = []
    for line in answer.lines:
        kind = line.split()[0]
        if kind == "DONE":
            continue
        if kind in ("R", "O"):
            triples.append((kind, line.split()[1:]))
            continue
        entity = _ENTITY.match(line)
        if entity is None:
            raise ValueError(f"unknown line {line!r}")
        key, label, a, b, at, nth, surface = entity.groups()
        if key in spans:
            raise ValueError(f"{key} is defined twice")
        if at is not None:
            if not surface:
                raise ValueError(f"{line!r}: an '@L' entity needs its surface text")
            a, b = _resolve(text, sentence_lines_, [s[:2] for s in spans.values()], int(at), int(nth or 1), surface)
        a, b = int(a), int(b)
        if not 0 <= a < b <= len(text):
            raise ValueError(f"{key} offsets {a}:{b} outside the article ({len(text)} characters)")
        if surface is not None and text[a:b] != surface:
            raise ValueError(f"{key} at {a}:{b} is {text[a:b]!r} in the article, the answer says {surface!r}")
        if text[a:b] != text[a:b].strip():
            raise ValueError(f"{key} at {a}:{b} starts or ends with a space")
        spans[key] = (a, b, label)
    ordered = sorted(spans.items(), key=lambda item: item[1])
    for (k1, (a1, b1, _)), (k2, (a2, _, _)) in zip(ordered, ordered[1:]):
        if a2 < b1:
            raise ValueError(f"{k2} overlaps {k1}")
    index = {key: k for k, (key, _) in enumerate(ordered)}
    labels = [label for _, (_, _, label) in ordered]
    relations, officials = [], {}
    for kind, parts in triples:
        former = parts[3:] == ["former"]
        if len(parts) != 3 + former:
            raise ValueError(f"{kind} {' '.join(parts)}: needs person role institution|- [former]")
        unknown = [p for p in parts[:3] if p != "-" and p not in index]
        if unknown or parts[0] == "-" or parts[1] == "-":
            raise ValueError(f"{kind} {' '.join(parts)}: {', '.join(unknown) or '-'} is not an entity of the block")
        slots = [None if p == "-" else index[p] for p in parts[:3]]
        problems = relation_problems(labels, slots)
        if problems:
            raise ValueError(f"{kind} {' '.join(parts)}: {'; '.join(problems)}")
        if kind == "R":
            relations.append((*slots, former))
        else:
            officials.setdefault(slots[0], []).append((slots[1], slots[2], former))
    stripped = [f"## {answer.header}", *(f"T{k + 1} {label} {a} {b}" for k, (_, (a, b, label)) in enumerate(ordered))]
    name = {key: f"T{k + 1}" for key, k in index.items()}
    stripped += [f"{kind} {' '.join(name.get(p, p) for p in parts)}" for kind, parts in triples] + ["DONE"]
    article = DocsArticle(0, file, number, sha, split, tuple(spans for _, spans in ordered), tuple(relations),
                          tuple((person, tuple(positions)) for person, positions in officials.items()))
    return article, "\n".join(stripped)


def collect(answers: list[Path], output: Path, strip_to: Path | None = None) -> None:
    """Check answer files and build the docs layer from them (and, with ``strip_to``, text-free answers)."""
    root = corpora_root()
    texts: dict[str, list[str] | None] = {}
    collected: dict[str, DocsArticle] = {}
    problems, rejected, stripped = [], [], {}
    for path in answers:
        blocks = []
        for answer in parse_answers(path):
            try:
                article, text = answer_article(answer, texts, root)
            except ValueError as error:
                problems.append(f"{path}: {answer.header.split()[0]}: {error}")
                continue
            doc_id = answer.header.split()[0]
            if doc_id in collected or doc_id in rejected:
                problems.append(f"{path}: {doc_id}: answered twice")
                continue
            blocks.append(text)
            if article is None:
                rejected.append(doc_id)
            else:
                collected[doc_id] = article
        stripped[path] = blocks
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s); nothing written")
    layer = DocsLayer(output.stem, tuple(collected.values()), str(output))
    documents = join_docs_layer(layer, root)
    write_docs_layer(output, layer)
    if strip_to is not None:
        strip_to.mkdir(parents=True, exist_ok=True)
        for path, blocks in stripped.items():
            name = path.name if path.name.startswith("docs-") else f"docs-{path.name}"
            (strip_to / name).write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    splits = Counter(a.split for a in layer.articles)
    print(f"{len(documents)} articles written to {output} ({dict(splits)}); {len(rejected)} rejected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make", help="pick articles, pre-annotate them and write task batches")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seed", type=int, default=14)
    c = commands.add_parser("collect", help="answer files → docs layer JSONL")
    c.add_argument("answers", nargs="+", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True)
    c.add_argument("--strip-to", type=Path, help="write the answers without text here (docs-<name>.ann)")
    args = parser.parse_args()
    if args.command == "make":
        make(args.out, args.seed)
    else:
        collect(args.answers, args.output, args.strip_to)


if __name__ == "__main__":
    main()
