"""``persnews distil label``: a teacher tagger labels unlabelled text into resumable shards of silver sentences.

The text is news-raw's articles and raw-extra's lines, read by path
(:func:`persnews.pretraining.file_paragraphs`), one paragraph from each file
in turn, so that any prefix of the stream mixes every source. Each paragraph
goes through the pipeline's own normalisation and segmentation and is tagged
as one document (the teacher sees the paragraph's context); each of its
sentences becomes a line with the words a student will read, the teacher's
Viterbi tags and its per-word marginals (see :mod:`.silver` for the format).

Shards hold about ``shard_words`` whitespace-separated words of raw text (the
unit the corpora README counts in); each appears by rename once complete
(:class:`persnews.corpus.shards.OutputFolder`), so a rerun skips finished
shards, never reads a half-written one, and refuses another teacher, corpus
or setting.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from tqdm.auto import tqdm

from ..corpus.shards import OutputFolder
from ..data.corpora import corpora_root
from ..errors import DataSourceError
from ..modeling import tag_marginals
from ..normalization import normalize
from ..pretraining import file_paragraphs, raw_files
from ..segmentation import sentences
from ..tagging import Tagger, resolve_model_dir
from .silver import SILVER_FORMAT, encode_marginals

DEFAULT_EXCLUDE = ("reviews-informal.txt", "religious-fa-translations.txt")
"""raw-extra files left out by default: the corpora's own notes call them lower priority and off the news
domain (informal reviews; religious translations)."""
_CHUNK = 128  # paragraphs tagged together: windows are sorted by length within a call, and the bar moves


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of unlabelled text and where it is: ``source`` (folder/file) and its index there."""

    source: str
    index: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def interleaved_paragraphs(root: Path, exclude: Sequence[str] = DEFAULT_EXCLUDE) -> Iterator[Paragraph]:
    """The paragraphs of every unlabelled file under ``root`` but ``exclude`` (file names), one from each
    file in turn, in a fixed order."""
    streams = [_numbered(path) for path in raw_files(root) if path.name not in exclude]
    for group in itertools.zip_longest(*streams):
        yield from (paragraph for paragraph in group if paragraph is not None)


def _numbered(path: Path) -> Iterator[Paragraph]:
    source = f"{path.parent.name}/{path.name}"
    return (Paragraph(source, index, text) for index, text in enumerate(file_paragraphs(path)))


def paragraph_shards(paragraphs: Iterable[Paragraph], words: int, shard_words: int) -> Iterator[list[Paragraph]]:
    """Consecutive paragraphs in shards of at least ``shard_words`` words (the last one may have fewer),
    ending with the paragraph that brings the total to ``words``.

    >>> ps = [Paragraph("a", i, "یک دو سه") for i in range(5)]
    >>> [len(s) for s in paragraph_shards(ps, words=12, shard_words=5)]
    [2, 2]
    """
    shard: list[Paragraph] = []
    in_shard = total = 0
    for paragraph in paragraphs:
        shard.append(paragraph)
        in_shard += paragraph.words
        total += paragraph.words
        if in_shard >= shard_words or total >= words:
            yield shard
            shard, in_shard = [], 0
        if total >= words:
            return
    if shard:
        yield shard


def label_paragraphs(tagger: Tagger, paragraphs: Sequence[Paragraph], batch_size: int = 32) -> list[dict[str, Any]]:
    """One shard line per sentence of ``paragraphs``: id, words, the teacher's tags and marginals."""
    segmented = [sentences(normalize(p.text)) for p in paragraphs]
    results = tagger.word_results(
        segmented, lambda emissions, mask: [list(zip(path, marginals)) for path, marginals
                                            in tag_marginals(emissions, mask, tagger.model.crf)], batch_size)
    rows = []
    for paragraph, sents, words in zip(paragraphs, segmented, results):
        cursor = 0
        for k, sentence in enumerate(sents):
            tagged = words[cursor: cursor + len(sentence.tokens)]
            cursor += len(sentence.tokens)
            rows.append({"id": f"{paragraph.source}:{paragraph.index}:{k}",
                         "words": [t.text for t in sentence.tokens],
                         "tags": [tagger.tags[tag] for tag, _ in tagged],
                         "marginals": encode_marginals(np.stack([m for _, m in tagged]))})
    return rows


@dataclass(frozen=True)
class LabelSummary:
    """What a run did: shards, sentences and words labelled by this run, and shards an earlier run finished."""

    shards: int
    skipped_shards: int
    sentences: int
    words: int
    tokens: int
    seconds: float
    precision: str
    output: Path

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        earlier = f"; {self.skipped_shards} shard(s) were already done" if self.skipped_shards else ""
        return (f"{self.words:,} words ({self.tokens:,} tokens, {self.sentences:,} sentences) labelled in "
                f"{self.seconds:.0f} s, {self.words_per_second:,.0f} words/s ({self.precision}) -> {self.output} "
                f"({self.shards} shards{earlier})")


def label_corpus(teacher: str | os.PathLike, output: str | os.PathLike, *, words: int = 8_000_000,
                 shard_words: int = 200_000, corpora: str | os.PathLike | None = None, batch_size: int = 32,
                 precision: str | None = None, exclude: Sequence[str] = DEFAULT_EXCLUDE,
                 progress: bool = False) -> LabelSummary:
    """Label the first ``words`` words of the unlabelled text with ``teacher`` into shards in ``output``,
    resuming an interrupted run (see the module's docstring). ``precision`` is the teacher's (see
    :mod:`persnews.precision`; default its own: bfloat16 for persnews-fa-base where the CPU has it)."""
    if min(words, shard_words, batch_size) < 1:
        raise ValueError("words, shard_words and batch_size must be at least 1")
    root = corpora_root(corpora)
    files = [path for path in raw_files(root) if path.name not in exclude]
    paragraphs = interleaved_paragraphs(root, exclude)
    first = next(paragraphs, None)
    if first is None:
        raise DataSourceError(f"no unlabelled text under {root} (news-raw/*.json, raw-extra/*.txt"
                              f"{', but ' + ', '.join(exclude) if exclude else ''})")
    directory = resolve_model_dir(teacher)
    tagger = Tagger.load(directory, precision=precision)
    weights = directory / "model.safetensors"
    folder = OutputFolder(output, "jsonl")
    done = folder.open({"format": SILVER_FORMAT, "teacher": str(directory.absolute()),
                        "teacher_weights": [weights.stat().st_size, weights.stat().st_mtime_ns],
                        "tags": tagger.tags, "files": [[f"{p.parent.name}/{p.name}", p.stat().st_size] for p in files],
                        "words": words, "shard_words": shard_words, "exclude": sorted(exclude),
                        "precision": tagger.precision})
    shards = labelled = tokens = count = 0
    started = time.perf_counter()
    with tqdm(total=words, disable=not progress, unit="word", unit_scale=True, desc="distil label") as bar:
        for index, shard in enumerate(paragraph_shards(itertools.chain([first], paragraphs), words, shard_words)):
            shards += 1
            size = sum(p.words for p in shard)
            if index in done:
                bar.update(size)
                continue
            rows = []
            for start in range(0, len(shard), _CHUNK):
                chunk = shard[start: start + _CHUNK]
                rows += label_paragraphs(tagger, chunk, batch_size)
                bar.update(sum(p.words for p in chunk))
            folder.write(index, rows)
            labelled += size
            count += len(rows)
            tokens += sum(len(row["words"]) for row in rows)
    return LabelSummary(shards, len(done), count, labelled, tokens, time.perf_counter() - started, tagger.precision,
                        folder.path)
