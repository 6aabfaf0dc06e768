"""The test-score table of the model cards and the README, from the reports ``models/evaluate.sh`` writes.

    python bench/score_table.py models/persnews-fa-base models/persnews-fa-small

One row per test set, one column per model: micro F1 in our convention at the model's own precision, in the
corpus's own convention where there is one, float32, int8, with every ZWNJ removed, ROLE F1, and facts/triples
end to end (release and whole articles).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SETS = {"peyma:test": "PEYMA test", "arman:fold3": "ARMAN fold 3", "data/releases/v1:test": "release v1 test",
        "layer:data/layers/roles-v1.jsonl:test": "roles-v1 layer test",
        "layer:data/layers/roles-v1.jsonl:test:news-raw": "its raw Fars News part",
        "docs:data/layers/news-docs-v1.jsonl:test": "news-docs-v1 test (whole articles)"}
REPORTS = {"ours": "evaluation.json", "own convention": "evaluation-source.json", "float32": "evaluation-fp32.json",
           "own, float32": "evaluation-source-fp32.json", "int8": "evaluation-int8.json",
           "ZWNJ removed": "evaluation-zwnj-stripped.json"}


def scores(model: Path) -> dict[tuple[str, str], str]:
    """(set, column) -> formatted figure, for every report the model folder holds."""
    cells: dict[tuple[str, str], str] = {}
    for column, name in REPORTS.items():
        path = model / name
        if not path.is_file():
            continue
        for spec, result in json.loads(path.read_text(encoding="utf-8"))["sources"].items():
            spans = result["spans"]
            cells[(spec, column)] = f"{spans['micro']['f1']:.3f}"
            if column == "ours":
                if "ROLE" in spans:
                    cells[(spec, "ROLE")] = f"{spans['ROLE']['f1']:.3f}"
                for kind in ("facts", "triples"):
                    if kind in result:
                        cells[(spec, kind)] = f"{result[kind]['f1']:.3f}"
    return cells


def main(models: list[str]) -> None:
    columns = [*REPORTS, "ROLE", "facts", "triples"]
    tables = {m: scores(Path(m)) for m in models}
    print("| test set | " + " | ".join(f"{Path(m).name}: {c}" for c in columns for m in models) + " |")
    print("|---|" + "---:|" * (len(columns) * len(models)))
    for spec, title in SETS.items():
        print(f"| {title} | " + " | ".join(tables[m].get((spec, c), "–") for c in columns for m in models) + " |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["models/persnews-fa-small"])
