"""Corpus-scale extraction: many documents from JSONL, Parquet or ``.txt`` files into result shards.

``persnews extract-corpus`` calls :func:`extract_corpus`; the Ray engine lives
in :mod:`persnews.distributed` (the ``ray`` extra).
"""

from .run import CorpusSummary, extract_corpus

__all__ = ["extract_corpus", "CorpusSummary"]
