"""Stand-off layers: our annotations on third-party text, stored by reference.

The corpora's text may not be copied into the project, so a layer stores only
where its annotations go. A layer is a JSONL file; each line refers to one
sentence, either of a labelled corpus or of a raw news article.

A **corpus sentence** line adds entities (usually ROLE) and relations to the
corpus's own PER/ORG/LOC::

    {"corpus": "peyma", "file": "train", "sentence": 12, "sha": "3f2a9c0b1d4e",
     "entities": [{"start": 3, "end": 5, "label": "ROLE"}],
     "relations": [{"person": [0, 2], "role": [3, 5], "institution": [5, 7]}]}

* ``corpus``/``file``/``sentence`` name the sentence as the importers number it
  (:mod:`persnews.data.corpora`, id ``peyma/train/12``);
* entity offsets are token indices ``[start, end)`` of the corpus sentence;
* ``removed`` (optional) lists token spans of the corpus's own entities that
  the layer drops, to correct the corpus (a relabelled or re-cut entity is
  removed here and added again in ``entities``).

A **raw news** line (:data:`RAW_NEWS`, the unlabelled ``news-raw/*.json``
article files) holds the sentence's whole annotation, all four labels, since
the articles carry none::

    {"corpus": "news-raw", "file": "fars-news-1", "article": 12, "paragraph": 3,
     "start": 0, "end": 141, "sha": "9b0e77c2a4f1", "entities": [...], "relations": [...]}

* ``article`` indexes the file's JSON array, ``paragraph`` that article's
  ``paragraphs`` list, and ``start``/``end`` are character offsets of the
  sentence in that paragraph string as stored (not normalised); its id is
  ``news-raw/fars-news-1/12/3/0-141``;
* entity offsets are token indices ``[start, end)`` over
  :func:`news_tokens` of the sentence text (the :mod:`persnews.segmentation`
  words);
* ``removed`` must be absent or empty: there are no corpus entities to drop.

On both kinds of line, ``sha`` is :func:`sentence_hash` of the sentence's
text, so a missing or changed corpus is an error (:class:`CorpusMismatchError`),
never a silent misalignment; a relation names its person, role and
institution (or null) by token span, so it can point at a corpus's own
entities as well as the layer's, and carries ``"former": true`` when the
person no longer holds the role (guidelines v1.1; written only when true, so
an absent field, as in every schema v1 line, reads as false). A sentence listed with no entities says
"checked: no role here".

The layer's name is its file stem; joined documents get the id
``layer:<name>/<corpus id>`` (``layer:roles-v1/peyma/train/12``,
``layer:roles-v1/news-raw/fars-news-1/12/3/0-141``) and the source
``layer:<name>``. Layers carry no ``officials`` (their names would be corpus text).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Sequence, TypeVar

from ..document import LABELS, Document, Entity, Relation
from ..errors import CorpusMismatchError, DataFormatError
from ..normalization import normalize
from .corpora import CORPORA, CorpusSentence, corpora_root, corpus_file_path, read_corpus_file
from .jsonl import read_records, read_text, write_text_atomic
from .labels import relation_problems

if TYPE_CHECKING:
    from ..segmentation import Token

T = TypeVar("T")

LAYER_PREFIX = "layer:"
RAW_NEWS = "news-raw"
"""The corpus name of raw news lines: the unlabelled article files in the corpora folder's ``news-raw/``."""
RAW_NEWS_FILES: tuple[str, ...] = tuple(f"{site}-{k}" for site in ("fars-news", "varzesh3") for k in range(1, 6))
HASH_LENGTH = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_HASH = re.compile(f"^[0-9a-f]{{{HASH_LENGTH}}}$")
_NUMBER = "(0|[1-9][0-9]*)"
_NEWS_ID = re.compile(f"^{RAW_NEWS}/([^/]+)/{_NUMBER}/{_NUMBER}/{_NUMBER}-{_NUMBER}$")

Span = tuple[int, int]
EntitySpans = tuple[tuple[int, int, str], ...]
RelationSpans = tuple[tuple[Span, Span, Span | None, bool], ...]
"""Relations by token span: person, role, institution (or None) and whether the office is a former one."""


