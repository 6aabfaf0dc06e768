"""Sentences, words and encoder windows over the normalised view, each keeping original offsets.

Sentence ends follow hazm's rule (a run of «. ! ? ؟» before whitespace) plus
line breaks; words are runs of letters and digits (ZWNJ inside a word is
kept) and every other visible character on its own.

>>> from persnews.normalization import normalize
>>> view = normalize("شهردار گفت: کار تمام شد. فردا\\nدوباره")
>>> [[t.text for t in s.tokens] for s in sentences(view)]
[['شهردار', 'گفت', ':', 'کار', 'تمام', 'شد', '.'], ['فردا'], ['دوباره']]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .normalization import ZWNJ, NormalizedText

SENTENCE_END = re.compile(r"([!.?⸮؟]+)[ \n]+")
"""hazm's ``SentenceTokenizer`` rule, written out: importing hazm costs extraction ~180 MB of memory
(it loads scikit-learn and NLTK); a test checks that the two stay the same."""
_WORD = re.compile(r"[^\W_](?:[^\W_]|" + ZWNJ + r"(?=[^\W_]))*|[^\s" + ZWNJ + "]")


@dataclass(frozen=True)
class Token:
    """A word: ``text`` is the view's; ``start``/``end`` index the original string."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A sentence's words; ``start``/``end`` index the original string."""

    tokens: tuple[Token, ...]
    start: int
    end: int


def tokenize(view: NormalizedText, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``view.text[start:end]``, with original offsets."""
    tokens = []
    starts, ends = view.starts, view.ends
    for match in _WORD.finditer(view.text, start, len(view.text) if end is None else end):
        a, b = match.span()
        if starts[a] < ends[a] and starts[b - 1] < ends[b - 1]:  # no inserted ZWNJ at an edge: the usual case
            tokens.append(Token(match.group(), starts[a], ends[b - 1]))
        else:
            tokens.append(Token(match.group(), *view.to_original(a, b)))
    return tokens


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((cursor, match.end(1)))
        cursor = match.end()
    spans.append((cursor, len(text)))
    lines = []
    for a, b in spans:
        for piece in re.finditer(r"[^\n]+", text[a:b]):
            lines.append((a + piece.start(), a + piece.end()))
    return lines


def sentences(view: NormalizedText) -> list[Sentence]:
    """Split the view into sentences; sentences with no word (only spaces) are left out."""
    result = []
    for a, b in _sentence_spans(view.text):
        tokens = tokenize(view, a, b)
        if tokens:
            result.append(Sentence(tuple(tokens), tokens[0].start, tokens[-1].end))
    return result


@dataclass(frozen=True)
class Window:
    """Words ``[start, end)`` of a document's word list, sent to the encoder together."""

    start: int
    end: int


def windows(sentence_lengths: Sequence[Sequence[int]], budget: int, stride: int | None = None) -> list[Window]:
    """Pack sentences into windows of at most ``budget`` sub-tokens, over the flat word list.

    ``sentence_lengths[s][w]`` is the sub-token count of word ``w`` of sentence
    ``s``. Whole sentences are packed greedily; a sentence longer than the
    budget is cut into word windows that overlap by ``stride`` sub-tokens
    (default a quarter of the budget), to be merged by :func:`merge_windows`.
    A single word longer than the budget gets a window of its own (the
    tokenizer then truncates that word's sub-tokens, never the text).
    """
    if budget < 1:
        raise ValueError("window budget must be positive")
    stride = budget // 4 if stride is None else stride
    result: list[Window] = []
    offset = 0
    open_start, open_size = 0, 0
    for lengths in sentence_lengths:
        size = sum(lengths)
        if open_size and open_size + size > budget:
            result.append(Window(open_start, offset))
            open_start, open_size = offset, 0
        if size <= budget:
            open_size += size
        else:
            if open_size:
                result.append(Window(open_start, offset))
            result += _split_long(lengths, offset, budget, stride)
            open_start, open_size = offset + len(lengths), 0
        offset += len(lengths)
    if open_size or open_start < offset:
        result.append(Window(open_start, offset))
    return [w for w in result if w.end > w.start]


def _split_long(lengths: Sequence[int], offset: int, budget: int, stride: int) -> list[Window]:
    result, start = [], 0
    while start < len(lengths):
        end, used = start, 0
        while end < len(lengths) and (end == start or used + lengths[end] <= budget):
            used += lengths[end]
            end += 1
        result.append(Window(offset + start, offset + end))
        if end == len(lengths):
            break
        back, kept = end, 0  # step back so the next window overlaps this one by ~stride sub-tokens
        while back - 1 > start + 1 and kept + lengths[back - 1] <= stride:
            back -= 1
            kept += lengths[back]
        start = back
    return result


def merge_windows(windows_: Sequence[Window], predictions: Sequence[Sequence[object]], n_words: int) -> list[object]:
    """One prediction per word from overlapping windows.

    Tie rule: a word seen by several windows takes the prediction of the
    window where it lies farthest from an edge (more context on both sides);
    on equal distance, the earlier window wins.
    """
    best: list[tuple[int, object] | None] = [None] * n_words
    for window, labels in zip(windows_, predictions):
        if len(labels) != window.end - window.start:
            raise ValueError("a window's predictions must cover its words exactly")
        for k, label in enumerate(labels):
            depth = min(k, window.end - window.start - 1 - k)
            index = window.start + k
            if best[index] is None or depth > best[index][0]:
                best[index] = (depth, label)
    missing = [i for i, b in enumerate(best) if b is None]
    if missing:
        raise ValueError(f"no window covers words {missing[:5]}")
    return [b[1] for b in best]
