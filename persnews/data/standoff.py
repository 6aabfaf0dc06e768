"""Stand-off layers: our ROLE spans and relations on third-party corpus sentences, stored by reference.

The corpora's text may not be copied into the project, so a layer stores only
where its annotations go. A layer is a JSONL file; each line refers to one
corpus sentence and adds entities (usually ROLE) and relations to it::

    {"corpus": "peyma", "file": "train", "sentence": 12, "sha": "3f2a9c0b1d4e",
     "entities": [{"start": 3, "end": 5, "label": "ROLE"}],
     "relations": [{"person": [0, 2], "role": [3, 5], "institution": [5, 7]}]}

* ``corpus``/``file``/``sentence`` name the sentence as the importers number it
  (:mod:`persnews.data.corpora`, id ``peyma/train/12``);
* ``sha`` is :func:`sentence_hash` of the sentence's text, so a missing or
  changed corpus is an error (:class:`CorpusMismatchError`), never a silent
  misalignment;
* entity offsets are token indices ``[start, end)`` of the corpus sentence;
* ``removed`` (optional) lists token spans of the corpus's own entities that
  the layer drops, to correct the corpus (a relabelled or re-cut entity is
  removed here and added again in ``entities``);
* a relation names its person, role and institution (or null) by token span,
  so it can point at the corpus's own PER/ORG/LOC entities as well as the
  layer's. A sentence listed with no entities says "checked: no role here".

The layer's name is its file stem; joined documents get the id
``layer:<name>/<corpus id>`` and the source ``layer:<name>``. Layers carry no
``officials`` (their names would be corpus text).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..document import LABELS, Document, Entity, Relation
from ..errors import CorpusMismatchError, DataFormatError
from .corpora import CORPORA, CorpusSentence, corpora_root, corpus_file_path, read_corpus_file
from .jsonl import read_records, write_text_atomic
from .labels import relation_problems

LAYER_PREFIX = "layer:"
HASH_LENGTH = 12
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_HASH = re.compile(f"^[0-9a-f]{{{HASH_LENGTH}}}$")

Span = tuple[int, int]


def sentence_hash(text: str) -> str:
    """The short hash a layer stores for a sentence's text (first 12 hex digits of sha256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def layer_document_id(name: str, corpus_id: str) -> str:
    return f"{LAYER_PREFIX}{name}/{corpus_id}"


def split_layer_id(doc_id: str) -> tuple[str, str]:
    """``("layer:<name>", corpus id)`` for a layered document id; other ids raise ``ValueError``."""
    head, slash, corpus_id = doc_id.partition("/")
    if not head.startswith(LAYER_PREFIX) or not slash:
        raise ValueError(f"{doc_id!r} is not a layered document id ('layer:<name>/<corpus>/<file>/<index>')")
    return head, corpus_id


@dataclass(frozen=True)
class LayerSentence:
    """One line of a layer: annotations for one corpus sentence, over its token indices."""

    line: int = field(compare=False)
    corpus: str
    file: str
    sentence: int
    sha: str
    entities: tuple[tuple[int, int, str], ...] = ()
    relations: tuple[tuple[Span, Span, Span | None], ...] = ()
    removed: tuple[Span, ...] = ()

    @property
    def corpus_id(self) -> str:
        return f"{self.corpus}/{self.file}/{self.sentence}"

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "file": self.file, "sentence": self.sentence, "sha": self.sha,
                "entities": [{"start": a, "end": b, "label": label} for a, b, label in self.entities],
                "relations": [{"person": list(p), "role": list(r), "institution": None if i is None else list(i)}
                              for p, r, i in self.relations],
                **({"removed": [list(span) for span in self.removed]} if self.removed else {})}


@dataclass(frozen=True)
class Layer:
    """A named set of layer sentences; ``source`` names the file in messages."""

    name: str
    sentences: tuple[LayerSentence, ...]
    source: str = field(default="<layer>", compare=False)


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _span(value: Any) -> Span:
    if not (isinstance(value, list) and len(value) == 2 and all(map(_is_index, value)) and value[0] < value[1]):
        raise ValueError(f"{value!r} is not a token span [start, end]")
    return value[0], value[1]