def sentence_hash(text: str) -> str:
    """The short hash a layer stores for a sentence's text (first 12 hex digits of sha256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def layer_document_id(name: str, corpus_id: str) -> str:
    return f"{LAYER_PREFIX}{name}/{corpus_id}"


def split_layer_id(doc_id: str) -> tuple[str, str]:
    """``("layer:<name>", corpus id)`` for a layered document id; other ids raise ``ValueError``.

    >>> split_layer_id("layer:roles-v1/news-raw/fars-news-1/12/3/0-141")
    ('layer:roles-v1', 'news-raw/fars-news-1/12/3/0-141')
    """
    head, slash, corpus_id = doc_id.partition("/")
    if not head.startswith(LAYER_PREFIX) or not slash:
        raise ValueError(f"{doc_id!r} is not a layered document id ('layer:<name>/<corpus>/<file>/<index>' or "
                         f"'layer:<name>/{RAW_NEWS}/<file>/<article>/<paragraph>/<start>-<end>')")
    return head, corpus_id


def news_sentence_id(file: str, article: int, paragraph: int, start: int, end: int) -> str:
    return f"{RAW_NEWS}/{file}/{article}/{paragraph}/{start}-{end}"


def parse_news_id(corpus_id: str) -> tuple[str, int, int, int, int]:
    """``(file, article, paragraph, start, end)`` of a raw news sentence id; other ids raise ``ValueError``.

    >>> parse_news_id("news-raw/fars-news-1/12/3/0-141")
    ('fars-news-1', 12, 3, 0, 141)
    """
    match = _NEWS_ID.match(corpus_id)
    if match is None or match.group(1) not in RAW_NEWS_FILES or int(match.group(4)) >= int(match.group(5)):
        raise ValueError(f"{corpus_id!r} is not a raw news sentence id "
                         f"'{RAW_NEWS}/<file>/<article>/<paragraph>/<start>-<end>' (start < end)")
    file, *numbers = match.groups()
    article, paragraph, start, end = map(int, numbers)
    return file, article, paragraph, start, end


def news_article_id(corpus_id: str) -> str:
    """The article of a raw news sentence id (``news-raw/fars-news-1/12``): the unit its split is drawn by."""
    file, article, *_ = parse_news_id(corpus_id)
    return f"{RAW_NEWS}/{file}/{article}"


def news_file_path(file: str, root: str | Path | None = None) -> Path:
    """Where raw news file ``file`` (e.g. ``fars-news-1``) lives under the corpora root."""
    if file not in RAW_NEWS_FILES:
        raise ValueError(f"{RAW_NEWS} has no file {file!r}; expected one of {', '.join(RAW_NEWS_FILES)}")
    return corpora_root(root) / RAW_NEWS / f"{file}.json"


def read_news_articles(path: str | Path) -> list[dict[str, Any]]:
    """The articles of a raw news JSON file, as stored; a file of another shape raises
    :class:`CorpusMismatchError`, since no layer can be joined with it."""
    try:
        articles = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise CorpusMismatchError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from error
    if not (isinstance(articles, list) and all(isinstance(a, dict) and isinstance(a.get("paragraphs"), list)
                                               and all(isinstance(p, str) for p in a["paragraphs"])
                                               for a in articles)):
        raise CorpusMismatchError(f"{path}: expected a JSON array of articles, each with a 'paragraphs' list "
                                  "of strings")
    return articles


def read_news_paragraphs(path: str | Path) -> list[tuple[str, ...]]:
    """Each article's ``paragraphs`` from a raw news JSON file (see :func:`read_news_articles`)."""
    return [tuple(article["paragraphs"]) for article in read_news_articles(path)]


def news_sentence_text(articles: Sequence[Sequence[str]], article: int, paragraph: int, start: int,
                       end: int) -> str | None:
    """The raw news sentence at that place in :func:`read_news_paragraphs`' articles, or None when there is
    no such article, paragraph or offset."""
    if article >= len(articles) or paragraph >= len(articles[article]) or end > len(articles[article][paragraph]):
        return None
    return articles[article][paragraph][start:end]


