"""The normalised view of a text, with a map from every view character back to the original.

The model reads a cleaned-up view: Persian letters for Arabic «ي ى ك ة»,
ASCII digits for Persian and Arabic-Indic ones, no kashida, diacritics or
bidi/control characters, one kind of space, one ZWNJ, and the common
missing-ZWNJ forms repaired («میشود» → «می‌شود», «کتاب ها» → «کتاب‌ها»).
The caller's string is never changed: spans found in the view are mapped back
with :meth:`NormalizedText.to_original`.

>>> view = normalize("رئيس  شوراي شهر ميگويد")
>>> view.text
'رئیس شورای شهر می\u200cگوید'
>>> start, end = view.to_original(5, 10)
>>> "رئيس  شوراي شهر ميگويد"[start:end]
'شوراي'
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ZWNJ = "\u200c"

_CHAR_MAP = {
    "ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ك": "ک", "ڪ": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه",
    "٤": "4", "٥": "5", "٦": "6",
    "\u200b": ZWNJ, "\u2060": ZWNJ,
    "\u2028": "\n", "\u2029": "\n", "\r": "\n", "\x85": "\n",
}
for _digit in range(10):
    _CHAR_MAP[chr(0x06F0 + _digit)] = str(_digit)  # Persian digits
    _CHAR_MAP[chr(0x0660 + _digit)] = str(_digit)  # Arabic-Indic digits

_MARKS = re.compile("[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed\u0640]")
"""Diacritics, Quranic marks and kashida: dropped, but kept inside a span they trail."""

_DROPPED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
"""Control, format (bidi marks, ZWJ, BOM, soft hyphen), private-use and unassigned characters."""


def _classify(ch: str) -> str | None:
    """What a character becomes in the view: itself, a replacement, '' (dropped) or None (a trailing mark)."""
    if ch in _CHAR_MAP:
        return _CHAR_MAP[ch]
    if ch == "\n" or ch == ZWNJ:
        return ch
    if _MARKS.match(ch):
        return None
    if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe":  # Arabic presentation forms
        # their letters, without the marks and edge spaces NFKC gives isolated diacritics («ﹰ» → « ً»)
        letters = _MARKS.sub("", unicodedata.normalize("NFKC", ch)).strip()
        return "".join(_CHAR_MAP.get(c, c) for c in letters) if letters else None
    category = unicodedata.category(ch)
    if category in ("Zs", "Zl", "Zp") or ch in "\t\x0b\x0c":
        return " "
    if category in _DROPPED_CATEGORIES:
        return ""
    return ch


_classify_cached = lru_cache(maxsize=4096)(_classify)

_AFFIX_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # drop ZWNJ runs, and ZWNJ next to a space or at a word edge; then collapse space runs (after, so
    # that « ‌ » left by a dropped ZWNJ is one space too)
    (re.compile(ZWNJ + r"(?=" + ZWNJ + ")"), ""),
    (re.compile(r"(?<=[\s])" + ZWNJ + r"|" + ZWNJ + r"(?=[\s])|^" + ZWNJ + "|" + ZWNJ + "$"), ""),
    (re.compile(r"(?<=\W)" + ZWNJ + r"|" + ZWNJ + r"(?=\W)"), ""),
    (re.compile(r"(?<= ) +"), ""),
    # plural and comparative suffixes written apart: «کتاب ها» → «کتاب‌ها» (hazm's affix rule)
    # (two Persian letters before it: not «؟» or «،», which would lose the ZWNJ again on a second pass)
    (re.compile(r"(?<=[\u0600-\u06ff]{2})(?<=[^\W\d_]{2}) (?=(?:ها|های|هایی|تر|ترین)(?![\u0600-\u06ff]))"), ZWNJ),
    # «شنبهها» → «شنبه‌ها»
    (re.compile(r"(?<=[\u0600-\u06ff]ه)(?=ها)"), ZWNJ),
]


@dataclass(frozen=True)
class NormalizedText:
    """A view of ``original``; view character ``i`` came from ``original[starts[i]:ends[i]]``.

    Characters the view inserts (a repaired ZWNJ) have ``starts[i] == ends[i]``.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the view span ``[start, end)`` to the original string's span that produced it."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"view span {start}:{end} outside 0:{len(self.text)}")
        starts, ends = self.starts, self.ends
        first, last = start, end - 1
        if starts[first] == ends[first]:  # the span opens with inserted characters: skip them
            first = next((i for i in range(start, end) if starts[i] < ends[i]), start)
        if starts[last] == ends[last]:
            last = next((i for i in range(end - 1, start - 1, -1) if starts[i] < ends[i]), end - 1)
        return starts[first], ends[last] if ends[last] > starts[first] else starts[first]


def _map_characters(text: str) -> tuple[str, list[int], list[int]]:
    mapped = {ch: _classify_cached(ch) for ch in set(text)}
    if all(new is not None and len(new) == 1 for new in mapped.values()):  # one character each: offsets stay
        table = {ord(ch): new for ch, new in mapped.items() if new != ch}
        return text.translate(table), list(range(len(text))), list(range(1, len(text) + 1))
    if all(new is None or len(new) <= 1 for new in mapped.values()):
        return _map_dropping(text, mapped)
    return _map_each(text)


