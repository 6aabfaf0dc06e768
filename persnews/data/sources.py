"""Named data sources for training and evaluation.

``peyma:test`` and ``arman:fold3`` (a corpus file), ``data/releases/v1:test``
(a release split), ``layer:data/layers/roles-v1.jsonl:test`` (the corpus and
raw news sentences of a stand-off layer in that split, joined with their
layer; :func:`~persnews.data.splits.corpus_split` says which; a fourth
field keeps one corpus of the layer: ``layer:data/layers/roles-v1.jsonl:test:news-raw``),
``docs:data/layers/news-docs-v1.jsonl:test`` (the whole articles of a docs layer,
:mod:`persnews.data.docs_layer`, in the split each line names), or a ``.jsonl``
file; ``silver:DIR`` (``silver:DIR:soft``, ``silver:DIR:hard``, ``silver:DIR:hard:0.95``) is text a
teacher model labelled (:mod:`persnews.distillation`), for training only. A source says which labels it
annotates: third-party corpora never tagged ROLE, so a model is neither taught nor scored on ROLE there.

>>> parse_source("arman:fold3").labels
('PER', 'ORG', 'LOC')
>>> parse_source("data/releases/v1:test").kind
'release'
>>> parse_source("layer:data/layers/roles-v1.jsonl:train").kind
'layer'
>>> parse_source("docs:data/layers/news-docs-v1.jsonl:test").kind
'docs'
>>> parse_source("layer:data/layers/roles-v1.jsonl:test:news-raw").only
'news-raw'
>>> parse_source("peyma:test").convention, parse_source("layer:data/layers/roles-v1.jsonl:test:peyma").convention
('peyma', 'persnews')
>>> source = parse_source("silver:runs/silver:hard:0.95")
>>> source.kind, source.name, source.part, source.threshold
('silver', 'runs/silver', 'hard', 0.95)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..document import LABELS, Document
from ..errors import DataSourceError
from .corpora import CORPORA, corpora_root, read_corpus_file
from .docs_layer import DOCS_PREFIX, docs_split, read_docs_layer
from .jsonl import read_documents
from .splits import SPLITS, corpus_split
from .standoff import LAYER_PREFIX, RAW_NEWS, join_layer, read_layer, split_layer_id
from .validation import check_release

CORPUS_LABELS = ("PER", "ORG", "LOC")
PROJECT_CONVENTION = "persnews"
"""The annotation convention of our guidelines: releases, stand-off layers and ``.jsonl`` files follow it."""
SILVER_PREFIX = "silver:"
SILVER_MODES = ("soft", "hard")
"""How a student learns from a teacher's labels: its marginals as soft targets, or its confident tags."""
DEFAULT_SILVER_THRESHOLD = 0.9
"""Hard silver labels: each word may take the fewest tags that hold this much of the teacher's probability."""


@dataclass(frozen=True)
class Source:
    """``kind`` is ``corpus``, ``release``, ``layer``, ``docs`` or ``jsonl``; ``name`` and ``part`` locate it;
    ``only`` keeps one corpus of a layer; ``threshold`` is a hard silver source's confidence threshold."""

    spec: str
    kind: str
    name: str
    part: str
    labels: tuple[str, ...]
    only: str = ""
    threshold: float | None = None

    @property
    def convention(self) -> str:
        """Whose span conventions the gold follows: a corpus's own (its name), or ``PROJECT_CONVENTION``."""
        return self.name if self.kind == "corpus" else PROJECT_CONVENTION