def news_tokens(text: str) -> list[Token]:
    """The words a raw news line's token offsets count: :func:`persnews.segmentation.tokenize` over the
    sentence's normalised view, with offsets into ``text``."""
    from ..segmentation import tokenize  # hazm loads slowly; only raw news lines need it

    return tokenize(normalize(text))


def _annotations_dict(entities: EntitySpans, relations: RelationSpans) -> dict[str, Any]:
    return {"entities": [{"start": a, "end": b, "label": label} for a, b, label in entities],
            "relations": [{"person": list(p), "role": list(r), "institution": None if i is None else list(i),
                           **({"former": True} if former else {})} for p, r, i, former in relations]}


@dataclass(frozen=True)
class LayerSentence:
    """One line of a layer over a corpus sentence: annotations over its token indices."""

    line: int = field(compare=False)
    corpus: str
    file: str
    sentence: int
    sha: str
    entities: EntitySpans = ()
    relations: RelationSpans = ()
    removed: tuple[Span, ...] = ()

    @property
    def corpus_id(self) -> str:
        return f"{self.corpus}/{self.file}/{self.sentence}"

    @property
    def sort_key(self) -> tuple[str | int, ...]:
        return self.corpus, self.file, self.sentence

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "file": self.file, "sentence": self.sentence, "sha": self.sha,
                **_annotations_dict(self.entities, self.relations),
                **({"removed": [list(span) for span in self.removed]} if self.removed else {})}


@dataclass(frozen=True)
class NewsSentence:
    """One line of a layer over raw news: the full annotation of a sentence of one article paragraph."""

    line: int = field(compare=False)
    file: str
    article: int
    paragraph: int
    start: int
    end: int
    sha: str
    entities: EntitySpans = ()
    relations: RelationSpans = ()
    corpus: ClassVar[str] = RAW_NEWS

    @property
    def corpus_id(self) -> str:
        return news_sentence_id(self.file, self.article, self.paragraph, self.start, self.end)

    @property
    def sort_key(self) -> tuple[str | int, ...]:
        return self.corpus, self.file, self.article, self.paragraph, self.start

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "file": self.file, "article": self.article, "paragraph": self.paragraph,
                "start": self.start, "end": self.end, "sha": self.sha,
                **_annotations_dict(self.entities, self.relations)}


LayerLine = LayerSentence | NewsSentence


@dataclass(frozen=True)
class Layer:
    """A named set of layer lines; ``source`` names the file in messages."""

    name: str
    sentences: tuple[LayerLine, ...]
    source: str = field(default="<layer>", compare=False)


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _span(value: Any) -> Span:
    if not (isinstance(value, list) and len(value) == 2 and all(map(_is_index, value)) and value[0] < value[1]):
        raise ValueError(f"{value!r} is not a token span [start, end]")
    return value[0], value[1]


def _corpus_reference(record: dict[str, Any], problems: list[str]) -> tuple[Any, ...]:
    """``(corpus, file, sentence)`` of a corpus sentence line, appending what is wrong with them to ``problems``."""
    corpus, file, index = (record.get(k) for k in ("corpus", "file", "sentence"))
    if corpus not in CORPORA:
        problems.append(f"unknown corpus {corpus!r}")
    elif file not in CORPORA[corpus].stems:
        problems.append(f"{corpus} has no file {file!r}")
    if not _is_index(index):
        problems.append(f"sentence must be a non-negative integer, got {index!r}")
    return corpus, file, index


def _news_reference(record: dict[str, Any], problems: list[str]) -> tuple[Any, ...]:
    """``(file, article, paragraph, start, end)`` of a raw news line, appending what is wrong to ``problems``."""
    file = record.get("file")
    if file not in RAW_NEWS_FILES:
        problems.append(f"{RAW_NEWS} has no file {file!r}")
    numbers = {key: record.get(key) for key in ("article", "paragraph", "start", "end")}
    problems += [f"{key} must be a non-negative integer, got {value!r}" for key, value in numbers.items()
                 if not _is_index(value)]
    if _is_index(numbers["start"]) and _is_index(numbers["end"]) and numbers["start"] >= numbers["end"]:
        problems.append(f"sentence offsets need start < end, got {numbers['start']}, {numbers['end']}")
    return (file, *numbers.values())


