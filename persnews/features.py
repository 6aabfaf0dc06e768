"""Word features that sit beside the encoder: a pretrained word vector id and hashed affixes.

A compact encoder trained on little data learns names and morphology slowly;
a CRF with affix features learns them at once. Giving the encoder both (a
frozen distributional vector per word, and hashed prefix/suffix/shape ids) is
the cheap lever that lets a small from-scratch model beat the plain CRF.
Everything here is deterministic (crc32, not Python's salted ``hash``), so the
ids computed at training and at inference agree.

>>> f = WordFeaturizer({"شهرداری": 1}, buckets=1000)
>>> f.vector_id("شهرداری"), f.vector_id("شهرداري"), f.vector_id("ناشناخته")
(1, 1, 0)
>>> len(f.affix_ids("شهرداری")) == AFFIX_SLOTS
True
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .normalization import ZWNJ, without_zwnj

if TYPE_CHECKING:
    import torch

AFFIX_SLOTS = 10
"""Hashed features per word: 3 prefixes, 3 suffixes, shape, length, role head, the word itself."""

CONTEXT_OFFSETS = (-2, -1, 0, 1, 2)
CONTEXT_SLOTS = len(CONTEXT_OFFSETS) * AFFIX_SLOTS
"""Hashed context features per word: each affix feature of the words at ``CONTEXT_OFFSETS``, offset-tagged."""

ROLE_HEADS = frozenset("""
معاون مدیرکل مدیر رئیس ریاست سرپرست دبیر دبیرکل سخنگو سخنگوی شهردار استاندار فرماندار بخشدار دهیار وزیر
نماینده عضو مشاور مدیرعامل قائم‌مقام گزارشگر خبرنگار دادستان فرمانده جانشین رئیس‌کل مسئول کارشناس
رایزن سفیر کنسول امام نایب‌رئیس خزانه‌دار بازرس مربی سرمربی کاپیتان دستیار معاونت ریاست‌جمهوری
""".replace(ZWNJ, "").split())
"""Heads of Persian titles (guidelines rule 2), ZWNJ removed, for the role-head feature."""

_SHAPES = [(re.compile(r"^\d+$"), "digits"), (re.compile(r"^[A-Za-z]+$"), "latin"),
           (re.compile(r"^[\u0600-\u06ff]+$"), "persian"), (re.compile(r"^\W+$"), "punct")]


def word_key(word: str) -> str:
    """The form words are compared in: normalised, without ZWNJ, so «می‌شود» and «میشود» meet."""
    return without_zwnj(word)


def is_role_head(word: str) -> bool:
    """Whether a word is a title head, with or without its ezafe «ی» («سخنگوی», «معاون»)."""
    return _is_head_key(word_key(word))


def _is_head_key(key: str) -> bool:
    return key in ROLE_HEADS or (key.endswith("ی") and key[:-1] in ROLE_HEADS)


def _word_features(key: str) -> list[str]:
    """The ``AFFIX_SLOTS`` feature strings of a word key."""
    shape = next((name for pattern, name in _SHAPES if pattern.match(key)), "mixed")
    features = [f"p{n}:{key[:n]}" for n in (1, 2, 3)] + [f"s{n}:{key[-n:]}" for n in (1, 2, 3)]
    return features + [f"shape:{shape}", f"len:{min(len(key), 12)}", f"head:{_is_head_key(key)}", f"w:{key}"]


def _crc(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8"))


_EDGE = _crc("edge")
_OFFSET_SALTS = {offset: _crc(f"offset:{offset}") for offset in CONTEXT_OFFSETS}


def _offset_buckets(hashes: np.ndarray, offset: int, buckets: int) -> np.ndarray:
    """Bucket ids (1..buckets-1) of features seen at ``offset``: the features' crc32 mixed with the offset's
    salt by a multiplicative hash, so one crc32 per word serves all five offsets."""
    mixed = (hashes.astype(np.uint64) ^ np.uint64(_OFFSET_SALTS[offset])) * np.uint64(0x9E3779B97F4A7C15)
    return ((mixed >> np.uint64(29)) % np.uint64(buckets - 1) + np.uint64(1)).astype(np.int64)


class WordFeaturizer:
    """Maps a word to its vector-table row, its ``AFFIX_SLOTS`` hashed feature ids and, with
    ``context_buckets``, the ``CONTEXT_SLOTS`` hashed features of its neighbourhood."""

    def __init__(self, vocabulary: dict[str, int], buckets: int, context_buckets: int = 0):
        self.vocabulary = vocabulary
        self.buckets = buckets
        self.context_buckets = context_buckets
        self._describe = lru_cache(maxsize=300_000)(self._compute_description)

    def _compute_description(self, word: str) -> tuple[int, np.ndarray]:
        """The word's vector row and the crc32 of its ``AFFIX_SLOTS`` features (cached: news repeats words)."""
        key = word_key(word)
        return self.vocabulary.get(key, 0), np.array([_crc(f) for f in _word_features(key)], dtype=np.uint32)

    def vector_id(self, word: str) -> int:
        """Row of the word's pretrained vector, 0 when the word is not in the table."""
        return self._describe(word)[0]

    def affix_ids(self, word: str) -> tuple[int, ...]:
        return tuple(int(h) % (self.buckets - 1) + 1 for h in self._describe(word)[1])

    def context_ids(self, words: list[str]) -> np.ndarray:
        """(words, ``CONTEXT_SLOTS``) ids: the affix features of each word's ±2 neighbours, offset-tagged,
        as a feature CRF sees them.

        The network scores these straight into tag emissions, so it memorises
        names and their contexts as fast as a linear CRF while the encoder learns.
        """
        return self._context_ids(self._row(words)[1])

    def _row(self, words: list[str]) -> tuple[list[int], np.ndarray]:
        described = [self._describe(w) for w in words]
        hashes = np.stack([h for _, h in described]) if words else np.zeros((0, AFFIX_SLOTS), np.uint32)
        return [v for v, _ in described], hashes

    def _context_ids(self, hashes: np.ndarray) -> np.ndarray:
        count = len(hashes)
        edge = np.zeros((2, AFFIX_SLOTS), np.uint32)
        edge[:, 0] = _EDGE  # beyond the window's edge: one "edge" feature, the other slots padding
        padded = np.concatenate([edge, hashes, edge])
        parts = []
        for offset in CONTEXT_OFFSETS:
            ids = _offset_buckets(padded[2 + offset: 2 + offset + count], offset, self.context_buckets)
            outside = np.arange(count) + offset
            ids[(outside < 0) | (outside >= count), 1:] = 0
            parts.append(ids)
        return np.concatenate(parts, axis=1)

    def batch_features(self, words: list[list[str]], word_of: list[list[int]], width: int) -> dict[str, "torch.Tensor"]:
        """Per-sub-token feature ids for a padded batch; ``word_of[b][t]`` is the word of sub-token t (-1: none)."""
        import torch

        vectors, affixes, contexts = [], [], []
        for row_words, owners in zip(words, word_of):
            vector_rows, hashes = self._row(row_words)
            # -1 (no word) and the padding both index the extra all-zero row at the end
            index = np.array(owners + [-1] * (width - len(owners)), dtype=np.int64)
            index[index < 0] = len(row_words)
            vectors.append(np.array(vector_rows + [0], dtype=np.int64)[index])
            affix = (hashes % np.uint32(self.buckets - 1) + 1).astype(np.int64)
            affixes.append(np.concatenate([affix, np.zeros((1, AFFIX_SLOTS), np.int64)])[index])
            if self.context_buckets:
                context = self._context_ids(hashes)
                contexts.append(np.concatenate([context, np.zeros((1, CONTEXT_SLOTS), np.int64)])[index])
        batch = {"vector_ids": torch.from_numpy(np.stack(vectors)), "affix_ids": torch.from_numpy(np.stack(affixes))}
        if self.context_buckets:
            batch["context_ids"] = torch.from_numpy(np.stack(contexts))
        return batch
