"""Extraction speed and memory of every configuration, in one run on the same articles: articles/s, sub-tokens/s,
peak RSS, and a markdown table the README quotes.

Configurations: each shipped model (persnews-fa-base, bfloat16 by default; persnews-fa-small, int8) with each
backend (torch, and ONNX Runtime where it is installed), plus a ParsBERT-base-shaped tagger (12 layers,
hidden 768, random weights, persnews-fa-base's tokenizer and precision) so users see the trade-off. Each is
measured twice:

- ``pipeline``: ``extract_many`` end to end (normalise, segment, tag, consistency, relations, officials);
- ``network``: the network's forward alone (``Tagger.emissions``, encoder with its word features and tag
  scores) on the same padded sub-token batches the pipeline builds, built before the clock starts: the bare
  encoder, whose rate the pipeline's is a fraction of.

Sub-tokens/s counts the articles' words' sub-tokens (no [CLS]/[SEP], no window overlap), the same count in
every row, so "pipeline ÷ network" is the share of the time the network is busy. Articles are ~3,000-character
Fars News articles read by path from ``../shared/corpora/news-raw`` (never copied here).

    python bench/throughput.py                        # every configuration, 200 articles
    python bench/throughput.py --quick                # 8 articles: a smoke run
    python bench/throughput.py --model persnews-fa-small [--precision int8] [--backend torch|onnx|both]
    python bench/throughput.py --base-shaped          # the 12x768 rows only
    python bench/throughput.py --rounds 3             # each configuration 3 times, alternating order; best round

Each configuration runs in a process of its own, so its peak RSS is its own (the articles are picked out of
the corpus files by another child process, whose memory is not counted). With ``--rounds``, the rounds run
the configurations forward, then backward, ..., so a drifting machine slows all alike; a row reports its best
round and its highest peak RSS. Where both backends ran a model's pipeline, the table says on how many
articles their spans are identical. Output: one JSON line per row, then the markdown table.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persnews.data.corpora import corpora_root  # noqa: E402
from persnews.precision import PRECISIONS  # noqa: E402

SHIPPED = ("persnews-fa-base", "persnews-fa-small")
BASE_SHAPED = "ParsBERT-base-shaped (12x768, random)"
PARTS = ("pipeline", "network")


@dataclass(frozen=True)
class Configuration:
    """One row: what is loaded (``model``: a name or folder), how, and which part is timed."""

    label: str
    model: str
    precision: str | None
    backend: str
    part: str


def articles(count: int, low: int = 2500, high: int = 3500) -> list[str]:
    """``count`` news-raw articles of ``low``..``high`` characters (title, abstract and paragraphs)."""
    found = []
    for path in sorted((corpora_root() / "news-raw").glob("fars-news-*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            text = "\n".join(p for p in [item.get("title"), item.get("abstract"), *item.get("paragraphs", [])] if p)
            if low <= len(text) <= high:
                found.append(text)
            if len(found) == count:
                return found
    return found


def articles_read_apart(count: int) -> list[str]:
    """:func:`articles`, read in a child process: parsing the corpus files leaves ~140 MB of freed Python
    objects behind in the reading process, which would count as the pipeline's peak memory."""
    listed = subprocess.run([sys.executable, __file__, "--list-articles", str(count)], capture_output=True,
                            text=True, check=True)
    return json.loads(listed.stdout)


def base_shaped_model(template: Path, directory: Path) -> Path:
    """A tagger folder shaped like ParsBERT-base (12 x 768), random weights, the template's tokenizer."""
    from transformers import AutoTokenizer

    from persnews.modeling import PersnewsConfig, PersnewsTagger
    from persnews.training import save_tagger

    config = PersnewsConfig.from_pretrained(template)
    config.update(dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
                       max_position_embeddings=512, max_window=512))
    model = PersnewsTagger(config)
    save_tagger(model, AutoTokenizer.from_pretrained(template), directory, None)
    vocabulary = template / "word_vocabulary.txt"
    if vocabulary.is_file():
        (directory / "word_vocabulary.txt").write_text(vocabulary.read_text(encoding="utf-8"), encoding="utf-8")
    return directory


