"""Where ``extract_many``'s time goes: each stage's share of the CPU time, and the network's.

Wraps the pipeline's stage functions with CPU-time counters (``time.process_time``: on a shared machine the
wall clock counts other processes' turns, CPU time counts this one's work) and runs ``extract_many`` over the
same articles as ``bench/throughput.py``. The network is split into the BERT encoder and the rest of the
forward (word features in, tag scores out) when the backend is torch. Run it with one torch thread
(``--threads 1``, the default) for CPU time that adds up: with two, the encoder's two threads count double.

    python bench/stages.py --model persnews-fa-small [--articles 40] [--threads 1] [--backend torch]
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

import persnews.pipeline as pipeline  # noqa: E402
import persnews.tagging as tagging  # noqa: E402
from throughput import articles_read_apart  # noqa: E402

STAGES = [(pipeline, "normalize", "normalise"), (pipeline, "sentences", "segment"),
          (tagging, "document_windows", "sub-tokens and windows"), (tagging, "encode_words", "sub-tokens and windows"),
          (tagging, "pad_batch", "features and padding"), (tagging, "best_tags", "CRF decode and marginals"),
          (tagging, "merge_windows", "merge windows"), (tagging, "spans_from_tags", "tags to spans"),
          (pipeline, "propagate", "consistency"), (pipeline, "extract_relations", "relations"),
          (pipeline, "build_officials", "officials")]


def counted(function: Callable, stage: str, spent: dict[str, float]) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] += time.process_time() - started
    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=pipeline.DEFAULT_MODEL)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--backend", default="torch", choices=tagging.BACKENDS)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    texts = articles_read_apart(args.articles)
    spent: dict[str, float] = defaultdict(float)
    for module, name, stage in STAGES:
        setattr(module, name, counted(getattr(module, name), stage, spent))
    extractor = pipeline.load(args.model, backend=args.backend)
    tagger = extractor.tagger
    tagger.emissions = counted(tagger.emissions, "network: rest of the forward", spent)
    if tagger.backend == "torch":
        tagger.model.bert.forward = counted(tagger.model.bert.forward, "network: encoder", spent)
    extractor.extract_many(texts[:4])  # warm-up
    gc.collect()  # every run starts from the same collector state: a full collection costs ~0.2 s here
    spent.clear()
    started = time.process_time()
    extractor.extract_many(texts, batch_size=args.batch_size)
    total = time.process_time() - started
    spent["network: rest of the forward"] -= spent.get("network: encoder", 0.0)  # emissions include the encoder
    spent["other"] = total - sum(spent.values())
    network = spent.get("network: encoder", 0.0) + spent["network: rest of the forward"]
    print(json.dumps({"model": args.model, "backend": args.backend, "precision": tagger.precision,
                      "threads": args.threads, "articles": len(texts), "cpu_seconds": round(total, 3),
                      "network_share_of_pipeline": round(network / total, 3),
                      "stages": {k: round(v / total, 4) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}},
                     ensure_ascii=False))
    for stage, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"| {stage} | {seconds:.3f} s | {seconds / total:.1%} |")


if __name__ == "__main__":
    main()
