"""Whole-article stand-off layers: the full annotation of raw news articles, stored by reference.

Where :mod:`persnews.data.standoff` annotates single sentences, a *docs layer*
annotates whole articles of the unlabelled ``news-raw/*.json`` files, with
relations (and their ``former`` flag) and the document's officials, so that
document-level extraction can be scored. Like every layer it never stores
corpus text. One JSONL line per article::

    {"corpus": "news-raw", "file": "fars-news-1", "article": 12, "sha": "9b0e77c2a4f1", "split": "test",
     "entities": [{"start": 0, "end": 9, "label": "PER"}, {"start": 11, "end": 20, "label": "ROLE"}],
     "relations": [{"person": 0, "role": 1, "institution": null, "former": false}],
     "officials": [{"person": 0, "positions": [{"role": 1, "institution": null, "former": false}]}]}

* the article's text is :func:`article_text`: its ``title``, ``abstract`` and
  each of its ``paragraphs``, as stored, joined with ``"\\n"`` (a missing or
  null title or abstract counts as ``""``, so every article has the same
  layout); ``sha`` is :func:`~persnews.data.standoff.sentence_hash` of that
  text, and a changed corpus raises :class:`CorpusMismatchError`;
* ``entities`` are character offsets ``[start, end)`` into that text, sorted
  and disjoint; ``relations`` and ``officials`` name entities by index
  (``former`` may be absent: false). An official is its fullest name mention
  (``person``) and its positions, each a ROLE entity, an ORG/LOC entity or
  null, and ``former``; joined, they become :class:`~persnews.document.Official`
  strings, so no name is stored here;
* ``split`` (train/dev/test) is chosen when the articles are picked and kept
  with them, so an article never straddles splits.

Joined documents get the id ``docs:<name>/news-raw/<file>/<article>``; a
source names a split as ``docs:data/layers/news-docs-v1.jsonl:test``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..document import Document, Entity, Official, Position, Relation
from ..errors import DataFormatError
from .corpora import corpora_root
from .jsonl import read_records
from .labels import relation_problems
from .standoff import RAW_NEWS, RAW_NEWS_FILES, _is_index, check_layer_name, check_sha, news_file_path, \
    parse_entities, parse_former, parse_records, raise_join_errors, read_news_articles, sentence_hash, \
    write_sorted

DOCS_PREFIX = "docs:"
SPLIT_NAMES = ("train", "dev", "test")
ARTICLE_FIELDS = ("title", "abstract")
"""The fields before the paragraphs in :func:`article_text`."""


def article_text(article: dict[str, Any]) -> str:
    """The one canonical text of a raw news article: title, abstract, paragraphs, joined with newlines."""
    head = [article.get(name) or "" for name in ARTICLE_FIELDS]
    return "\n".join([*head, *article["paragraphs"]])


def article_id(file: str, article: int) -> str:
    return f"{RAW_NEWS}/{file}/{article}"


@dataclass(frozen=True)
class DocsArticle:
    """One line of a docs layer: the full annotation of one article, by offsets and indices."""

    line: int = field(compare=False)
    file: str
    article: int
    sha: str
    split: str
    entities: tuple[tuple[int, int, str], ...] = ()
    relations: tuple[tuple[int, int, int | None, bool], ...] = ()
    officials: tuple[tuple[int, tuple[tuple[int, int | None, bool], ...]], ...] = ()

    @property
    def corpus_id(self) -> str:
        return article_id(self.file, self.article)

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": RAW_NEWS, "file": self.file, "article": self.article, "sha": self.sha, "split": self.split,
                "entities": [{"start": a, "end": b, "label": label} for a, b, label in self.entities],
                "relations": [{"person": p, "role": r, "institution": i, "former": f}
                              for p, r, i, f in self.relations],
                "officials": [{"person": person, "positions": [{"role": r, "institution": i, "former": f}
                                                               for r, i, f in positions]}
                              for person, positions in self.officials]}


@dataclass(frozen=True)
class DocsLayer:
    """A named set of annotated articles; ``source`` names the file in messages."""

    name: str
    articles: tuple[DocsArticle, ...]
    source: str = field(default="<docs layer>", compare=False)


def _parse_officials(raw_officials: Any, labels: list[str], problems: list[str]) -> list[Any]:
    if not isinstance(raw_officials, list):
        problems.append(f"officials must be a list, got {type(raw_officials).__name__}")
        return []
    officials = []
    for k, raw in enumerate(raw_officials):
        positions = raw.get("positions") if isinstance(raw, dict) else None
        if not isinstance(positions, list) or not positions:
            problems.append(f"official {k} needs a person index and a non-empty positions list, got {raw!r}")
            continue
        parsed = []
        for j, position in enumerate(positions):
            where = f"official {k} position {j}"
            if not isinstance(position, dict):
                problems.append(f"{where}: expected an object")
                continue
            slots = (raw.get("person"), position.get("role"), position.get("institution"))
            problems += [f"{where}: {p}" for p in relation_problems(labels, list(slots))]
            parsed.append((slots[1], slots[2], parse_former(position, where, problems)))
        officials.append((raw.get("person"), tuple(parsed)))
    return officials


def _parse_article(number: int, record: dict[str, Any]) -> DocsArticle:
    """One layer line; every problem is raised together as ``ValueError('; '-joined reasons)``."""
    problems: list[str] = []
    if record.get("corpus") != RAW_NEWS:
        problems.append(f"corpus must be {RAW_NEWS!r}, got {record.get('corpus')!r}")
    file, article, sha, split = (record.get(k) for k in ("file", "article", "sha", "split"))
    if file not in RAW_NEWS_FILES:
        problems.append(f"{RAW_NEWS} has no file {file!r}")
    if not _is_index(article):
        problems.append(f"article must be a non-negative integer, got {article!r}")
    check_sha(sha, problems)
    if split not in SPLIT_NAMES:
        problems.append(f"split must be one of {', '.join(SPLIT_NAMES)}, got {split!r}")
    entities = parse_entities(record.get("entities", []), "character", problems)
    labels = [label for _, _, label in entities]
    relations = []
    for k, raw in enumerate(record.get("relations", [])):
        if not isinstance(raw, dict):
            problems.append(f"relation {k}: expected an object")
            continue
        slots = (raw.get("person"), raw.get("role"), raw.get("institution"))
        problems += [f"relation {k}: {p}" for p in relation_problems(labels, list(slots))]
        relations.append((*slots, parse_former(raw, f"relation {k}", problems)))
    officials = _parse_officials(record.get("officials", []), labels, problems)
    if problems:
        raise ValueError("; ".join(problems))
    return DocsArticle(number, file, article, sha, split, tuple(entities), tuple(relations), tuple(officials))


def parse_docs_layer(name: str, records: Iterable[tuple[int, dict[str, Any]]],
                     source: str = "<docs layer>") -> DocsLayer:
    """Check and parse ``(line, record)`` pairs; all problems (an article annotated twice included) are
    raised in one :class:`DataFormatError`."""
    check_layer_name(name, source)
    articles, problems = parse_records(records, _parse_article, source)
    if problems:
        raise DataFormatError(f"{source}: {len(problems)} problem(s) in the docs layer", problems)
    return DocsLayer(name, tuple(articles), source)


def is_docs_record(record: dict[str, Any]) -> bool:
    """Whether a parsed JSONL record is a docs layer line (a raw news article with no paragraph)."""
    return record.get("corpus") == RAW_NEWS and "article" in record and "paragraph" not in record


def read_docs_layer(path: str | Path) -> DocsLayer:
    """Read and check a docs layer file; its name is the file stem."""
    path = Path(path)
    return parse_docs_layer(path.stem, read_records(path), str(path))


def write_docs_layer(path: str | Path, layer: DocsLayer) -> None:
    """Write ``layer`` as JSONL (atomically), sorted by file and article so diffs stay small."""
    write_sorted(path, layer.articles, key=lambda a: (a.file, a.article))


def _document(name: str, annotation: DocsArticle, text: str) -> Document:
    """The joined document; an entity past the text raises ``ValueError``."""
    outside = [f"{label} {a}:{b}" for a, b, label in annotation.entities if b > len(text)]
    if outside:
        raise ValueError(f"{', '.join(outside)} past the article's {len(text)} characters")
    entities = tuple(Entity(a, b, label, text[a:b]) for a, b, label in annotation.entities)
    relations = tuple(Relation(p, r, i, former=f) for p, r, i, f in annotation.relations)
    officials = tuple(Official(entities[person].text, tuple(
        Position(entities[r].text, None if i is None else entities[i].text, former=f) for r, i, f in positions))
        for person, positions in annotation.officials)
    return Document(text, entities, relations, officials, id=f"{DOCS_PREFIX}{name}/{annotation.corpus_id}")


def read_article_texts(file: str, root: str | Path | None = None) -> list[str] | None:
    """The :func:`article_text` of every article of a raw news file, or None when the file is missing."""
    path = news_file_path(file, corpora_root(root))
    return [article_text(a) for a in read_news_articles(path)] if path.is_file() else None


def join_docs_layer(layer: DocsLayer, root: str | Path | None = None) -> list[Document]:
    """The layer's articles as full documents (entities, relations, officials), text read from the corpora.

    A missing news file or article, or an article whose text hash differs,
    raises :class:`CorpusMismatchError` naming every such line; annotations
    that do not fit their article raise :class:`DataFormatError`.
    """
    root = corpora_root(root)
    texts: dict[str, list[str] | None] = {}
    mismatches, problems, documents = [], [], []
    for annotation in layer.articles:
        where = f"{layer.source}:{annotation.line}"
        first = annotation.file not in texts
        if first:
            texts[annotation.file] = read_article_texts(annotation.file, root)
        articles = texts[annotation.file]
        if articles is None:
            if first:
                mismatches.append(f"{where}: corpus file {news_file_path(annotation.file, root)} is missing")
            continue
        if annotation.article >= len(articles):
            mismatches.append(f"{where}: {annotation.corpus_id} is not in the corpus (has it changed?)")
            continue
        text = articles[annotation.article]
        actual = sentence_hash(text)
        if actual != annotation.sha:
            mismatches.append(f"{where}: the text of {annotation.corpus_id} has changed "
                              f"(hash {actual}, the layer expects {annotation.sha})")
            continue
        try:
            documents.append(_document(layer.name, annotation, text))
        except ValueError as error:
            problems.append(f"{where}: {error}")
    raise_join_errors(f"docs layer {layer.name!r}", root, mismatches, problems, "article")
    return documents


def docs_split(layer: DocsLayer, split: str, root: str | Path | None = None) -> list[Document]:
    """The joined documents of the layer's articles in ``split``."""
    chosen = DocsLayer(layer.name, tuple(a for a in layer.articles if a.split == split), layer.source)
    return join_docs_layer(chosen, root)
