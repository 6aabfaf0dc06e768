"""The feature-CRF baseline the shipped model must beat, trained and scored on the same data.

python-crfsuite (installed with hazm) over the tagger's own words: the word,
its prefixes and suffixes (1-3), shape, and the same for ±2 neighbours. It is
trained on the same sources as the default model and scored with the same
exact-span metric, so the two rows of the model card's ablation table are
comparable.

    python bench/crf_baseline.py [--train SRC ...] [--test SRC ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pycrfsuite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persnews.data.labels import bio_spans, word_tags  # noqa: E402
from persnews.data.sources import load_source, parse_source  # noqa: E402
from persnews.document import Document, Entity  # noqa: E402
from persnews.evaluation.spans import span_scores  # noqa: E402
from persnews.features import word_key  # noqa: E402
from persnews.normalization import normalize  # noqa: E402
from persnews.segmentation import tokenize  # noqa: E402
from persnews.training import DEFAULT_TRAIN, load_sets  # noqa: E402

TESTS = ["peyma:test", "arman:fold3", "data/releases/v1:test", "layer:data/layers/roles-v1.jsonl:test",
         "layer:data/layers/roles-v1.jsonl:test:news-raw"]


def _word_features(word: str) -> dict[str, str]:
    key = word_key(word)
    return {"w": key, "p1": key[:1], "p2": key[:2], "p3": key[:3], "s1": key[-1:], "s2": key[-2:], "s3": key[-3:],
            "digit": str(key.isdigit()), "alpha": str(key.isalpha())}


def sentence_features(words: list[str]) -> list[list[str]]:
    per_word = [_word_features(w) for w in words]
    rows = []
    for i in range(len(words)):
        row = ["bias"]
        for offset in (-2, -1, 0, 1, 2):
            j = i + offset
            if 0 <= j < len(words):
                row += [f"{offset}:{k}={v}" for k, v in per_word[j].items()]
            else:
                row.append(f"{offset}:pad")
        rows.append(row)
    return rows


def _examples(documents: list[Document], labels: tuple[str, ...]) -> list[tuple[list[str], list[str], list]]:
    result = []
    for document in documents:
        tokens = tokenize(normalize(document.text))
        spans = [(e.start, e.end, e.label) for e in document.entities if e.label in labels]
        result.append(([t.text for t in tokens], word_tags([t.start for t in tokens], spans), tokens))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", nargs="+", default=DEFAULT_TRAIN)
    parser.add_argument("--test", nargs="+", default=TESTS)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    started = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": args.iterations,
                        "feature.possible_transitions": True})
    for source, documents in load_sets(args.train, None, None):  # as the tagger reads them: layered once
        for words, tags, _ in _examples(documents, source.labels):
            trainer.append(sentence_features(words), tags)
    with tempfile.TemporaryDirectory() as scratch:
        model_path = str(Path(scratch) / "crf.model")
        trainer.train(model_path)
        tagger = pycrfsuite.Tagger()
        tagger.open(model_path)
        report = {"train": args.train, "minutes": round((time.time() - started) / 60, 1), "test": {}}
        for spec in args.test:
            source = parse_source(spec)
            gold = load_source(source)
            predicted = []
            for document, (words, _, tokens) in zip(gold, _examples(gold, source.labels)):
                tags = tagger.tag(sentence_features(words)) if words else []
                entities = tuple(Entity(tokens[a].start, tokens[b - 1].end, label,
                                        document.text[tokens[a].start:tokens[b - 1].end])
                                 for a, b, label in bio_spans(tags))
                predicted.append(Document(document.text, entities, id=document.id))
            scores = span_scores(gold, predicted, source.labels)
            report["test"][spec] = {label: s["f1"] for label, s in scores.items()}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