def machine() -> str:
    return f"{platform.machine()} {platform.processor() or ''}".strip() + f", {os.cpu_count()} CPUs"


def onnx_installed() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def configurations(args: argparse.Namespace, base_shaped: str | None) -> list[Configuration]:
    """The rows this run measures (see the module docstring and ``--help``)."""
    backends = {"torch": ["torch"], "onnx": ["onnx"], "both": ["torch", "onnx"]}[args.backend or "both"]
    if args.backend is None and not onnx_installed():
        backends = ["torch"]
    models = [] if args.base_shaped and not args.model else (args.model or list(SHIPPED))
    rows = [Configuration(model, model, args.precision, backend, part)
            for model in models for backend in backends for part in PARTS]
    if base_shaped is not None:
        rows += [Configuration(BASE_SHAPED, base_shaped, args.precision, "torch", part) for part in PARTS]
    return rows


def peak_rss_mib() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` is its own address space's; ``ru_maxrss`` would
    also count the parent's peak, which a child started by vfork inherits through exec."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux; no /proc elsewhere
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def measure(configuration: Configuration, texts: list[str], batch_size: int) -> dict:
    """Load, warm up and time one configuration in this process (the child's job)."""
    import torch

    from persnews.normalization import normalize
    from persnews.pipeline import load
    from persnews.segmentation import sentences

    extractor = load(configuration.model, precision=configuration.precision, backend=configuration.backend)
    tagger = extractor.tagger
    extractor.extract_many(texts[:4])  # warm-up: first-call allocations, lazy imports
    gc.collect()  # every configuration starts from the same collector state (a full collection costs ~0.2 s)
    spans: list[str] = []
    if configuration.part == "pipeline":
        started = time.perf_counter()
        documents = extractor.extract_many(texts, batch_size=batch_size)
        seconds = time.perf_counter() - started
        spans = [hashlib.sha1(repr([(e.start, e.end, e.label) for e in d.entities]).encode()).hexdigest()[:12]
                 for d in documents]
    else:
        batches = [batch for _, batch in tagger.batches([sentences(normalize(t)) for t in texts], batch_size)]
        started = time.perf_counter()
        for batch in batches:
            tagger.emissions(batch)
        seconds = time.perf_counter() - started
    peak_mib = peak_rss_mib()  # before the counting below
    words = [t.text for text in texts for s in sentences(normalize(text)) for t in s.tokens]
    sub_tokens = sum(map(len, tagger.word_pieces(words)))
    return {**asdict(configuration), "precision": tagger.precision, "articles": len(texts),
            "seconds": round(seconds, 3), "sub_tokens": sub_tokens, "peak_rss_mib": round(peak_mib),
            "torch_threads": torch.get_num_threads(), "spans": spans}


def measure_apart(configuration: Configuration, texts_file: Path, batch_size: int) -> dict:
    """:func:`measure` in a child process, so that each configuration's peak RSS is its own."""
    done = subprocess.run([sys.executable, __file__, "--measure", json.dumps(asdict(configuration)),
                           "--texts", str(texts_file), "--batch-size", str(batch_size)],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{configuration} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_rounds(runs: list[dict]) -> dict:
    """One row from a configuration's rounds: the fastest round, the highest peak RSS, every round's seconds."""
    best = dict(min(runs, key=lambda run: run["seconds"]))
    best["rounds_seconds"] = [run["seconds"] for run in runs]
    best["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
    best["articles_per_s"] = round(best["articles"] / best["seconds"], 2)
    best["sub_tokens_per_s"] = round(best["sub_tokens"] / best["seconds"])
    return best


def table(rows: list[dict]) -> str:
    """The markdown table: each pipeline row with its network's rate, the share of it, the ratio to the
    ParsBERT-base-shaped pipeline (in its template's precision unless ``--precision``) where it ran, and for
    ONNX rows the articles whose spans are torch's."""
    network = {(r["label"], r["backend"]): r for r in rows if r["part"] == "network"}
    pipelines = [r for r in rows if r["part"] == "pipeline"]
    base = next((r for r in pipelines if r["label"] == BASE_SHAPED), None)
    lines = ["| model | backend | precision | articles/s | sub-tokens/s | peak RSS | network alone: sub-tokens/s "
             "(peak RSS) | pipeline ÷ network | vs ParsBERT-base-shaped | spans = torch's |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in pipelines:
        alone = network.get((row["label"], row["backend"]))
        share = f"{alone['seconds'] / row['seconds']:.0%}" if alone else ""
        versus = f"{row['articles_per_s'] / base['articles_per_s']:.1f}×" if base else ""
        torch_row = next((r for r in pipelines if r["label"] == row["label"] and r["backend"] == "torch"), None)
        same = ""
        if row["backend"] != "torch" and torch_row and row["spans"]:
            agree = sum(a == b for a, b in zip(row["spans"], torch_row["spans"]))
            same = f"{agree}/{len(row['spans'])}"
        network_cell = f"{alone['sub_tokens_per_s']:,} ({alone['peak_rss_mib']:,} MiB)" if alone else ""
        lines.append(f"| {row['label']} | {row['backend']} | {row['precision']} | {row['articles_per_s']:.2f} | "
                     f"{row['sub_tokens_per_s']:,} | {row['peak_rss_mib']:,} MiB | {network_cell} | {share} | "
                     f"{versus} | {same} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append",
                        help="a shipped model's name or a folder (repeatable; default: both shipped models)")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="8 articles, one round: a smoke run")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--precision", choices=PRECISIONS, help="float32, bfloat16 or int8 (default: each model's own)")
    parser.add_argument("--base-shaped", action="store_true",
                        help="the 12x768 random tagger only (with --model: those models and it)")
    parser.add_argument("--no-base-shaped", action="store_true", help="leave the 12x768 rows out")
    parser.add_argument("--backend", choices=["torch", "onnx", "both"],
                        help="what runs the network (default: torch, and onnx where ONNX Runtime is installed)")
    parser.add_argument("--rounds", type=int, default=1, help="times each configuration runs (alternating order)")
    parser.add_argument("--list-articles", type=int, help=argparse.SUPPRESS)  # the child of articles_read_apart
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child of measure_apart: a Configuration
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list_articles:
        print(json.dumps(articles(args.list_articles), ensure_ascii=False))
        return
    if args.measure:
        texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
        print(json.dumps(measure(Configuration(**json.loads(args.measure)), texts, args.batch_size)))
        return
    count, rounds = (8, 1) if args.quick else (args.articles, args.rounds)
    texts = articles_read_apart(count)
    with tempfile.TemporaryDirectory() as scratch:
        texts_file = Path(scratch) / "articles.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        base_shaped = None
        if args.base_shaped or not (args.model or args.no_base_shaped):
            from persnews.tagging import resolve_model_dir

            template = resolve_model_dir((args.model or [SHIPPED[0]])[0])
            base_shaped = str(base_shaped_model(template, Path(scratch) / "base-shaped"))
        rows = configurations(args, base_shaped)
        runs: dict[Configuration, list[dict]] = {row: [] for row in rows}
        for round_ in range(rounds):
            for row in rows if round_ % 2 == 0 else rows[::-1]:
                runs[row].append(measure_apart(row, texts_file, args.batch_size))
    results = [best_rounds(r) for r in runs.values()]
    context = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "articles": len(texts),
               "mean_chars": round(sum(map(len, texts)) / len(texts)), "rounds": rounds,
               "torch_threads": results[0]["torch_threads"], "batch_size": args.batch_size}
    for result in results:
        print(json.dumps({**{k: v for k, v in result.items() if k != "spans"}, **context}, ensure_ascii=False))
    print(f"\n{context['date']}, {context['machine']}, {context['torch_threads']} torch threads: "
          f"{context['articles']} Fars News articles of ~{context['mean_chars']:,} characters, batch size "
          f"{context['batch_size']}, best of {rounds} round(s).\n")
    print(table(results))


if __name__ == "__main__":
    main()
