"""Importers for the third-party CoNLL-style corpora (PEYMA, ARMAN, NSURL-2019, ParsTwiNER).

Each corpus sentence becomes a :class:`Document` whose text is its tokens
joined by single spaces, with id ``corpus/file/index`` (``index`` counts every
sentence block of the file from 0, including blocks that had to be skipped, so
ids and stand-off references stay stable). Labels are mapped as the corpora
README says: PER/pers → PER, ORG/org → ORG, LOC/loc → LOC, ARMAN fac → LOC,
every other type → O. An ``I-`` tag without its ``B-`` starts a new entity.

Lines that cannot be read (no tag, a corrupt tag such as NSURL's ``OB-ORG``,
an empty token) are skipped and reported as ``file:line: reason``, never
guessed at. The corpus text is read from its folder at run time and never
copied into the project.

>>> sentence = parse_corpus_text("peyma", "شهرداری|B_ORG\\nتهران|I_ORG\\nنمی توانند|O\\n", "x.txt")
>>> sentence.sentences[0].text == "شهرداری تهران نمی\\u200cتوانند"
True
>>> [(e.label, e.text) for e in sentence.sentences[0].to_document().entities]
[('ORG', 'شهرداری تهران')]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..document import Document, Entity
from ..errors import CorpusMismatchError
from ..normalization import ZWNJ
from .jsonl import ImportResult, read_text
from .labels import bio_spans


@dataclass(frozen=True)
class CorpusFormat:
    """How one corpus is laid out and tagged."""

    name: str
    folder: str
    files: tuple[str, ...]
    separator: str
    tag_joiner: str
    types: dict[str, str | None]
    """Every entity type the corpus uses, mapped to a schema label (None: not an entity for us)."""
    spaces_are_zwnj: bool = False

    @property
    def stems(self) -> tuple[str, ...]:
        """The file names without extension, as they appear in sentence ids (``train``, ``fold2``)."""
        return tuple(Path(name).stem for name in self.files)


CORPORA: dict[str, CorpusFormat] = {
    "peyma": CorpusFormat("peyma", "peyma", ("train.txt", "dev.txt", "test.txt"), "|", "_",
                          {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "DAT": None, "TIM": None,
                           "MON": None, "PCT": None}, spaces_are_zwnj=True),
    "arman": CorpusFormat("arman", "arman", ("fold1.txt", "fold2.txt", "fold3.txt"), " ", "-",
                          {"pers": "PER", "org": "ORG", "loc": "LOC", "fac": "LOC", "pro": None, "event": None}),
    "nsurl": CorpusFormat("nsurl", "nsurl2019", ("train-600k.txt",), "\t", "-",
                          {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "DAT": None, "TIM": None,
                           "MON": None, "PCT": None}),
    "parstwiner": CorpusFormat("parstwiner", "parstwiner", ("train.txt", "dev.txt", "test.txt"), "\t", "-",
                               {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "NAT": None, "EVE": None, "POG": None}),
}

CORPORA_ENV = "PERSNEWS_CORPORA"
_DEFAULT_RELATIVE = Path("..") / "shared" / "corpora"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_SEPARATOR_NAMES = {"|": "'|'", " ": "a space", "\t": "a tab"}


def corpora_root(explicit: str | Path | None = None) -> Path:
    """The folder holding the corpora: ``explicit``, else ``$PERSNEWS_CORPORA``, else ``../shared/corpora``.

    The default is tried relative to the current directory and to the
    project's root; a folder that does not exist raises :class:`CorpusMismatchError`.
    """
    if explicit is not None or os.environ.get(CORPORA_ENV):
        chosen = Path(explicit if explicit is not None else os.environ[CORPORA_ENV])
        if not chosen.is_dir():
            origin = "given" if explicit is not None else f"set in ${CORPORA_ENV}"
            raise CorpusMismatchError(f"corpora folder {chosen} ({origin}) does not exist")
        return chosen
    candidates = [Path.cwd() / _DEFAULT_RELATIVE, _REPO_ROOT / _DEFAULT_RELATIVE]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    raise CorpusMismatchError("no corpora folder found (tried " + ", ".join(map(str, candidates))
                              + f"); pass --corpora or set ${CORPORA_ENV}")


def corpus_format(name: str) -> CorpusFormat:
    """The format of corpus ``name``; an unknown name raises ``ValueError`` listing the known ones."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; expected one of {', '.join(CORPORA)}")
    return CORPORA[name]