def parse_entities(records: list[Any], unit: str, problems: list[str]) -> list[tuple[int, int, str]]:
    """A layer line's entities as (start, end, label) over ``unit`` offsets ("token" or "character"); each
    malformed, unknown, unsorted or overlapping one is left out with its reason added to ``problems``."""
    entities: list[tuple[int, int, str]] = []
    for k, raw in enumerate(records):
        if not (isinstance(raw, dict) and _is_index(raw.get("start")) and _is_index(raw.get("end"))
                and raw["start"] < raw["end"]):
            problems.append(f"entity {k} needs {unit} offsets 0 <= start < end, got {raw!r}")
        elif raw.get("label") not in LABELS:
            problems.append(f"entity {k} has unknown label {raw.get('label')!r}")
        elif entities and raw["start"] < entities[-1][1]:
            problems.append(f"entity {k} overlaps or precedes entity {k - 1} (entities must be sorted, disjoint)")
        else:
            entities.append((raw["start"], raw["end"], raw["label"]))
    return entities


def check_layer_name(name: str, source: str) -> None:
    """A layer's name becomes part of document ids: letters, digits, '.', '_' or '-' only."""
    if not _NAME.match(name):
        raise DataFormatError(f"{source}: layer name {name!r} must be letters, digits, '.', '_' or '-'")


def check_sha(sha: Any, problems: list[str]) -> None:
    """A line's text hash must look like :func:`sentence_hash`'s output."""
    if not isinstance(sha, str) or not _HASH.match(sha):
        problems.append(f"sha must be {HASH_LENGTH} lowercase hex digits, got {sha!r}")


def parse_former(raw: dict[str, Any], where: str, problems: list[str]) -> bool:
    """A relation's or position's ``former`` flag (absent: false); anything but a boolean is a problem."""
    value = raw.get("former", False)
    if not isinstance(value, bool):
        problems.append(f"{where}: former must be true or false (absent: false), got {value!r}")
    return value is True


def _parse_sentence(number: int, record: dict[str, Any]) -> LayerLine:
    """One layer line; every problem found is raised together as ``ValueError('; '-joined reasons)``."""
    problems: list[str] = []
    raw_news = record.get("corpus") == RAW_NEWS
    reference = (_news_reference if raw_news else _corpus_reference)(record, problems)
    sha = record.get("sha")
    check_sha(sha, problems)
    entities = parse_entities(record.get("entities", []), "token", problems)
    relations: list[tuple[Span, Span, Span | None, bool]] = []
    for k, raw in enumerate(record.get("relations", [])):
        try:
            institution = raw.get("institution")
            spans = (_span(raw.get("person")), _span(raw.get("role")),
                     None if institution is None else _span(institution))
        except (AttributeError, ValueError) as error:
            problems.append(f"relation {k}: {error}")
            continue
        relations.append((*spans, parse_former(raw, f"relation {k}", problems)))
    removed: list[Span] = []
    if raw_news and record.get("removed"):
        problems.append(f"removed must be absent or empty on a {RAW_NEWS} line (raw news has no corpus entities)")
    for k, raw in enumerate([] if raw_news else record.get("removed", [])):
        try:
            removed.append(_span(raw))
        except ValueError as error:
            problems.append(f"removed {k}: {error}")
    if problems:
        raise ValueError("; ".join(problems))
    if raw_news:
        return NewsSentence(number, *reference, sha, tuple(entities), tuple(relations))
    return LayerSentence(number, *reference, sha, tuple(entities), tuple(relations), tuple(removed))


def parse_records(records: Iterable[tuple[int, dict[str, Any]]], parse: Callable[[int, dict[str, Any]], T],
                  source: str, check: Callable[[T], str | None] = lambda item: None) -> tuple[list[T], list[str]]:
    """Each ``(line, record)`` through ``parse`` (which raises ``ValueError``), with every problem kept as
    ``source:line: ...``: a line's own, a ``corpus_id`` annotated on an earlier line, and ``check``'s verdict on
    the parsed item (``None`` when it is fine). The loop both layer kinds share."""
    items: list[T] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, record in records:
        try:
            item = parse(number, record)
        except ValueError as error:
            problems.append(f"{source}:{number}: {error}")
            continue
        problem = check(item)
        if item.corpus_id in seen:
            problem = f"{item.corpus_id} already annotated at line {seen[item.corpus_id]}"
        if problem:
            problems.append(f"{source}:{number}: {problem}")
        seen.setdefault(item.corpus_id, number)
        items.append(item)
    return items, problems


