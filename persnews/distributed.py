"""Extraction over a Ray cluster (``pip install "persnews[ray]"``): the same per-batch step as the local
engine (:func:`persnews.corpus.records.extract_records`), run by a pool of actors that each load the model once.

>>> import ray.data                                   # doctest: +SKIP
>>> from persnews.distributed import extract_dataset  # doctest: +SKIP
>>> ds = ray.data.read_parquet("s3://bucket/news/")   # columns id, text  # doctest: +SKIP
>>> extract_dataset(ds, concurrency=8).write_parquet("s3://bucket/officials/")  # doctest: +SKIP

The model reaches the workers through the Ray object store by default (the
driver reads the model folder once; each actor unpacks it to a temporary
folder and loads it), so no node but the driver needs the model on disk;
``ship_model=False`` makes each actor load the same path itself (a shared
filesystem, or the model baked into the workers' image).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import pyarrow as pa
import ray
import ray.data
import torch

from .corpus.inputs import Shard, shard_batches
from .corpus.records import DEFAULT_MAX_CHARS, RESULT_COLUMNS, RESULT_SCHEMA, extract_records
from .errors import PersnewsError
from .pipeline import DEFAULT_MODEL, load
from .tagging import resolve_model_dir

__all__ = ["extract_dataset", "ExtractionWorker", "BatchWorker", "extract_shards", "start_ray"]


class ExtractionWorker:
    """A Ray Data actor: loads the model once, with torch using only the CPUs Ray gave it, then maps
    batches (Arrow tables with ``id`` and ``text``) to the same tables with the result columns added."""

    def __init__(self, model: dict[str, Any], threads: int = 1, max_chars: int | None = DEFAULT_MAX_CHARS):
        torch.set_num_threads(threads)
        self.max_chars = max_chars
        if "path" in model:
            self.extractor = load(model["path"])
            return
        folder = Path(tempfile.mkdtemp(prefix="persnews-model-"))
        try:
            for name, data in ray.get(model["files"][0]).items():
                (folder / name).write_bytes(data)
            self.extractor = load(folder)  # reads every file, so the folder can go
        finally:
            shutil.rmtree(folder)

    def __call__(self, batch: pa.Table) -> pa.Table:
        def column(name: str) -> list[Any]:
            return batch.column(name).to_pylist() if name in batch.column_names else [None] * batch.num_rows

        errors = column("error") if "error" in batch.column_names else None
        rows = extract_records(self.extractor, column("id"), column("text"), errors, max_chars=self.max_chars)
        results = pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
        for name in RESULT_COLUMNS:
            index = batch.column_names.index(name) if name in batch.column_names else -1
            field, values = RESULT_SCHEMA.field(name), results.column(name)
            batch = batch.set_column(index, field, values) if index >= 0 else batch.append_column(field, values)
        return batch


def _model_source(model: str | os.PathLike | None, ship_model: bool) -> dict[str, Any]:
    directory = resolve_model_dir(DEFAULT_MODEL if model is None else model)
    if not ship_model:
        return {"path": str(directory.resolve())}
    files = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and not p.name.endswith(".md")}
    return {"files": [ray.put(files)]}  # in a list, so the actor gets the reference and fetches it itself


def extract_dataset(dataset: ray.data.Dataset, model: str | os.PathLike | None = None, *, batch_size: int = 64,
                    concurrency: int | tuple[int, int] = 1, num_cpus_per_worker: int = 1,
                    max_chars: int | None = DEFAULT_MAX_CHARS, ship_model: bool = True,
                    worker: type[ExtractionWorker] = ExtractionWorker) -> ray.data.Dataset:
    """``dataset`` (columns ``id`` and ``text``) with ``entities``, ``relations``, ``officials`` and
    ``error`` added, computed by ``concurrency`` actors (an int, or ``(min, max)`` to autoscale) of
    ``num_cpus_per_worker`` CPUs each, ``batch_size`` documents per call.

    A record that fails gets its ``error`` and empty results. Ray restarts a
    worker that dies and retries its batch, so no record is lost or repeated.
    ``worker`` may be a subclass of :class:`ExtractionWorker` that adds its own per-batch work.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return _map_with_workers(dataset, worker, batch_size, model, concurrency, num_cpus_per_worker, max_chars,
                             ship_model)