def _map_dropping(text: str, mapped: dict[str, str | None]) -> tuple[str, list[int], list[int]]:
    """:func:`_map_each` for a text whose characters map to one character or none (bidi marks, diacritics,
    kashida: a third of news articles), without a Python step per character."""
    table = {ord(ch): new or None for ch, new in mapped.items() if new != ch}
    gone = {ch for ch, new in mapped.items() if not new}
    kept = [i for i, ch in enumerate(text) if ch not in gone]
    ends = [i + 1 for i in kept]
    for mark in (i for i, ch in enumerate(text) if mapped[ch] is None):  # a mark joins the letter it trails
        before = bisect_left(kept, mark) - 1
        if before >= 0 and ends[before] == mark:
            ends[before] = mark + 1
    return text.translate(table), kept, ends


def _map_each(text: str) -> tuple[str, list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        new = _classify_cached(ch)
        if new is None:  # a mark: no view character, but it belongs to the letter before it
            if ends and ends[-1] == i:
                ends[-1] = i + 1
            continue
        for k, piece in enumerate(new):
            chars.append(piece)
            starts.append(i)
            ends.append(i + 1 if k == len(new) - 1 else i)
    return "".join(chars), starts, ends


def _substitute(text: str, starts: list[int], ends: list[int], pattern: re.Pattern[str],
                replacement: str) -> tuple[str, list[int], list[int]]:
    """``pattern.sub(replacement, text)`` that keeps the offset map (replacement of 0 or 1 character)."""
    out, new_starts, new_ends, cursor = [], [], [], 0
    for match in pattern.finditer(text):
        a, b = match.span()
        out.append(text[cursor:a])
        new_starts += starts[cursor:a]
        new_ends += ends[cursor:a]
        if replacement:
            anchor = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
            out.append(replacement)
            new_starts.append(anchor)
            new_ends.append(ends[b - 1] if b > a else anchor)
        cursor = b
    if cursor == 0:
        return text, starts, ends
    out.append(text[cursor:])
    new_starts += starts[cursor:]
    new_ends += ends[cursor:]
    return "".join(out), new_starts, new_ends


_PAST_ENDINGS = ("م", "ی", "", "یم", "ید", "ند", "ه")
_PRESENT_ENDINGS = ("م", "ی", "د", "یم", "ید", "ند")


def _hazm_verbs_file() -> Path:
    """hazm's verb lexicon (``past#present`` stems per line), found without importing hazm, which would
    load scikit-learn and NLTK into every extracting process."""
    spec = importlib.util.find_spec("hazm")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("persnews needs hazm (pip install hazm) for its verb lexicon")
    return Path(spec.origin).parent / "data" / "verbs.dat"


@lru_cache(maxsize=1)
def verb_forms() -> frozenset[str]:
    """One-word imperfective verb forms («می‌گوید», «نمی‌رفتند») built from hazm's verb stems: the forms
    the «میشود» repair can meet (hazm's own conjugations of these tenses; a test checks they agree)."""
    forms = set()
    for line in _hazm_verbs_file().read_text(encoding="utf-8").splitlines():
        past, _, present = line.partition("#")
        for prefix in ("می" + ZWNJ, "نمی" + ZWNJ):
            forms.update(prefix + past + ending for ending in _PAST_ENDINGS if past)
            forms.update(prefix + present + ending for ending in _PRESENT_ENDINGS if present)
    return frozenset(forms)


_JOINED_MI = re.compile(r"(?<![\u0600-\u06ff" + ZWNJ + r"])(ن?می)( ?)(?=([\u0600-\u06ff]+))")


def _repair_mi(text: str, starts: list[int], ends: list[int]) -> tuple[str, list[int], list[int]]:
    """«میشود» and «می شود» → «می‌شود» when hazm knows the verb form."""
    verbs = verb_forms()
    out, new_starts, new_ends, cursor = [], [], [], 0
    for match in _JOINED_MI.finditer(text):
        prefix, space, rest = match.groups()
        if prefix + ZWNJ + rest not in verbs:
            continue
        cut = match.start(2)  # where the ZWNJ goes: on the space, or between prefix and stem
        out.append(text[cursor:cut])
        new_starts += starts[cursor:cut]
        new_ends += ends[cursor:cut]
        out.append(ZWNJ)
        if space:
            new_starts.append(starts[cut])
            new_ends.append(ends[cut])
            cursor = cut + 1
        else:
            new_starts.append(starts[cut])
            new_ends.append(starts[cut])
            cursor = cut
    if not out:
        return text, starts, ends
    out.append(text[cursor:])
    return "".join(out), new_starts + starts[cursor:], new_ends + ends[cursor:]


def normalize(text: str) -> NormalizedText:
    """Build the model's view of ``text``; see the module docstring for what changes."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    view, starts, ends = _map_characters(text)
    for pattern, replacement in _AFFIX_PATTERNS:
        view, starts, ends = _substitute(view, starts, ends, pattern, replacement)
    view, starts, ends = _repair_mi(view, starts, ends)
    return NormalizedText(text, view, tuple(starts), tuple(ends))


@lru_cache(maxsize=200_000)
def normalize_string(text: str) -> str:
    """Only the view's text, for places that need no offsets (word keys, lexicons); cached, since the
    same words come back in every document."""
    return normalize(text).text


_SPACE = re.compile(r"\s")


@lru_cache(maxsize=300_000)
def without_zwnj(text: str) -> str:
    """The view's text with every ZWNJ removed: the form words and names are compared in, so that
    «می‌شود» meets «میشود». Equal to ``normalize_string(text).replace(ZWNJ, "")``, computed faster for a
    single word: with no space, the view's rules after the character map only add or drop ZWNJ."""
    mapped = _map_characters(text)[0]
    if _SPACE.search(mapped):
        return normalize_string(text).replace(ZWNJ, "")
    return mapped.replace(ZWNJ, "")
