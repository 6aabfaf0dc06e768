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


def _bucket(feature: str, buckets: int) -> int:
    return 1 + zlib.crc32(feature.encode("utf-8")) % (buckets - 1)  # 0 is padding


class WordFeaturizer:
    """Maps a word to its vector-table row and its ``AFFIX_SLOTS`` hashed feature ids."""

    def __init__(self, vocabulary: dict[str, int], buckets: int):
        self.vocabulary = vocabulary
        self.buckets = buckets
        self._affix_ids = lru_cache(maxsize=200_000)(self._compute_affix_ids)

    def vector_id(self, word: str) -> int:
        """Row of the word's pretrained vector, 0 when the word is not in the table."""
        return self.vocabulary.get(word_key(word), 0)

    def affix_ids(self, word: str) -> tuple[int, ...]:
        return self._affix_ids(word_key(word))

    def _compute_affix_ids(self, key: str) -> tuple[int, ...]:
        shape = next((name for pattern, name in _SHAPES if pattern.match(key)), "mixed")
        features = [f"p{n}:{key[:n]}" for n in (1, 2, 3)] + [f"s{n}:{key[-n:]}" for n in (1, 2, 3)]
        features += [f"shape:{shape}", f"len:{min(len(key), 12)}",
                     f"head:{is_role_head(key)}", f"w:{key}"]
        return tuple(_bucket(f, self.buckets) for f in features)

    def batch_features(self, words: list[list[str]], word_of: list[list[int]], width: int) -> dict[str, "torch.Tensor"]:
        """Per-sub-token feature ids for a padded batch; ``word_of[b][t]`` is the word of sub-token t (-1: none)."""
        import torch

        blank = (0,) * AFFIX_SLOTS
        vector_rows, affix_rows = [], []
        for row_words, owners in zip(words, word_of):
            vectors = [self.vector_id(w) for w in row_words]
            affixes = [self.affix_ids(w) for w in row_words]
            padding = [-1] * (width - len(owners))
            vector_rows.append([vectors[k] if k >= 0 else 0 for k in owners + padding])
            affix_rows.append([affixes[k] if k >= 0 else blank for k in owners + padding])
        return {"vector_ids": torch.tensor(vector_rows), "affix_ids": torch.tensor(affix_rows)}
