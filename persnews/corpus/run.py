"""``extract_corpus``: inputs in, result shards out, by this process (``local``) or a Ray cluster (``ray``).

Both engines read the same shards, run the same per-batch step
(:func:`~persnews.corpus.records.extract_records`) and write the same files;
only where the step runs differs.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import torch
from tqdm.auto import tqdm

from ..errors import PersnewsError
from ..pipeline import DEFAULT_MODEL, Extractor, load
from .inputs import Shard, index_inputs, input_files, shard_batches
from .records import DEFAULT_MAX_CHARS, extract_records
from .shards import OutputFolder

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class CorpusSummary:
    """What a run did: documents and errors written by this run, shards an earlier run had finished."""

    documents: int
    errors: int
    seconds: float
    shards: int
    skipped_shards: int
    skipped_documents: int
    output: Path

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        earlier = (f"; {self.skipped_documents:,} documents in {self.skipped_shards} shard(s) were already done"
                   if self.skipped_shards else "")
        return (f"{self.documents:,} documents, {self.errors:,} errors, {self.documents_per_second:.1f} documents/s "
                f"({self.seconds:.1f} s) -> {self.output} ({self.shards} shards{earlier})")


def extract_corpus(inputs: Sequence[str | os.PathLike], output: str | os.PathLike, *, engine: str = "local",
                   model: str | os.PathLike | None = None, workers: int = 1, cpus_per_worker: int = 1,
                   batch_size: int = 64, format: str = "jsonl", shard_size: int = 1000,
                   max_chars: int | None = DEFAULT_MAX_CHARS, address: str | None = None,
                   progress: bool = False) -> CorpusSummary:
    """Extract every document of ``inputs`` into result shards in ``output``, resuming an interrupted run.

    ``local`` runs in this process on ``workers * cpus_per_worker`` torch
    threads; ``ray`` runs ``workers`` actors of ``cpus_per_worker`` CPUs each
    on the cluster at ``address`` (default: a local Ray of that many CPUs).
    ``batch_size`` documents go through the model at a time; a record that
    fails is written with its ``error`` and empty results.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    if min(workers, cpus_per_worker, batch_size) < 1:
        raise ValueError("workers, cpus_per_worker and batch_size must be at least 1")
    folder = OutputFolder(output, format)
    files = input_files(inputs)
    shards = index_inputs(files, shard_size)
    model_path = Path(DEFAULT_MODEL if model is None else model).expanduser()
    manifest = {"inputs": [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in files],
                "model": str(model_path.absolute()) if model_path.exists() else str(model),
                "shard_size": shard_size, "max_chars": max_chars}
    done = folder.open(manifest)
    todo = [s for s in shards if s.index not in done]
    documents = errors = 0
    started = time.perf_counter()
    with tqdm(total=sum(s.count for s in todo), disable=not progress, unit="doc", desc="extract-corpus") as bar:
        if engine == "local":
            threads = workers * cpus_per_worker
            results = extract_shards_local(todo, load(model), threads, batch_size, max_chars, bar.update)
        else:
            results = _ray_shards(todo, model, workers, cpus_per_worker, batch_size, max_chars, address, bar.update)
        for index, rows in results:
            folder.write(index, rows)
            documents += len(rows)
            errors += sum(row["error"] is not None for row in rows)
    return CorpusSummary(documents, errors, time.perf_counter() - started, len(shards), len(shards) - len(todo),
                         sum(s.count for s in shards if s.index in done), folder.path)


def extract_shards_local(shards: Sequence[Shard], extractor: Extractor, threads: int, batch_size: int,
                         max_chars: int | None, on_records: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """The local engine: ``(shard index, result rows)`` per shard, computed here on ``threads`` torch threads."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for shard in shards:
            rows = []
            for _, batch in shard_batches(shard, batch_size):
                rows += extract_records(extractor, [r["id"] for r in batch], [r["text"] for r in batch],
                                        [r["error"] for r in batch], max_chars=max_chars)
                on_records(len(batch))
            yield shard.index, rows
    finally:
        torch.set_num_threads(previous)


def _ray_shards(shards: Sequence[Shard], model: str | os.PathLike | None, workers: int, cpus_per_worker: int,
                batch_size: int, max_chars: int | None, address: str | None,
                on_records: Any) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    try:
        from .. import distributed  # Ray is imported only when asked for
    except ImportError as error:
        raise PersnewsError(f'the ray engine needs Ray ({error}): pip install "persnews[ray]"') from error
    started = distributed.start_ray(address, workers * cpus_per_worker)
    try:
        if shards:
            yield from distributed.extract_shards(shards, model, workers=workers, cpus_per_worker=cpus_per_worker,
                                                  batch_size=batch_size, max_chars=max_chars, on_records=on_records)
    finally:
        if started:
            distributed.ray.shutdown()
