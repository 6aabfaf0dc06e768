"""persnews: who holds which office in Persian news.

>>> import persnews
>>> doc = persnews.extract("...")            # doctest: +SKIP
>>> [(e.label, e.text) for e in doc.entities]  # doctest: +SKIP

The model-facing names (``extract``, ``extract_many``, ``load``, ``Extractor``) are imported on
first use, so ``import persnews`` and ``persnews --version`` stay quick.
"""

from __future__ import annotations

from typing import Any

from .document import LABELS, Document, Entity, Official, Position, Relation
from .errors import (ConventionError, CorpusMismatchError, DataFormatError, InputDecodeError, ModelLoadError,
                     OutputConflictError, PersnewsError, TrainingError)

__version__ = "0.1.0"

__all__ = ["extract", "extract_many", "load", "Extractor", "Document", "Entity", "Relation", "Official", "Position",
           "LABELS", "PersnewsError", "ModelLoadError", "InputDecodeError", "DataFormatError", "CorpusMismatchError",
           "ConventionError", "TrainingError", "OutputConflictError", "__version__"]

_LAZY = {"extract", "extract_many", "load", "Extractor"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'persnews' has no attribute {name!r}")