def write_sorted(path: str | Path, items: Iterable[Any], key: Callable[[Any], Any]) -> None:
    """Write items' ``to_dict()`` as JSONL (atomically), sorted by ``key`` so diffs stay small."""
    write_text_atomic(path, "".join(json.dumps(item.to_dict(), ensure_ascii=False) + "\n"
                                    for item in sorted(items, key=key)))


def parse_layer(name: str, records: Iterable[tuple[int, dict[str, Any]]], source: str = "<layer>") -> Layer:
    """Check and parse ``(line, record)`` pairs; all problems are raised in one :class:`DataFormatError`.

    A sentence may be annotated once: two lines with one id, or two raw news
    lines whose character ranges overlap in one paragraph, are refused.
    """
    check_layer_name(name, source)
    paragraphs: dict[tuple[str, int, int], list[NewsSentence]] = {}

    def overlap(sentence: LayerSentence | NewsSentence) -> str | None:
        if not isinstance(sentence, NewsSentence):
            return None
        neighbours = paragraphs.setdefault((sentence.file, sentence.article, sentence.paragraph), [])
        overlapping = [s for s in neighbours if s.start < sentence.end and sentence.start < s.end]
        neighbours.append(sentence)
        return (f"{sentence.corpus_id} overlaps {overlapping[0].corpus_id} at line {overlapping[0].line}"
                if overlapping else None)

    sentences, problems = parse_records(records, _parse_sentence, source, overlap)
    if problems:
        raise DataFormatError(f"{source}: {len(problems)} problem(s) in the layer", problems)
    return Layer(name, tuple(sentences), source)


def read_layer(path: str | Path) -> Layer:
    """Read and check a layer file; its name is the file stem."""
    path = Path(path)
    return parse_layer(path.stem, read_records(path), str(path))


def write_layer(path: str | Path, layer: Layer) -> None:
    """Write ``layer`` as JSONL (atomically), sorted by corpus and position so diffs stay small."""
    write_sorted(path, layer.sentences, key=lambda s: s.sort_key)


def _document(doc_id: str, text: str, offsets: Sequence[tuple[int, int]], token_spans: Sequence[tuple[int, int, str]],
              relations: RelationSpans) -> Document:
    """A document over ``text`` from sorted entity token spans and relations by token span; problems raise
    ``ValueError``."""
    for a, b, label in token_spans:
        if b > len(offsets):
            raise ValueError(f"entity {a}:{b} is past the sentence's {len(offsets)} tokens")
    for (a1, b1, l1), (a2, b2, l2) in zip(token_spans, token_spans[1:]):
        if a2 < b1:
            raise ValueError(f"{l2} at tokens {a2}:{b2} overlaps {l1} at {a1}:{b1} (corpus or layer entity)")
    index = {(a, b): k for k, (a, b, _) in enumerate(token_spans)}
    labels = [label for _, _, label in token_spans]
    joined = []
    for person, role, institution, former in relations:
        slots = [index.get(span, -1) if span is not None else None for span in (person, role, institution)]
        problems = relation_problems(labels, slots)
        if problems:
            raise ValueError(f"relation {person}, {role}, {institution}: " + "; ".join(problems)
                             + " (spans must match an entity's tokens exactly)")
        joined.append(Relation(*slots, former=former))
    entities = tuple(Entity(offsets[a][0], offsets[b - 1][1], label, text[offsets[a][0]:offsets[b - 1][1]])
                     for a, b, label in token_spans)
    return Document(text, entities, tuple(joined), id=doc_id)


