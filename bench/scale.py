"""Corpus extraction at scale: documents/s with 1 and 2 Ray workers of one CPU each, the local engine on the
same CPUs, and the model's load time and memory per worker.

Reads ~3,000-character Fars News articles (title, abstract, paragraphs) by path from
``../shared/corpora/news-raw`` (never copied here) into a temporary JSONL and runs the
``extract-corpus`` engines on it with the default model in its own precision.

    python bench/scale.py [--articles 256] [--batch-size 8] [--model PATH]

documents/s is timed where the batches run: every batch's start and end are stamped inside the
process that extracts it (this one for the local engine, each actor for Ray), and the rate is all
documents over the span from the first batch's start to the last batch's end. Actor start-up and
model loading fall outside that span (they are reported apart, as load time); how results travel
back to the driver, which comes in bursts under Ray, does not move it. ``wall_s`` is the whole run
as a user waits for it, start-up included.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.compute as pc

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from throughput import articles_read_apart  # noqa: E402

from persnews.corpus.inputs import index_inputs  # noqa: E402
from persnews.corpus.run import extract_shards_local  # noqa: E402
from persnews import distributed  # noqa: E402
from persnews.distributed import BatchWorker  # noqa: E402
from persnews.pipeline import DEFAULT_MODEL, load  # noqa: E402

LOAD_PROBE = """
import sys, time
started = time.perf_counter()
import torch
torch.set_num_threads(1)
from persnews.pipeline import load
from throughput import peak_rss_mib
extractor = load(sys.argv[1])
loaded = time.perf_counter() - started
extractor.extract_many(sys.argv[2:])
print(loaded, peak_rss_mib())
"""


class BatchClock:
    """Start, end and size of every batch, stamped by the process that ran it (wall-clock seconds, so
    stamps from several processes on one machine compare)."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, float, float, int, float]] = []

    def add(self, process: int, started: float, ended: float, count: int, cpu_s: float) -> None:
        self.batches.append((process, started, ended, count, cpu_s))

    def result(self, wall_s: float) -> dict[str, float]:
        """``documents_per_s`` over the span of all batches; ``busy_documents_per_s``, each process's documents
        over its own span, summed: what the workers could do with no start-up stagger or straggler at the end;
        ``cpu_per_wall``, the CPU seconds a process spent per second of its batches (up to its thread count; less:
        it waited for a core)."""
        spans: dict[int, list[float]] = {}
        for process, started, ended, count, _ in self.batches:
            first, last, documents = spans.get(process, (started, ended, 0))
            spans[process] = [min(first, started), max(last, ended), documents + count]
        first = min(first for first, _, _ in spans.values())
        last = max(last for _, last, _ in spans.values())
        documents = sum(documents for _, _, documents in spans.values())
        return {"documents_per_s": round(documents / (last - first), 2),
                "busy_documents_per_s": round(sum(d / (b - a) for a, b, d in spans.values()), 2),
                "batches_per_process": sorted(sum(1 for p, *_ in self.batches if p == q) for q in spans),
                "cpu_per_wall": round(sum(b[4] for b in self.batches) / sum(b[2] - b[1] for b in self.batches), 2),
                "wall_s": round(wall_s, 1)}


