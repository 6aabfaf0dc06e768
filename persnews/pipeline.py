"""The extraction pipeline: normalise → segment → tag → consistency → relate → officials.

The single-text call is the batch call's first result, so there is one code
path. Stages run in the order of :data:`STAGES`; none reaches back up it.

>>> STAGES
('normalise', 'segment', 'tag', 'consistency', 'relate', 'officials')

The consistency stage (:mod:`persnews.consistency`) marks a name's other
mentions in the document; ``load(consistency=False)`` leaves the tagger's
entities as they are.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Iterable, Sequence

from tqdm.auto import tqdm

from .consistency import ConsistencyOptions, propagate
from .document import Document, Entity
from .normalization import normalize
from .officials import build_officials
from .relation_scorer import RelationScorer
from .relations import extract_relations
from .segmentation import Sentence, sentences
from .tagging import Tagger, resolve_model_dir

STAGES = ("normalise", "segment", "tag", "consistency", "relate", "officials")

DEFAULT_MODEL = "persnews-fa-base"
"""The shipped model used when no model is named (see :func:`persnews.tagging.shipped_models`)."""

_CHUNK = 256  # documents held in memory at once by extract_many


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"persnews extracts from str, got {type(text).__name__}; decode bytes first")
    return text


class Extractor:
    """A loaded model, reused across calls: ``extract(text)`` and ``extract_many(texts)``.

    ``consistency`` sets the document-level consistency stage; None turns it off.
    """

    def __init__(self, tagger: Tagger, relation_scorer: RelationScorer | None = None,
                 consistency: ConsistencyOptions | None = ConsistencyOptions()):
        self.tagger = tagger
        self.relation_scorer = relation_scorer
        self.consistency = consistency

    def extract(self, text: str) -> Document:
        """Entities, relations and officials of one text (an empty Document for blank text)."""
        return self.extract_many([text])[0]

    def extract_many(self, texts: Iterable[str], batch_size: int = 32, progress: bool = False) -> list[Document]:
        """Extract from many texts, batching encoder windows across documents.

        ``batch_size`` is the number of encoder windows per forward pass;
        ``progress`` shows a bar on stderr.
        """
        if isinstance(texts, str):
            raise TypeError("extract_many takes an iterable of str; use extract() for one text")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        results: list[Document] = []
        chunk: list[str] = []
        total = len(texts) if isinstance(texts, Sequence) else None
        with tqdm(total=total, disable=not progress, unit="doc", desc="extract") as bar:
            for text in texts:
                chunk.append(_check_text(text))
                if len(chunk) == _CHUNK:
                    results += self._run(chunk, batch_size)
                    bar.update(len(chunk))
                    chunk = []
            if chunk:
                results += self._run(chunk, batch_size)
                bar.update(len(chunk))
        return results

    def _run(self, texts: Sequence[str], batch_size: int) -> list[Document]:
        return [self.finish(text, sents, entities) for text, (sents, entities) in zip(texts, self.tag(texts, batch_size))]

    def tag(self, texts: Sequence[str], batch_size: int = 32) -> list[tuple[list[Sentence], list[Entity]]]:
        """The stages up to tagging: each text's sentences and the tagger's entities. With :meth:`finish`, an
        experiment can vary the later stages over one tagging (``bench/consistency_ab.py``)."""
        segmented: list[list[Sentence]] = [sentences(normalize(text)) for text in texts]
        return list(zip(segmented, self.tagger.tag(segmented, texts, batch_size=batch_size)))

    def finish(self, text: str, sents: Sequence[Sentence], entities: Sequence[Entity]) -> Document:
        """The stages after tagging: consistency (unless off), relations and officials."""
        if self.consistency is not None:
            entities = propagate(text, sents, entities, self.consistency)
        relations = extract_relations(text, sents, entities, self.relation_scorer)
        titles = self.relation_scorer.titles if self.relation_scorer is not None else None
        officials = build_officials(text, sents, entities, relations, titles)
        return Document(text, tuple(entities), tuple(relations), tuple(officials))


def load(name: str | os.PathLike | None = None, *, device: str | None = None, precision: str | None = None,
         convention: str | None = None, consistency: bool = True, backend: str = "torch") -> Extractor:
    """Load a shipped model's name, a model folder or a hub id (default: the shipped model) once, for many calls.

    The network computes in the model's own precision unless ``precision``
    says ``"float32"``, ``"bfloat16"`` or ``"int8"`` (see :meth:`Tagger.load`);
    ``convention`` tags as one of the corpora the model was trained on does
    (``"peyma"``) instead of by this project's guidelines;
    ``consistency=False`` turns the document-level consistency stage off. ``backend="onnx"`` computes the
    network with ONNX Runtime (``pip install "persnews[onnx]"``).
    """
    directory = resolve_model_dir(DEFAULT_MODEL if name is None else name)
    tagger = Tagger.load(directory, device=device, precision=precision, convention=convention, backend=backend)
    scorer = RelationScorer.load(directory) if (directory / "relations.safetensors").is_file() else None
    return Extractor(tagger, scorer, ConsistencyOptions() if consistency else None)


@lru_cache(maxsize=4)
def _cached(name: str | None) -> Extractor:
    return load(name)


def _extractor(model: str | os.PathLike | Extractor | None) -> Extractor:
    return model if isinstance(model, Extractor) else _cached(None if model is None else str(model))


def extract(text: str, model: str | os.PathLike | Extractor | None = None) -> Document:
    """Extract from one text with ``model`` (an Extractor, a shipped name, a folder, a hub id, or the default)."""
    _check_text(text)
    return _extractor(model).extract(text)


def extract_many(texts: Iterable[str], model: str | os.PathLike | Extractor | None = None, batch_size: int = 32,
                 progress: bool = False) -> list[Document]:
    """:meth:`Extractor.extract_many` with ``model`` loaded once and kept, like :func:`extract`."""
    return _extractor(model).extract_many(texts, batch_size=batch_size, progress=progress)