def _joined_corpus_document(layer: Layer, annotation: LayerSentence, sentence: CorpusSentence) -> Document:
    """The corpus sentence with the layer's entities and relations added; problems raise ``ValueError``."""
    corpus_spans = {(a, b) for a, b, _ in sentence.spans}
    unknown = [span for span in annotation.removed if span not in corpus_spans]
    if unknown:
        raise ValueError(f"removed spans {unknown} are not entities of the corpus sentence")
    token_spans = [span for span in sentence.spans if span[:2] not in set(annotation.removed)]
    token_spans = sorted(token_spans + list(annotation.entities))
    return _document(layer_document_id(layer.name, sentence.id), sentence.text, sentence.token_offsets(),
                     token_spans, annotation.relations)


def _news_offsets(text: str) -> list[tuple[int, int]]:
    return [(token.start, token.end) for token in news_tokens(text)]


_FileContent = dict[str, CorpusSentence] | list[tuple[str, ...]]
"""A corpus file's sentences by id, or a raw news file's paragraphs per article."""


def _file_path(corpus: str, file: str, root: Path) -> Path:
    return news_file_path(file, root) if corpus == RAW_NEWS else corpus_file_path(corpus, file, root)


def _file_content(files: dict[tuple[str, str], _FileContent | None], corpus: str, file: str,
                  root: Path) -> _FileContent | None:
    """The content of one corpus or raw news file, read once into ``files``; None when the file is missing."""
    key = (corpus, file)
    if key not in files:
        path = _file_path(corpus, file, root)
        if not path.is_file():
            files[key] = None
        elif corpus == RAW_NEWS:
            files[key] = read_news_paragraphs(path)
        else:
            files[key] = {s.id: s for s in read_corpus_file(corpus, path).sentences}
    return files[key]


def _text_of(annotation: LayerLine, content: _FileContent) -> str | None:
    if isinstance(annotation, NewsSentence):
        return news_sentence_text(content, annotation.article, annotation.paragraph, annotation.start, annotation.end)
    sentence = content.get(annotation.corpus_id)
    return None if sentence is None else sentence.text


def join_layer(layer: Layer, root: str | Path | None = None) -> list[Document]:
    """The layer's sentences as full documents, reading their text from the corpora under ``root``.

    A corpus line gives the corpus sentence with the layer's additions and
    removals; a raw news line gives the sentence text with exactly the
    layer's entities. A missing corpus or news file, a missing sentence or a
    sentence whose hash differs raises :class:`CorpusMismatchError` naming
    every such line; annotations that do not fit the sentence raise
    :class:`DataFormatError`.
    """
    root = corpora_root(root)
    files: dict[tuple[str, str], _FileContent | None] = {}
    mismatches, problems, documents = [], [], []
    for annotation in layer.sentences:
        key = (annotation.corpus, annotation.file)
        where = f"{layer.source}:{annotation.line}"
        first = key not in files
        content = _file_content(files, *key, root)
        if content is None:
            if first:
                mismatches.append(f"{where}: corpus file {_file_path(*key, root)} is missing")
            continue
        text = _text_of(annotation, content)
        if text is None:
            mismatches.append(f"{where}: {annotation.corpus_id} is not in the corpus (has it changed?)")
            continue
        actual = sentence_hash(text)
        if actual != annotation.sha:
            mismatches.append(f"{where}: the text of {annotation.corpus_id} has changed "
                              f"(hash {actual}, the layer expects {annotation.sha})")
            continue
        try:
            if isinstance(annotation, NewsSentence):
                documents.append(_document(layer_document_id(layer.name, annotation.corpus_id), text,
                                           _news_offsets(text), annotation.entities, annotation.relations))
            else:
                documents.append(_joined_corpus_document(layer, annotation, content[annotation.corpus_id]))
        except ValueError as error:
            problems.append(f"{where}: {error}")
    raise_join_errors(f"layer {layer.name!r}", root, mismatches, problems, "sentence")
    return documents


def raise_join_errors(what: str, root: Path, mismatches: list[str], problems: list[str], unit: str) -> None:
    """A join of stand-off annotations with the corpora fails as a whole: changed text first (the corpora
    moved: ``CorpusMismatchError``), then annotations that do not fit their ``unit`` (``DataFormatError``)."""
    if mismatches:
        raise CorpusMismatchError(f"{what} does not match the corpora under {root}:\n  " + "\n  ".join(mismatches))
    if problems:
        raise DataFormatError(f"{what}: {len(problems)} annotation(s) do not fit their {unit}", problems)


