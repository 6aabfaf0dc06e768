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

from .normalization import ZWNJ, normalize_string

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
    return normalize_string(word).replace(ZWNJ, "")


def is_role_head(word: str) -> bool:
    """Whether a word is a title head, with or without its ezafe «ی» («سخنگوی», «معاون»)."""
    key = word_key(word)
    return key in ROLE_HEADS or (key.endswith("ی") and key[:-1] in ROLE_HEADS)


def _word_features(key: str) -> list[str]:
    """The ``AFFIX_SLOTS`` feature strings of a word key."""
    shape = next((name for pattern, name in _SHAPES if pattern.match(key)), "mixed")
    features = [f"p{n}:{key[:n]}" for n in (1, 2, 3)] + [f"s{n}:{key[-n:]}" for n in (1, 2, 3)]
    return features + [f"shape:{shape}", f"len:{min(len(key), 12)}", f"head:{is_role_head(key)}", f"w:{key}"]


def _bucket(feature: str, buckets: int) -> int:
    return 1 + zlib.crc32(feature.encode("utf-8")) % (buckets - 1)  # 0 is padding


class WordFeaturizer:
    """Maps a word to its vector-table row, its ``AFFIX_SLOTS`` hashed feature ids and, with
    ``context_buckets``, the ``CONTEXT_SLOTS`` hashed features of its neighbourhood."""

    def __init__(self, vocabulary: dict[str, int], buckets: int, context_buckets: int = 0):
        self.vocabulary = vocabulary
        self.buckets = buckets
        self.context_buckets = context_buckets
        self._affix_ids = lru_cache(maxsize=200_000)(self._compute_affix_ids)
        self._offset_ids = lru_cache(maxsize=500_000)(self._compute_offset_ids)

    def vector_id(self, word: str) -> int:
        """Row of the word's pretrained vector, 0 when the word is not in the table."""
        return self.vocabulary.get(word_key(word), 0)

    def affix_ids(self, word: str) -> tuple[int, ...]:
        return self._affix_ids(word_key(word))

    def context_ids(self, words: list[str]) -> list[tuple[int, ...]]:
        """``CONTEXT_SLOTS`` ids per word: the features of its ±2 neighbours, as a feature CRF sees them.

        The network scores these straight into tag emissions, so it memorises
        names and their contexts as fast as a linear CRF while the encoder learns.
        """
        keys = [word_key(w) for w in words]
        return [sum((self._offset_ids(keys[i + o] if 0 <= i + o < len(keys) else None, o)
                     for o in CONTEXT_OFFSETS), ()) for i in range(len(keys))]

    def _compute_offset_ids(self, key: str | None, offset: int) -> tuple[int, ...]:
        if key is None:  # beyond the window's edge
            return (_bucket(f"{offset}:edge", self.context_buckets),) + (0,) * (AFFIX_SLOTS - 1)
        return tuple(_bucket(f"{offset}:{f}", self.context_buckets) for f in _word_features(key))

    def _compute_affix_ids(self, key: str) -> tuple[int, ...]:
        return tuple(_bucket(f, self.buckets) for f in _word_features(key))

    def batch_features(self, words: list[list[str]], word_of: list[list[int]], width: int) -> dict[str, "torch.Tensor"]:
        """Per-sub-token feature ids for a padded batch; ``word_of[b][t]`` is the word of sub-token t (-1: none)."""
        import torch

        blank, context_blank = (0,) * AFFIX_SLOTS, (0,) * CONTEXT_SLOTS
        vector_rows, affix_rows, context_rows = [], [], []
        for row_words, owners in zip(words, word_of):
            vectors = [self.vector_id(w) for w in row_words]
            affixes = [self.affix_ids(w) for w in row_words]
            owners = owners + [-1] * (width - len(owners))
            vector_rows.append([vectors[k] if k >= 0 else 0 for k in owners])
            affix_rows.append([affixes[k] if k >= 0 else blank for k in owners])
            if self.context_buckets:
                contexts = self.context_ids(row_words)
                context_rows.append([contexts[k] if k >= 0 else context_blank for k in owners])
        batch = {"vector_ids": torch.tensor(vector_rows), "affix_ids": torch.tensor(affix_rows)}
        if self.context_buckets:
            batch["context_ids"] = torch.tensor(context_rows)
        return batch