def _map_with_workers(dataset: ray.data.Dataset, worker: type[ExtractionWorker], rows_per_call: int,
                      model: str | os.PathLike | None, concurrency: int | tuple[int, int], num_cpus_per_worker: int,
                      max_chars: int | None, ship_model: bool) -> ray.data.Dataset:
    if num_cpus_per_worker < 1:
        raise ValueError("num_cpus_per_worker must be at least 1")
    if not ray.is_initialized():
        ray.init()
    low, high = concurrency if isinstance(concurrency, tuple) else (concurrency, concurrency)
    return dataset.map_batches(
        worker, batch_size=rows_per_call, batch_format="pyarrow", num_cpus=num_cpus_per_worker,
        compute=ray.data.ActorPoolStrategy(min_size=low, max_size=high),
        fn_constructor_kwargs={"model": _model_source(model, ship_model), "threads": num_cpus_per_worker,
                               "max_chars": max_chars})


class BatchWorker(ExtractionWorker):
    """The corpus path's actor: each input row is one batch of records exactly as the local engine cuts
    it (:func:`~persnews.corpus.inputs.shard_batches`), so both engines put the same documents through the
    model together and write the same results (int8 activations are scaled per forward pass)."""

    def __call__(self, batch: pa.Table) -> pa.Table:
        results = [{"shard": row["shard"], "first": row["first"],
                    "rows": extract_records(self.extractor, row["ids"], row["texts"], row["errors"],
                                            max_chars=self.max_chars)}
                   for row in batch.to_pylist()]
        return pa.Table.from_pylist(results, schema=_BATCH_RESULTS)


_BATCH_RESULTS = pa.schema([("shard", pa.int64()), ("first", pa.int64()),
                            ("rows", pa.list_(pa.struct(list(RESULT_SCHEMA))))])


def _shard_batches(row: dict[str, Any], batch_size: int) -> list[dict[str, Any]]:
    shard = Shard.from_dict(json.loads(row["shard"]))
    return [{"shard": shard.index, "first": first, "ids": [r["id"] for r in records],
             "texts": [r["text"] for r in records], "errors": [r["error"] for r in records]}
            for first, records in shard_batches(shard, batch_size)]


def start_ray(address: str | None, cpus: int) -> bool:
    """Connect to the cluster at ``address``, or start a local Ray of ``cpus`` CPUs; True if this call started it."""
    if ray.is_initialized():
        return False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
    else:
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.WARNING)
    return True


def extract_shards(shards: Sequence[Shard], model: str | os.PathLike | None = None, *, workers: int = 1,
                   cpus_per_worker: int = 1, batch_size: int = 64, max_chars: int | None = DEFAULT_MAX_CHARS,
                   ship_model: bool = True, worker: type[BatchWorker] = BatchWorker,
                   on_records: Callable[[int], None] | None = None) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """``(shard index, result rows in input order)`` for each shard as soon as all its records are back;
    ``on_records(n)`` hears of every ``n`` records that come back (for a progress bar).

    The shards are read on the driver's node (so inputs need not be on a
    shared filesystem) and extracted by ``workers`` actors anywhere in the
    cluster; a shard is the unit of work one actor takes, so there should be
    many more shards than workers.
    """
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the caller shows one bar over documents
    context.enable_operator_progress_bars = False
    here = ray.get_runtime_context().get_node_id()
    batches = ray.data.from_items([{"shard": json.dumps(s.to_dict())} for s in shards], override_num_blocks=len(shards)
                                  ).flat_map(_shard_batches, fn_kwargs={"batch_size": batch_size}, num_cpus=0,
                                             label_selector={"ray.io/node-id": here})
    results = _map_with_workers(batches, worker, 1, model, workers, cpus_per_worker, max_chars, ship_model)
    expected = {s.index: s.count for s in shards}
    pending: dict[int, dict[int, list[dict[str, Any]]]] = defaultdict(dict)
    for table in results.iter_batches(batch_format="pyarrow", batch_size=None):
        for done in table.to_pylist():
            index, first, rows = done["shard"], done["first"], done["rows"]
            if first in pending[index]:
                raise PersnewsError(f"records {first}.. of shard {index} came back twice")
            pending[index][first] = rows
            if on_records:
                on_records(len(rows))
            if sum(map(len, pending[index].values())) == expected[index]:
                parts = pending.pop(index)
                yield index, [row for start in sorted(parts) for row in parts[start]]
    if pending:
        missing = sum(expected[i] - sum(map(len, parts.values())) for i, parts in pending.items())
        raise PersnewsError(f"{missing} record(s) of shards {sorted(pending)} never came back from the workers")