def _token_span(offsets: Sequence[tuple[int, int]], start: int, end: int) -> Span:
    starts = {a: k for k, (a, _) in enumerate(offsets)}
    ends = {b: k for k, (_, b) in enumerate(offsets)}
    if start not in starts or end not in ends:
        raise ValueError(f"span {start}:{end} does not fall on token boundaries")
    return starts[start], ends[end] + 1


def _token_annotations(doc: Document, offsets: Sequence[tuple[int, int]]) -> tuple[EntitySpans, RelationSpans]:
    """The document's entities and relations over token indices; an entity off token boundaries raises
    ``ValueError``."""
    spans = tuple((*_token_span(offsets, e.start, e.end), e.label) for e in doc.entities)
    relations = tuple((spans[r.person][:2], spans[r.role][:2],
                       None if r.institution is None else spans[r.institution][:2], r.former) for r in doc.relations)
    return spans, relations


def _corpus_line(doc: Document, corpus_id: str, files: dict[tuple[str, str], _FileContent | None],
                 root: Path) -> LayerSentence:
    parts = corpus_id.split("/")
    if len(parts) != 3 or parts[0] not in CORPORA or parts[1] not in CORPORA[parts[0]].stems \
            or not parts[2].isdigit():
        raise ValueError(f"not a corpus sentence id 'corpus/file/index' "
                         f"nor a raw news one '{RAW_NEWS}/file/article/paragraph/start-end'")
    sentence = (_file_content(files, parts[0], parts[1], root) or {}).get(corpus_id)
    if sentence is None or sentence.text != doc.text:
        raise ValueError(f"its text is not the text of corpus sentence {corpus_id}")
    spans, relations = _token_annotations(doc, sentence.token_offsets())
    added = tuple(span for span in spans if span not in sentence.spans)
    removed = tuple(sorted(span[:2] for span in set(sentence.spans) - set(spans)))
    return LayerSentence(0, parts[0], parts[1], int(parts[2]), sentence_hash(sentence.text), added, relations, removed)


def _news_line(doc: Document, corpus_id: str, files: dict[tuple[str, str], _FileContent | None],
               root: Path) -> NewsSentence:
    file, article, paragraph, start, end = parse_news_id(corpus_id)
    articles = _file_content(files, RAW_NEWS, file, root)
    if articles is None or news_sentence_text(articles, article, paragraph, start, end) != doc.text:
        raise ValueError(f"its text is not the text of raw news sentence {corpus_id}")
    spans, relations = _token_annotations(doc, _news_offsets(doc.text))
    return NewsSentence(0, file, article, paragraph, start, end, sentence_hash(doc.text), spans, relations)


def layer_from_documents(name: str, documents: Iterable[Document], root: str | Path | None = None) -> Layer:
    """The layer that turns corpus or raw news sentences into ``documents`` (e.g. corrected in Label Studio).

    Each document's id is a corpus id (``peyma/train/12``), a raw news id
    (``news-raw/fars-news-1/12/3/0-141``) or a layered id; its text must equal
    the sentence's text. On a corpus sentence, entities the corpus does not
    have become layer entities and corpus entities the document lacks become
    the layer's ``removed`` spans; a raw news sentence keeps all its entities.
    """
    root = corpora_root(root)
    files: dict[tuple[str, str], _FileContent | None] = {}
    sentences, problems = [], []
    for doc in documents:
        corpus_id = split_layer_id(doc.id)[1] if (doc.id or "").startswith(LAYER_PREFIX) else (doc.id or "")
        line = _news_line if corpus_id.startswith(RAW_NEWS + "/") else _corpus_line
        try:
            sentences.append(line(doc, corpus_id, files, root))
        except ValueError as error:
            problems.append(f"{doc.id}: {error}")
    if problems:
        raise DataFormatError(f"cannot express {len(problems)} document(s) as layer {name!r}", problems)
    return Layer(name, tuple(sentences))
