"""Tune and A/B the document-level consistency stage over one tagging per source.

Each source is tagged once (consistency off); the later stages then run
with the stage off and with each option set asked for, and every arm is
scored by :func:`persnews.evaluation.report.evaluate_source`, the function
``persnews evaluate`` uses, so the numbers are the same as its.

    python bench/consistency_ab.py --sources data/releases/v1:dev layer:data/layers/roles-v1.jsonl:dev \
        --anchor 0.7 0.8 0.9 --threshold 0.3 0.5 0.7 > runs/consistency-dev.json

Tune on dev splits only; test sets are scored with ``persnews evaluate`` and
``--no-consistency`` once the defaults are chosen (the commands are in the README).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persnews.consistency import ConsistencyOptions  # noqa: E402
from persnews.data.sources import load_source, parse_source  # noqa: E402
from persnews.document import Document  # noqa: E402
from persnews.evaluation.report import evaluate_source  # noqa: E402
from persnews.pipeline import Extractor, load  # noqa: E402


class _Retagless:
    """Stands in for an Extractor in evaluate_source: the cached tagging, finished with one option set."""

    def __init__(self, extractor: Extractor, tagged: dict[str, tuple], options: ConsistencyOptions | None):
        self.extractor, self.tagged, self.options = extractor, tagged, options

    def extract_many(self, texts: Sequence[str], **_: Any) -> list[Document]:
        self.extractor.consistency = self.options
        return [self.extractor.finish(text, *self.tagged[text]) for text in texts]


def _summary(scores: dict[str, Any]) -> dict[str, float]:
    summary = {f"{label}_f1": s["f1"] for label, s in scores["spans"].items()}
    for kind in ("triples", "facts", "facts_former"):
        if kind in scores:
            summary[f"{kind}_f1"] = scores[kind]["f1"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", nargs="+", required=True)
    parser.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    parser.add_argument("--anchor", nargs="+", type=float, default=[ConsistencyOptions.anchor])
    parser.add_argument("--threshold", nargs="+", type=float, default=[ConsistencyOptions.threshold])
    parser.add_argument("--first-names", action="store_true", help="also try arms that spread first names")
    args = parser.parse_args()
    extractor = load(args.model, consistency=False)
    arms: dict[str, ConsistencyOptions | None] = {"off": None}
    for anchor, threshold, first in itertools.product(args.anchor, args.threshold,
                                                      (False, True) if args.first_names else (False,)):
        name = f"anchor={anchor} threshold={threshold}" + (" first_names" if first else "")
        arms[name] = ConsistencyOptions(anchor=anchor, threshold=threshold, first_names=first)
    result: dict[str, Any] = {"model": args.model or "default", "date": time.strftime("%Y-%m-%d"), "sources": {}}
    for spec in args.sources:
        source = parse_source(spec)
        gold = load_source(source)
        texts = [d.text for d in gold]
        started = time.time()
        tagged = dict(zip(texts, extractor.tag(texts)))
        print(f"{spec}: tagged {len(texts)} documents in {time.time() - started:.0f} s", file=sys.stderr)
        result["sources"][spec] = {name: _summary(evaluate_source(_Retagless(extractor, tagged, options), source, gold))
                                   for name, options in arms.items()}
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