def _parse_sentence(number: int, record: dict[str, Any]) -> LayerSentence:
    """One layer line; every problem found is raised together as ``ValueError('; '-joined reasons)``."""
    problems = []
    corpus, file, index, sha = (record.get(k) for k in ("corpus", "file", "sentence", "sha"))
    if corpus not in CORPORA:
        problems.append(f"unknown corpus {corpus!r}")
    elif file not in CORPORA[corpus].stems:
        problems.append(f"{corpus} has no file {file!r}")
    if not _is_index(index):
        problems.append(f"sentence must be a non-negative integer, got {index!r}")
    if not isinstance(sha, str) or not _HASH.match(sha):
        problems.append(f"sha must be {HASH_LENGTH} lowercase hex digits, got {sha!r}")
    entities: list[tuple[int, int, str]] = []
    for k, raw in enumerate(record.get("entities", [])):
        if not (isinstance(raw, dict) and _is_index(raw.get("start")) and _is_index(raw.get("end"))
                and raw["start"] < raw["end"]):
            problems.append(f"entity {k} needs token offsets 0 <= start < end, got {raw!r}")
        elif raw.get("label") not in LABELS:
            problems.append(f"entity {k} has unknown label {raw.get('label')!r}")
        elif entities and raw["start"] < entities[-1][1]:
            problems.append(f"entity {k} overlaps or precedes entity {k - 1} (entities must be sorted, disjoint)")
        else:
            entities.append((raw["start"], raw["end"], raw["label"]))
    relations: list[tuple[Span, Span, Span | None]] = []
    for k, raw in enumerate(record.get("relations", [])):
        try:
            institution = raw.get("institution")
            relations.append((_span(raw.get("person")), _span(raw.get("role")),
                              None if institution is None else _span(institution)))
        except (AttributeError, ValueError) as error:
            problems.append(f"relation {k}: {error}")
    removed: list[Span] = []
    for k, raw in enumerate(record.get("removed", [])):
        try:
            removed.append(_span(raw))
        except ValueError as error:
            problems.append(f"removed {k}: {error}")
    if problems:
        raise ValueError("; ".join(problems))
    return LayerSentence(number, corpus, file, index, sha, tuple(entities), tuple(relations), tuple(removed))


def parse_layer(name: str, records: Iterable[tuple[int, dict[str, Any]]], source: str = "<layer>") -> Layer:
    """Check and parse ``(line, record)`` pairs; all problems are raised in one :class:`DataFormatError`."""
    if not _NAME.match(name):
        raise DataFormatError(f"{source}: layer name {name!r} must be letters, digits, '.', '_' or '-'")
    sentences, problems, seen = [], [], {}
    for number, record in records:
        try:
            sentence = _parse_sentence(number, record)
        except ValueError as error:
            problems.append(f"{source}:{number}: {error}")
            continue
        if sentence.corpus_id in seen:
            problems.append(f"{source}:{number}: {sentence.corpus_id} already annotated at line {seen[sentence.corpus_id]}")
        seen[sentence.corpus_id] = number
        sentences.append(sentence)
    if problems:
        raise DataFormatError(f"{source}: {len(problems)} problem(s) in the layer", problems)
    return Layer(name, tuple(sentences), source)


def read_layer(path: str | Path) -> Layer:
    """Read and check a layer file; its name is the file stem."""
    path = Path(path)
    return parse_layer(path.stem, read_records(path), str(path))


def write_layer(path: str | Path, layer: Layer) -> None:
    """Write ``layer`` as JSONL (atomically), sorted by corpus sentence so diffs stay small."""
    ordered = sorted(layer.sentences, key=lambda s: (s.corpus, s.file, s.sentence))
    write_text_atomic(path, "".join(json.dumps(s.to_dict(), ensure_ascii=False) + "\n" for s in ordered))


def _joined_document(layer: Layer, annotation: LayerSentence, sentence: CorpusSentence) -> Document:
    """The corpus sentence with the layer's entities and relations added; problems raise ``ValueError``."""
    offsets = sentence.token_offsets()
    text = sentence.text
    corpus_spans = {(a, b) for a, b, _ in sentence.spans}
    unknown = [span for span in annotation.removed if span not in corpus_spans]
    if unknown:
        raise ValueError(f"removed spans {unknown} are not entities of the corpus sentence")
    token_spans = [span for span in sentence.spans if span[:2] not in set(annotation.removed)]
    for a, b, label in annotation.entities:
        if b > len(offsets):
            raise ValueError(f"entity {a}:{b} is past the sentence's {len(offsets)} tokens")
        token_spans.append((a, b, label))
    token_spans.sort()
    for (a1, b1, l1), (a2, b2, l2) in zip(token_spans, token_spans[1:]):
        if a2 < b1:
            raise ValueError(f"{l2} at tokens {a2}:{b2} overlaps {l1} at {a1}:{b1} (corpus or layer entity)")
    index = {(a, b): k for k, (a, b, _) in enumerate(token_spans)}
    labels = [label for _, _, label in token_spans]
    relations = []
    for person, role, institution in annotation.relations:
        slots = [index.get(span, -1) if span is not None else None for span in (person, role, institution)]
        problems = relation_problems(labels, slots)
        if problems:
            raise ValueError(f"relation {person}, {role}, {institution}: " + "; ".join(problems)
                             + " (spans must match an entity's tokens exactly)")
        relations.append(Relation(*slots))
    entities = tuple(Entity(offsets[a][0], offsets[b - 1][1], label, text[offsets[a][0]:offsets[b - 1][1]])
                     for a, b, label in token_spans)
    return Document(text, entities, tuple(relations), id=layer_document_id(layer.name, sentence.id))