@dataclass(frozen=True)
class CorpusSentence:
    """One sentence of a corpus: its tokens and entity spans over token indices ``[start, end)``."""

    id: str
    line: int
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int, str], ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def token_offsets(self) -> list[tuple[int, int]]:
        """Character ``(start, end)`` of each token in :attr:`text`."""
        offsets, cursor = [], 0
        for token in self.tokens:
            offsets.append((cursor, cursor + len(token)))
            cursor += len(token) + 1
        return offsets

    def to_document(self) -> Document:
        text, offsets = self.text, self.token_offsets()
        entities = tuple(Entity(offsets[a][0], offsets[b - 1][1], label, text[offsets[a][0]:offsets[b - 1][1]])
                         for a, b, label in self.spans)
        return Document(text, entities, id=self.id)


@dataclass(frozen=True)
class CorpusFile:
    """The sentences of one corpus file and a ``file:line: reason`` for each line or sentence skipped."""

    sentences: tuple[CorpusSentence, ...]
    skipped: tuple[str, ...]


def _tag_pattern(spec: CorpusFormat) -> re.Pattern[str]:
    types = "|".join(map(re.escape, spec.types))
    return re.compile(f"^(?:O|([BI]){re.escape(spec.tag_joiner)}({types}))$")


def _read_line(spec: CorpusFormat, pattern: re.Pattern[str], line: str) -> tuple[str, str]:
    """``(token, BIO tag with the corpus's type)``; a line to skip raises ``ValueError(reason)``."""
    token, separator, tag = line.rpartition(spec.separator)
    if not separator:
        raise ValueError(f"no tag (expected token, {_SEPARATOR_NAMES[spec.separator]}, tag)")
    match = pattern.match(tag)
    if match is None:
        raise ValueError(f"corrupt tag {tag!r}")
    token = token.strip()
    if spec.spaces_are_zwnj:
        token = re.sub(r"\s+", ZWNJ, token)
    if not token:
        raise ValueError("empty token")
    if re.search(r"\s", token):
        raise ValueError("token contains whitespace")
    return token, "O" if match.group(1) is None else f"{match.group(1)}-{match.group(2)}"


def parse_corpus_text(corpus: str, text: str, path: str) -> CorpusFile:
    """Parse one corpus file's text; ``path`` names it in ids (its stem) and in skip reasons."""
    spec = corpus_format(corpus)
    pattern = _tag_pattern(spec)
    stem = Path(path).stem
    sentences: list[CorpusSentence] = []
    skipped: list[str] = []
    block: list[tuple[int, str]] = []
    index = 0

    def close() -> None:
        nonlocal index
        if not block:
            return
        tokens, tags = [], []
        for number, line in block:
            try:
                token, tag = _read_line(spec, pattern, line)
            except ValueError as reason:
                skipped.append(f"{path}:{number}: {reason}")
                continue
            tokens.append(token)
            tags.append(tag)
        if tokens:
            spans = tuple((a, b, spec.types[kind]) for a, b, kind in bio_spans(tags) if spec.types[kind])
            sentences.append(CorpusSentence(f"{spec.name}/{stem}/{index}", block[0][0], tuple(tokens), spans))
        else:
            skipped.append(f"{path}:{block[0][0]}: sentence {index} has no readable token")
        index += 1
        block.clear()

    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if line.strip():
            block.append((number, line))
        else:
            close()
    close()
    return CorpusFile(tuple(sentences), tuple(skipped))


def read_corpus_file(corpus: str, path: str | Path) -> CorpusFile:
    """Read one file of ``corpus`` (UTF-8)."""
    return parse_corpus_text(corpus, read_text(path), str(path))


def corpus_file_path(corpus: str, stem: str, root: str | Path | None = None) -> Path:
    """Where file ``stem`` (e.g. ``train``, ``fold2``) of ``corpus`` lives under the corpora root."""
    spec = corpus_format(corpus)
    names = dict(zip(spec.stems, spec.files))
    if stem not in names:
        raise ValueError(f"{corpus} has no file {stem!r}; expected one of {', '.join(names)}")
    return corpora_root(root) / spec.folder / names[stem]


def import_corpus(corpus: str, source: str | Path | None = None) -> ImportResult:
    """Every sentence of ``corpus`` as documents, from ``source`` (its folder or one of its files).

    Without ``source`` the corpus folder under :func:`corpora_root` is used. A
    missing file raises :class:`CorpusMismatchError`.
    """
    spec = corpus_format(corpus)
    location = Path(source) if source is not None else corpora_root() / spec.folder
    files = [location / name for name in spec.files] if location.is_dir() else [location]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise CorpusMismatchError(f"{corpus}: missing corpus file(s): {', '.join(missing)}")
    documents: list[Document] = []
    skipped: list[str] = []
    for path in files:
        parsed = read_corpus_file(corpus, path)
        documents += [sentence.to_document() for sentence in parsed.sentences]
        skipped += parsed.skipped
    return ImportResult(tuple(documents), tuple(skipped))
