"""Silver sentences: the shards a teacher wrote, read back as a student's training targets.

A shard line holds one sentence: its ``id`` (``source:paragraph:sentence``),
its ``words`` (the pipeline's tokens, as the student reads them), the
teacher's Viterbi ``tags`` and its per-word ``marginals`` (words × tags,
float16, little-endian, base64; columns in the manifest's ``tags`` order).

A student learns from them in one of two modes (``silver:DIR:soft`` or
``silver:DIR:hard[:THRESHOLD]``, see :mod:`persnews.data.sources`):

- ``hard``: each word may take the fewest tags that hold ``THRESHOLD`` of the
  teacher's probability (its Viterbi tag always among them). A confident word
  gets its one tag; an uncertain one a partial label, summed over by the CRF
  exactly as a corpus's possible titles are (:mod:`persnews.crf`).
- ``soft``: the student's CRF marginals are pulled towards the teacher's
  (:meth:`persnews.crf.CRF.soft_loss`); no hard label at all.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..corpus.shards import MANIFEST
from ..data.labels import BIO_TAGS
from ..errors import DataSourceError

logger = logging.getLogger(__name__)

SILVER_FORMAT = "persnews-silver/1"
"""The ``format`` a silver folder's manifest names."""
ALL_TAGS = (1 << len(BIO_TAGS)) - 1
"""Allowed-tag bits of a word that may take any tag (its loss then comes from soft targets alone)."""


@dataclass(frozen=True)
class SilverSentence:
    """One teacher-labelled sentence; ``marginals`` is (words, tags) float16 in :data:`BIO_TAGS` order."""

    id: str
    words: tuple[str, ...]
    tags: tuple[str, ...]
    marginals: np.ndarray


def encode_marginals(marginals: np.ndarray) -> str:
    """A (words, tags) array as the base64 of its little-endian float16 bytes (18 bytes a word for 9 tags)."""
    return base64.b64encode(np.ascontiguousarray(marginals, dtype="<f2").tobytes()).decode("ascii")


def decode_marginals(text: str, tags: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f2").reshape(-1, tags)


def shard_paths(directory: Path) -> list[Path]:
    """The finished shards of a silver folder, in order; a missing folder or manifest is a DataSourceError."""
    manifest = directory / MANIFEST
    if not manifest.is_file():
        raise DataSourceError(f"{directory} is not a silver folder (no {MANIFEST}); write one with "
                              "`persnews distil label --output DIR`")
    return sorted(directory.glob("part-*.jsonl"))


def read_silver(directory: str | Path, limit: int | None = None) -> list[SilverSentence]:
    """The sentences of a silver folder's finished shards in order, the first ``limit`` when given.

    A run still labelling gives what it has finished (logged); marginal
    columns are put in :data:`BIO_TAGS` order whatever order the teacher had.
    """
    directory = Path(directory)
    paths = shard_paths(directory)
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != SILVER_FORMAT:
        raise DataSourceError(f"{directory}/{MANIFEST} is not a {SILVER_FORMAT} manifest")
    tags = manifest["tags"]
    if sorted(tags) != sorted(BIO_TAGS):
        raise DataSourceError(f"{directory}: the teacher's tags {tags} are not the student's {list(BIO_TAGS)}")
    columns = [tags.index(tag) for tag in BIO_TAGS]
    sentences: list[SilverSentence] = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if limit is not None and len(sentences) >= limit:
                    break
                row = json.loads(line)
                sentences.append(SilverSentence(row["id"], tuple(row["words"]), tuple(row["tags"]),
                                                decode_marginals(row["marginals"], len(tags))[:, columns]))
    if not sentences:
        raise DataSourceError(f"{directory} holds no labelled sentence yet")
    logger.info("%s: %d silver sentences from %d shard(s)", directory, len(sentences), len(paths))
    return sentences


def silver_targets(sentence: SilverSentence, mode: str,
                   threshold: float | None) -> tuple[list[int], list[int], np.ndarray | None]:
    """Each word's label (-100 where not one tag), allowed-tag bits, and soft targets (``soft`` mode only).

    >>> p = np.array([[.97, .01, .01, .01, 0, 0, 0, 0, 0], [.5, .45, .05, 0, 0, 0, 0, 0, 0]], dtype=np.float16)
    >>> s = SilverSentence("x:0:0", ("a", "b"), ("O", "O"), p)
    >>> silver_targets(s, "hard", 0.9)[:2]
    ([0, -100], [1, 3])
    """
    tag_ids = np.array([BIO_TAGS.index(tag) for tag in sentence.tags])
    if mode == "soft":
        return [-100] * len(tag_ids), [ALL_TAGS] * len(tag_ids), sentence.marginals
    order = np.argsort(-sentence.marginals.astype(np.float32), axis=1, kind="stable")
    mass = np.cumsum(np.take_along_axis(sentence.marginals.astype(np.float32), order, axis=1), axis=1)
    kept = np.arange(len(BIO_TAGS)) < ((mass < threshold).sum(axis=1, keepdims=True) + 1)
    bits = ((1 << order) * kept).sum(axis=1) | (1 << tag_ids)
    labels = np.where(bits == 1 << tag_ids, tag_ids, -100)
    return labels.tolist(), bits.tolist(), None


def soft_targets(blobs: Sequence[bytes], width: int) -> torch.Tensor:
    """(rows, width, tags) float32 targets from each example's float16 bytes (an empty blob: a zero row)."""
    targets = torch.zeros(len(blobs), width, len(BIO_TAGS))
    for row, blob in enumerate(blobs):
        if blob:
            values = np.frombuffer(blob, dtype="<f2").reshape(-1, len(BIO_TAGS)).astype(np.float32)
            targets[row, : len(values)] = torch.from_numpy(values)
    return targets