def parse_source(spec: str) -> Source:
    """``CORPUS:FILE`` (file stem, e.g. ``peyma:train``), ``RELEASE_DIR:SPLIT``, or ``FILE.jsonl``."""
    if spec.startswith(SILVER_PREFIX):
        return _silver_source(spec)
    head, _, tail = spec.rpartition(":")
    if head.startswith(DOCS_PREFIX):
        if tail not in SPLITS:
            raise DataSourceError(f"{spec!r}: a docs layer source is docs:LAYER.jsonl:{{{','.join(SPLITS)}}}")
        return Source(spec, "docs", head[len(DOCS_PREFIX):], tail, LABELS)
    if head.startswith(LAYER_PREFIX) and tail in SPLITS:
        return Source(spec, "layer", head[len(LAYER_PREFIX):], tail, LABELS)
    layer, _, split = head.rpartition(":")
    if layer.startswith(LAYER_PREFIX) and split in SPLITS:
        if tail not in (*CORPORA, RAW_NEWS):
            raise DataSourceError(f"unknown corpus {tail!r} in {spec!r}: use one of {', '.join((*CORPORA, RAW_NEWS))}")
        return Source(spec, "layer", layer[len(LAYER_PREFIX):], split, LABELS, only=tail)
    if head in CORPORA:
        return Source(spec, "corpus", head, tail, CORPUS_LABELS)
    if spec.endswith(".jsonl"):
        return Source(spec, "jsonl", spec, "", LABELS)
    if head and tail in ("train", "dev", "test"):
        return Source(spec, "release", head, tail, LABELS)
    raise DataSourceError(f"unknown data source {spec!r}: use CORPUS:FILE ({', '.join(CORPORA)}), "
                          "RELEASE_DIR:{train,dev,test}, layer:LAYER.jsonl:{train,dev,test}, "
                          "docs:LAYER.jsonl:{train,dev,test}, silver:DIR[:soft|:hard[:THRESHOLD]] or a .jsonl file")


def _silver_source(spec: str) -> Source:
    """``silver:DIR`` (soft targets), ``silver:DIR:soft``, ``silver:DIR:hard`` or ``silver:DIR:hard:THRESHOLD``."""
    rest = spec[len(SILVER_PREFIX):]
    head, _, tail = rest.rpartition(":")
    directory, mode, threshold = rest, "soft", None
    if tail in SILVER_MODES:
        directory, mode = head, tail
    elif head.rpartition(":")[2] in SILVER_MODES:
        directory, _, mode = head.rpartition(":")
        try:
            threshold = float(tail)
        except ValueError:
            threshold = -1.0
        if mode != "hard" or not 0 < threshold < 1:
            raise DataSourceError(f"{spec!r}: only hard silver labels take a threshold, a number between 0 and 1 "
                                  "(e.g. silver:DIR:hard:0.9)")
    elif ":" in rest:
        raise DataSourceError(f"{spec!r}: unknown silver mode {tail!r}; use {' or '.join(SILVER_MODES)}")
    if not directory:
        raise DataSourceError(f"{spec!r} names no folder: silver:DIR[:soft|:hard[:THRESHOLD]]")
    if mode == "hard" and threshold is None:
        threshold = DEFAULT_SILVER_THRESHOLD
    return Source(spec, "silver", directory, mode, LABELS, threshold=threshold)


def load_source(source: Source, corpora: str | Path | None = None) -> list[Document]:
    """The documents of a source; corpus files are read from the corpora folder by path."""
    if source.kind == "silver":
        raise DataSourceError(f"{source.spec}: silver sentences are training data (--train), not documents to "
                              "score; read them with persnews.distillation.read_silver")
    if source.kind == "corpus":
        spec = CORPORA[source.name]
        stems = {Path(f).stem: f for f in spec.files}
        if source.part not in stems:
            raise DataSourceError(f"{source.name} has no file {source.part!r}; it has {', '.join(stems)}")
        path = corpora_root(corpora) / spec.folder / stems[source.part]
        return [s.to_document() for s in read_corpus_file(source.name, path).sentences]
    if source.kind == "layer":
        prefix = source.only + "/" if source.only else ""
        joined = [(d, split_layer_id(d.id)[1]) for d in join_layer(read_layer(source.name), corpora)]
        return [d for d, corpus_id in joined if corpus_id.startswith(prefix) and corpus_split(corpus_id) == source.part]
    if source.kind == "docs":
        return docs_split(read_docs_layer(source.name), source.part, corpora)
    if source.kind == "release":
        check_release(source.name)  # training and evaluation refuse an invalid release, naming every problem
    path = Path(source.name) / f"{source.part}.jsonl" if source.kind == "release" else Path(source.name)
    return [document for _, document in read_documents(path)]

