"""The extraction pipeline: normalise → segment → tag → relate → officials.

The single-text call is the batch call's first result, so there is one code
path. Stages run in the order of :data:`STAGES`; none reaches back up it.

>>> STAGES
('normalise', 'segment', 'tag', 'relate', 'officials')
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from tqdm.auto import tqdm

from .document import Document
from .errors import ModelLoadError
from .normalization import normalize
from .officials import build_officials
from .relations import RelationScorer, extract_relations
from .segmentation import Sentence, sentences
from .tagging import Tagger, resolve_model_dir

STAGES = ("normalise", "segment", "tag", "relate", "officials")

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "persnews-fa-small"
"""The model shipped in the repository's ``models/`` folder, used when no model is named."""

_CHUNK = 256  # documents held in memory at once by extract_many


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"persnews extracts from str, got {type(text).__name__}; decode bytes first")
    return text


class Extractor:
    """A loaded model, reused across calls: ``extract(text)`` and ``extract_many(texts)``."""

    def __init__(self, tagger: Tagger, relation_scorer: RelationScorer | None = None):
        self.tagger = tagger
        self.relation_scorer = relation_scorer

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
        segmented: list[list[Sentence]] = [sentences(normalize(text)) for text in texts]
        tagged = self.tagger.tag(segmented, texts, batch_size=batch_size)
        documents = []
        for text, sents, entities in zip(texts, segmented, tagged):
            relations = extract_relations(text, sents, entities, self.relation_scorer)
            officials = build_officials(text, sents, entities, relations)
            documents.append(Document(text, tuple(entities), tuple(relations), tuple(officials)))
        return documents


def load(name: str | os.PathLike | None = None, *, device: str | None = None, quantize: bool | None = None,
         convention: str | None = None, backend: str = "torch") -> Extractor:
    """Load a model folder or hub id (default: the shipped model) once, for many calls.

    On CPU the linear layers run in int8 unless ``quantize=False`` (see
    :meth:`Tagger.load`); ``convention`` tags as one of the corpora the model
    was trained on does (``"peyma"``) instead of by this project's guidelines;
    ``backend="onnx"`` computes the network with ONNX Runtime (``pip install "persnews[onnx]"``).
    """
    directory = resolve_model_dir(DEFAULT_MODEL if name is None else name)
    if name is None and not directory.is_dir():
        raise ModelLoadError(f"the default model is missing from {DEFAULT_MODEL}; reinstall persnews from a full clone")
    tagger = Tagger.load(directory, device=device, quantize=quantize, convention=convention, backend=backend)
    scorer = RelationScorer.load(directory) if (directory / "relations.safetensors").is_file() else None
    return Extractor(tagger, scorer)


@lru_cache(maxsize=4)
def _cached(name: str | None) -> Extractor:
    return load(name)


def extract(text: str, model: str | os.PathLike | Extractor | None = None) -> Document:
    """Extract from one text with ``model`` (an Extractor, a folder, a hub id, or the default)."""
    _check_text(text)
    extractor = model if isinstance(model, Extractor) else _cached(None if model is None else str(model))
    return extractor.extract(text)
