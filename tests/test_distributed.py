"""The Ray engine on a local two-CPU Ray started once for this module (no network)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

ray = pytest.importorskip("ray")

from corpus.test_run import TEXTS, make_corpus, read_output  # noqa: E402

from persnews.corpus import extract_corpus  # noqa: E402
from persnews.corpus.inputs import index_inputs  # noqa: E402
from persnews.corpus.records import extract_records  # noqa: E402
from persnews.distributed import BatchWorker, extract_dataset, extract_shards  # noqa: E402
from persnews.pipeline import load  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    yield
    ray.shutdown()


def test_extract_dataset_adds_the_result_columns(tiny_model: Path) -> None:
    ids, texts = ["a", "b", None, "c"], [TEXTS[0], TEXTS[1], TEXTS[2], "ا" * 300_000]
    dataset = ray.data.from_items([{"id": i, "text": t, "source": n} for n, (i, t) in enumerate(zip(ids, texts))])
    rows = extract_dataset(dataset, tiny_model, batch_size=1, concurrency=2, ship_model=False).take_all()
    rows.sort(key=lambda row: row["source"])
    extractor = load(tiny_model)  # one document per call on both sides: int8 activations are scaled per batch
    expected = [row for i, t in zip(ids, texts) for row in extract_records(extractor, [i], [t])]
    assert [row["text"] for row in rows] == texts  # the input columns stay
    columns = ("entities", "relations", "officials", "error")
    assert [{key: row[key] for key in columns} for row in rows] == [{key: row[key] for key in columns}
                                                                    for row in expected]
    assert [row["error"] for row in rows] == [None, None, "missing id",
                                              "text has 300,000 characters, over the limit of 100,000"]


def test_ray_engine_writes_what_the_local_engine_writes(tmp_path: Path, tiny_model: Path) -> None:
    inputs = make_corpus(tmp_path / "in")
    local = extract_corpus(inputs, tmp_path / "local", model=tiny_model, shard_size=3)
    distributed = extract_corpus(inputs, tmp_path / "ray", engine="ray", model=tiny_model, shard_size=3, workers=2)
    assert (distributed.documents, distributed.errors) == (local.documents, local.errors) == (10, 4)
    for shard in sorted((tmp_path / "local").glob("part-*")):
        assert (tmp_path / "ray" / shard.name).read_bytes() == shard.read_bytes()


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(tmp_path: Path, tiny_model: Path) -> None:
    flag = tmp_path / "killed"

    class DiesOnce(BatchWorker):
        """Exits the actor's process the first time it meets the marked record, as an OOM kill would."""

        def __call__(self, batch):  # type: ignore[no-untyped-def]
            if any("j5" in ids for ids in batch.column("ids").to_pylist()) and not flag.exists():
                flag.touch()
                os._exit(1)
            return super().__call__(batch)

    inputs = make_corpus(tmp_path / "in")
    shards = index_inputs(inputs, shard_size=4)
    done = dict(extract_shards(shards, tiny_model, workers=2, batch_size=2, worker=DiesOnce))
    assert flag.exists()  # the worker did die
    rows = [row for index in sorted(done) for row in done[index]]
    ids = Counter(row["id"] for row in rows)
    assert len(rows) == 10 and ids[None] == 1 and all(count == 1 for count in ids.values())
    extract_corpus(inputs, tmp_path / "local", model=tiny_model, shard_size=4, batch_size=2)
    assert rows == read_output(tmp_path / "local")
