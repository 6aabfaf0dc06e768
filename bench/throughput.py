"""End-to-end extraction speed and memory: articles/s, sub-tokens/s and peak RSS.

Runs ``extract_many`` over ~3,000-character Fars News articles read by path
from ``../shared/corpora/news-raw`` (never copied here), once with the shipped
model and once with a ParsBERT-base-shaped tagger (12 layers, hidden 768,
random weights, same tokenizer) so users see the trade-off.

    python bench/throughput.py [--articles 200] [--batch-size 32] [--precision float32|bfloat16|int8] [--model PATH] [--backend onnx]
    python bench/throughput.py --base-shaped      # the 12x768 comparison
    python bench/throughput.py --backend both --rounds 3   # torch and ONNX Runtime side by side

``--backend both`` loads the model with each backend in one process and times
them in alternating rounds (torch, onnx, then onnx, torch, ...), so a busy or
drifting machine slows both alike: it reports each backend's best round, their
ratio, and on how many articles the two give identical spans. Its peak RSS
is the two backends' together; run one backend alone for either's own.

Each run is one process so that peak RSS is the run's own (the articles are picked out of the
corpus files by a child process, whose memory is not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persnews.data.corpora import corpora_root  # noqa: E402
from persnews.pipeline import DEFAULT_MODEL, load  # noqa: E402
from persnews.precision import PRECISIONS  # noqa: E402
from persnews.tagging import resolve_model_dir  # noqa: E402


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


def timed(extractor, texts: list[str], batch_size: int) -> tuple[float, list]:
    started = time.perf_counter()
    documents = extractor.extract_many(texts, batch_size=batch_size)
    return time.perf_counter() - started, documents


def spans(document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in document.entities]


def side_by_side(model: str, texts: list[str], args: argparse.Namespace) -> dict:
    """Both backends on the same articles, alternating rounds; best round of each, ratio, span agreement."""
    extractors = {backend: load(model, precision=args.precision, backend=backend) for backend in ("torch", "onnx")}
    for extractor in extractors.values():
        extractor.extract_many(texts[:4])  # warm-up
    seconds: dict[str, list[float]] = {backend: [] for backend in extractors}
    documents = {}
    for round_ in range(args.rounds):
        for backend in (("torch", "onnx") if round_ % 2 == 0 else ("onnx", "torch")):
            elapsed, documents[backend] = timed(extractors[backend], texts, args.batch_size)
            seconds[backend].append(round(elapsed, 2))
    same = sum(spans(a) == spans(b) for a, b in zip(documents["torch"], documents["onnx"]))
    best = {backend: min(times) for backend, times in seconds.items()}
    return {"model": str(model), "precision": {b: e.tagger.precision for b, e in extractors.items()},
            "articles": len(texts), "rounds_seconds": seconds,
            "articles_per_s": {b: round(len(texts) / t, 2) for b, t in best.items()},
            "onnx_speedup": round(best["torch"] / best["onnx"], 3),
            "identical_span_articles": same, "identical_span_share": round(same / len(texts), 4),
            "entities": {b: sum(len(d.entities) for d in docs) for b, docs in documents.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="shipped model name or folder")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--precision", choices=PRECISIONS, help="float32, bfloat16 or int8 (default: the model's own)")
    parser.add_argument("--base-shaped", action="store_true", help="12-layer 768-wide random tagger instead")
    parser.add_argument("--backend", choices=["torch", "onnx", "both"], default="torch",
                        help="what runs the network; both: side by side in alternating rounds")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per backend with --backend both")
    parser.add_argument("--list-articles", type=int, help=argparse.SUPPRESS)  # the child of articles_read_apart
    args = parser.parse_args()
    if args.list_articles:
        print(json.dumps(articles(args.list_articles), ensure_ascii=False))
        return
    texts = articles_read_apart(args.articles)
    with tempfile.TemporaryDirectory() as scratch:
        model = base_shaped_model(resolve_model_dir(args.model), Path(scratch) / "base") if args.base_shaped else args.model
        if args.backend == "both":
            result = side_by_side(model, texts, args)
            result.update(peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                          machine=machine(), torch_threads=torch.get_num_threads(), date=time.strftime("%Y-%m-%d"))
            print(json.dumps(result, ensure_ascii=False))
            return
        extractor = load(model, precision=args.precision, backend=args.backend)
        extractor.extract_many(texts[:4])  # warm-up: first-call allocations, lazy imports
        seconds, documents = timed(extractor, texts, args.batch_size)
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the counting below
    tokenizer = extractor.tagger.tokenizer
    sub_tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    result = {"model": "ParsBERT-base-shaped (12x768, random)" if args.base_shaped else str(model),
              "backend": args.backend, "precision": extractor.tagger.precision, "articles": len(texts),
              "mean_chars": round(sum(map(len, texts)) / len(texts)), "seconds": round(seconds, 2),
              "articles_per_s": round(len(texts) / seconds, 2), "sub_tokens_per_s": round(sub_tokens / seconds),
              "entities": sum(len(d.entities) for d in documents), "peak_rss_mib": round(peak_mib),
              "machine": machine(), "torch_threads": torch.get_num_threads(), "date": time.strftime("%Y-%m-%d")}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