def timed_worker(log: Path) -> type[BatchWorker]:
    """A Ray actor class that appends each batch's stamps to a file of its own in ``log``."""

    class TimedBatchWorker(BatchWorker):
        def __call__(self, batch: pa.Table) -> pa.Table:
            started, cpu = time.time(), time.process_time()
            results = super().__call__(batch)
            count = pc.sum(pc.list_value_length(batch.column("ids"))).as_py()
            with open(log / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as stamps:
                stamps.write(json.dumps([os.getpid(), started, time.time(), count, time.process_time() - cpu]) + "\n")
            return results

    return TimedBatchWorker


class WorkerMemory(threading.Thread):
    """Peak RSS of each Ray actor process (``ray::MapWorker...``), sampled twice a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, float] = {}
        self.running = True

    def run(self) -> None:
        while self.running:
            for process in psutil.process_iter(["pid", "cmdline"]):
                if "MapWorker" in " ".join(process.info["cmdline"] or []):
                    try:
                        rss = process.memory_info().rss / 2**20
                    except psutil.Error:
                        continue
                    self.peaks[process.pid] = max(self.peaks.get(process.pid, 0.0), rss)
            time.sleep(0.5)


def run_local(shards: list, model: str, threads: int, batch_size: int) -> dict[str, float]:
    extractor = load(model)
    clock, started = BatchClock(), time.perf_counter()
    batch_started, batch_cpu = time.time(), time.process_time()

    def stamp(count: int) -> None:  # the local engine calls it after each batch
        nonlocal batch_started, batch_cpu
        clock.add(os.getpid(), batch_started, time.time(), count, time.process_time() - batch_cpu)
        batch_started, batch_cpu = time.time(), time.process_time()

    for _ in extract_shards_local(shards, extractor, threads, batch_size, None, stamp):
        pass
    return clock.result(time.perf_counter() - started)


def run_ray(shards: list, model: str, workers: int, batch_size: int) -> dict[str, float]:
    memory = WorkerMemory()
    memory.start()
    clock, started = BatchClock(), time.perf_counter()
    with tempfile.TemporaryDirectory() as log:
        for _ in distributed.extract_shards(shards, model, workers=workers, batch_size=batch_size, max_chars=None,
                                            worker=timed_worker(Path(log))):
            pass
        wall_s = time.perf_counter() - started
        for stamps in Path(log).glob("*.jsonl"):
            for line in stamps.read_text(encoding="utf-8").splitlines():
                clock.add(*json.loads(line))
    memory.running = False
    memory.join()
    return {**clock.result(wall_s), "worker_peak_rss_mib": sorted(round(v) for v in memory.peaks.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8, help="documents per batch (small: many batches per worker)")
    args = parser.parse_args()
    texts = articles_read_apart(args.articles)
    probe = subprocess.run([sys.executable, "-c", LOAD_PROBE, args.model, *texts[:16]], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(BENCH), str(BENCH.parent)])})
    load_s, rss_mib = map(float, probe.stdout.split())
    report = {"date": datetime.date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
              "load_average_at_start": [round(x, 1) for x in os.getloadavg()], "articles": len(texts),
              "mean_chars": round(sum(map(len, texts)) / len(texts)), "batch_size": args.batch_size,
              "worker_load_s": round(load_s, 1), "worker_peak_rss_mib_16_articles": round(rss_mib)}
    print(json.dumps(report, ensure_ascii=False), flush=True)  # each part as it ends: a long run may be cut off
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "articles.jsonl"
        corpus.write_text("".join(json.dumps({"id": f"a{i}", "text": t}, ensure_ascii=False) + "\n"
                                  for i, t in enumerate(texts)), encoding="utf-8")
        shards = index_inputs([corpus], shard_size=2 * args.batch_size)  # a shard is one actor's task
        runs = {"local_1_thread": lambda: run_local(shards, args.model, 1, args.batch_size),
                "local_2_threads": lambda: run_local(shards, args.model, 2, args.batch_size),
                "ray_1_worker": lambda: run_ray(shards, args.model, 1, args.batch_size),
                "ray_2_workers": lambda: run_ray(shards, args.model, 2, args.batch_size)}
        distributed.start_ray(None, 2)
        for name, run in runs.items():
            report[name] = run()
            print(json.dumps({name: report[name], "load_average": [round(x, 1) for x in os.getloadavg()]}),
                  flush=True)
        distributed.ray.shutdown()
    for measure in ("documents_per_s", "busy_documents_per_s"):
        rate = {name: report[name][measure] for name in runs}
        print(json.dumps({"measure": measure, "ray_2_over_1": round(rate["ray_2_workers"] / rate["ray_1_worker"], 2),
                          "ray_1_over_local_1": round(rate["ray_1_worker"] / rate["local_1_thread"], 2),
                          "ray_2_over_local_2": round(rate["ray_2_workers"] / rate["local_2_threads"], 2)}))


if __name__ == "__main__":
    main()
