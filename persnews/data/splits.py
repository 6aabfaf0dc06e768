"""Deterministic train/dev/test assignment, by document, from a hash of the document id.

A document's split is a pure function of its own id (where the sha256 of the
id falls in ``[0, 1)``), so it never changes when documents are added: a
release can grow without a test document ever moving into training.

* our releases (:func:`split_documents`): ``test`` below ``TEST_FRACTION``
  (0.17, so that the test share stays above 15% for releases of a few hundred
  documents), ``dev`` in the next ``DEV_FRACTION``, the rest train;
* third-party corpus sentences (:func:`corpus_split`, ids ``corpus/file/index``):
  a corpus's own split files are kept (PEYMA, ParsTwiNER), the chosen ARMAN
  fold is test, and everything else is split by the same hash rule;
* raw news sentences (ids ``news-raw/file/article/paragraph/start-end``) are
  split by that hash rule on their *article* id (``news-raw/file/article``),
  so all sentences of one article share a split and an article never
  straddles train and test.

>>> corpus_split("peyma/dev/17")
'dev'
>>> corpus_split("arman/fold3/5", arman_test_fold="fold3")
'test'
>>> corpus_split("news-raw/fars-news-1/12/3/0-141") == corpus_split("news-raw/fars-news-1/12/5/20-80")
True
"""

from __future__ import annotations

import hashlib
from typing import Sequence, TypeVar

from .standoff import RAW_NEWS, news_article_id

SPLITS: tuple[str, ...] = ("train", "dev", "test")
TEST_FRACTION = 0.17
DEV_FRACTION = 0.10

T = TypeVar("T")


def id_fraction(doc_id: str) -> float:
    """A number in ``[0, 1)`` fixed by the id alone (sha256, so it is the same on every machine)."""
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _check_fractions(test: float, dev: float) -> None:
    if not (0 <= test < 1 and 0 <= dev < 1 and test + dev < 1):
        raise ValueError(f"split fractions test={test}, dev={dev} must be in [0, 1) and sum below 1")


def hash_split(doc_id: str, *, test: float = TEST_FRACTION, dev: float = DEV_FRACTION) -> str:
    """``test``, ``dev`` or ``train`` by where the id's hash falls; the same id always lands in the same split."""
    _check_fractions(test, dev)
    fraction = id_fraction(doc_id)
    return "test" if fraction < test else "dev" if fraction < test + dev else "train"


def split_documents(items: Sequence[T], ids: Sequence[str], *, test: float = TEST_FRACTION,
                    dev: float = DEV_FRACTION) -> dict[str, list[T]]:
    """Assign ``items`` (with their ``ids``) to splits by :func:`hash_split`; input order is kept within a split."""
    if len(items) != len(ids):
        raise ValueError("split_documents needs one id per item")
    result: dict[str, list[T]] = {name: [] for name in SPLITS}
    for item, doc_id in zip(items, ids):
        result[hash_split(doc_id, test=test, dev=dev)].append(item)
    return result


def corpus_split(doc_id: str, *, arman_test_fold: str = "fold3", test: float = TEST_FRACTION,
                 dev: float = DEV_FRACTION) -> str:
    """The split of a corpus sentence ``corpus/file/index`` or a raw news sentence (see the module docstring)."""
    _check_fractions(test, dev)
    if doc_id.startswith(RAW_NEWS + "/"):
        return hash_split(news_article_id(doc_id), test=test, dev=dev)
    parts = doc_id.split("/")
    if len(parts) != 3:
        raise ValueError(f"corpus sentence id {doc_id!r} is not 'corpus/file/index'")
    corpus, file, _ = parts
    if corpus == "arman":
        if file == arman_test_fold:
            return "test"
        return "dev" if id_fraction(doc_id) < dev else "train"
    if file in SPLITS:
        return file
    return hash_split(doc_id, test=test, dev=dev)