def _corpus_sentences(corpus: str, file: str, root: Path) -> dict[str, CorpusSentence] | None:
    """The sentences of one corpus file by id, or None when the file is missing."""
    path = corpus_file_path(corpus, file, root)
    if not path.is_file():
        return None
    return {s.id: s for s in read_corpus_file(corpus, path).sentences}


def join_layer(layer: Layer, root: str | Path | None = None) -> list[Document]:
    """The layer's sentences as full documents, reading their text from the corpora under ``root``.

    A missing corpus, a missing sentence or a sentence whose hash differs
    raises :class:`CorpusMismatchError` naming every such line; annotations
    that do not fit the sentence raise :class:`DataFormatError`.
    """
    root = corpora_root(root)
    files: dict[tuple[str, str], dict[str, CorpusSentence] | None] = {}
    mismatches, problems, documents = [], [], []
    for annotation in layer.sentences:
        key = (annotation.corpus, annotation.file)
        where = f"{layer.source}:{annotation.line}"
        if key not in files:
            files[key] = _corpus_sentences(annotation.corpus, annotation.file, root)
            if files[key] is None:
                mismatches.append(f"{where}: corpus file {corpus_file_path(*key, root)} is missing")
        if files[key] is None:
            continue
        sentence = files[key].get(annotation.corpus_id)
        if sentence is None:
            mismatches.append(f"{where}: {annotation.corpus_id} is not in the corpus (has it changed?)")
            continue
        actual = sentence_hash(sentence.text)
        if actual != annotation.sha:
            mismatches.append(f"{where}: the text of {annotation.corpus_id} has changed "
                              f"(hash {actual}, the layer expects {annotation.sha})")
            continue
        try:
            documents.append(_joined_document(layer, annotation, sentence))
        except ValueError as error:
            problems.append(f"{where}: {error}")
    if mismatches:
        raise CorpusMismatchError(f"layer {layer.name!r} does not match the corpora under {root}:\n  "
                                  + "\n  ".join(mismatches))
    if problems:
        raise DataFormatError(f"layer {layer.name!r}: {len(problems)} annotation(s) do not fit their sentence",
                              problems)
    return documents


def _token_span(offsets: Sequence[tuple[int, int]], start: int, end: int) -> Span:
    starts = {a: k for k, (a, _) in enumerate(offsets)}
    ends = {b: k for k, (_, b) in enumerate(offsets)}
    if start not in starts or end not in ends:
        raise ValueError(f"span {start}:{end} does not fall on token boundaries")
    return starts[start], ends[end] + 1


def layer_from_documents(name: str, documents: Iterable[Document], root: str | Path | None = None) -> Layer:
    """The layer that turns corpus sentences into ``documents`` (e.g. corpus sentences corrected in Label Studio).

    Each document's id is a corpus id (``peyma/train/12``) or a layered id; its
    text must equal the corpus sentence's text. Entities the corpus does not
    have become layer entities; corpus entities the document lacks become the
    layer's ``removed`` spans.
    """
    root = corpora_root(root)
    files: dict[tuple[str, str], dict[str, CorpusSentence] | None] = {}
    sentences, problems = [], []
    for doc in documents:
        corpus_id = split_layer_id(doc.id)[1] if (doc.id or "").startswith(LAYER_PREFIX) else (doc.id or "")
        parts = corpus_id.split("/")
        if len(parts) != 3 or parts[0] not in CORPORA or parts[1] not in CORPORA[parts[0]].stems \
                or not parts[2].isdigit():
            problems.append(f"{doc.id}: not a corpus sentence id 'corpus/file/index'")
            continue
        key = (parts[0], parts[1])
        if key not in files:
            files[key] = _corpus_sentences(parts[0], parts[1], root)
        sentence = (files[key] or {}).get(corpus_id)
        if sentence is None or sentence.text != doc.text:
            problems.append(f"{doc.id}: its text is not the text of corpus sentence {corpus_id}")
            continue
        offsets = sentence.token_offsets()
        try:
            spans = [(*_token_span(offsets, e.start, e.end), e.label) for e in doc.entities]
            relations = tuple(
                (spans[r.person][:2], spans[r.role][:2],
                 None if r.institution is None else spans[r.institution][:2]) for r in doc.relations)
        except ValueError as error:
            problems.append(f"{doc.id}: {error}")
            continue
        added = tuple(span for span in spans if span not in sentence.spans)
        removed = tuple(sorted(span[:2] for span in set(sentence.spans) - set(spans)))
        sentences.append(LayerSentence(0, parts[0], parts[1], int(parts[2]), sentence_hash(sentence.text),
                                       added, relations, removed))
    if problems:
        raise DataFormatError(f"cannot express {len(problems)} document(s) as layer {name!r}", problems)
    return Layer(name, tuple(sentences))
