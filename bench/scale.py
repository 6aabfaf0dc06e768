"""Corpus extraction at scale: documents/s with 1 and 2 Ray workers of one CPU each, the local engine on the
same CPUs, and the model's load time and memory per worker.

Reads ~3,000-character Fars News articles (title, abstract, paragraphs) by path from
``../shared/corpora/news-raw`` (never copied here) into a temporary JSONL and runs the
``extract-corpus`` engines on it with the shipped model (int8).

    python bench/scale.py [--articles 256] [--batch-size 16] [--model PATH]

documents/s is the steady rate: documents after the first batch came back, over the time from
then to the last (actor start-up and model loading are reported apart, as load time).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import articles_read_apart  # noqa: E402

from persnews.corpus.inputs import index_inputs  # noqa: E402
from persnews.corpus.run import extract_shards_local  # noqa: E402
from persnews.pipeline import DEFAULT_MODEL, load  # noqa: E402

LOAD_PROBE = """
import resource, sys, time
started = time.perf_counter()
import torch
torch.set_num_threads(1)
from persnews.pipeline import load
extractor = load(sys.argv[1])
loaded = time.perf_counter() - started
extractor.extract_many(sys.argv[2:])
print(loaded, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


class Rate:
    """Timestamps of returned records: the steady documents/s after the first batch, and the time to it."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: list[tuple[float, int]] = []

    def __call__(self, count: int) -> None:
        self.marks.append((time.perf_counter(), count))

    def result(self) -> dict[str, float]:
        (first, _), (last, _) = self.marks[0], self.marks[-1]
        after_first = sum(count for _, count in self.marks[1:])
        return {"documents_per_s": round(after_first / (last - first), 2),
                "first_batch_s": round(first - self.started, 1), "total_s": round(last - self.started, 1)}


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
    rate = Rate()
    extractor = load(model)
    for _ in extract_shards_local(shards, extractor, threads, batch_size, None, rate):
        pass
    return rate.result()


def run_ray(shards: list, model: str, workers: int, batch_size: int) -> dict[str, float]:
    from persnews import distributed

    memory = WorkerMemory()
    memory.start()
    rate = Rate()
    for _ in distributed.extract_shards(shards, model, workers=workers, batch_size=batch_size, max_chars=None,
                                        on_records=rate):
        pass
    memory.running = False
    memory.join()
    return {**rate.result(), "worker_peak_rss_mib": sorted(round(v) for v in memory.peaks.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    texts = articles_read_apart(args.articles)
    probe = subprocess.run([sys.executable, "-c", LOAD_PROBE, args.model, *texts[:16]], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
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
        from persnews import distributed

        distributed.start_ray(None, 2)
        for name, run in runs.items():
            report[name] = run()
            print(json.dumps({name: report[name], "load_average": [round(x, 1) for x in os.getloadavg()]}),
                  flush=True)
        distributed.ray.shutdown()
    rate = {name: report[name]["documents_per_s"] for name in runs}
    print(json.dumps({"ray_2_over_1": round(rate["ray_2_workers"] / rate["ray_1_worker"], 2),
                      "ray_1_over_local_1": round(rate["ray_1_worker"] / rate["local_1_thread"], 2),
                      "ray_2_over_local_2": round(rate["ray_2_workers"] / rate["local_2_threads"], 2)}))


if __name__ == "__main__":
    main()
