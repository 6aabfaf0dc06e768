"""Inter-annotator agreement: a second, blind annotation of 150 random sentences, scored against the first.

    python data/agreement/agreement.py make --out /tmp/agree          # 100 authored + 50 layer sentences
    python data/agreement/agreement.py score /tmp/agree --layer data/layers/roles-v1.jsonl

``make`` writes plain sentences (no annotation) for the second annotator, who
writes them back in the authoring markup (persnews/data/authoring.py).
``score`` reports entity F1 (exact spans, per label) and relation-triple F1 of
pass 2 against pass 1. The authored sentences' second pass is kept in
``data/agreement/authored-pass2.txt``; layer sentences are corpus text, so only
their scores are kept.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persnews.data.authoring import parse_markup, read_markup  # noqa: E402
from persnews.data.corpora import corpora_root, corpus_file_path, read_corpus_file  # noqa: E402
from persnews.data.standoff import join_layer, read_layer  # noqa: E402
from persnews.document import Document, Entity, Relation  # noqa: E402
from persnews.evaluation.relations import triple_scores  # noqa: E402
from persnews.evaluation.spans import span_scores  # noqa: E402
from persnews.normalization import normalize  # noqa: E402
from persnews.segmentation import sentences  # noqa: E402

HERE = Path(__file__).resolve().parent
AUTHORED = sorted((HERE.parent / "authored").glob("batch-*.txt"))


def sentence_document(document: Document, start: int, end: int, new_id: str) -> Document:
    """The part of ``document`` in ``[start, end)``: its entities, and relations wholly inside it."""
    inside = [k for k, e in enumerate(document.entities) if start <= e.start and e.end <= end]
    index = {k: n for n, k in enumerate(inside)}
    entities = tuple(Entity(e.start - start, e.end - start, e.label, e.text)
                     for e in (document.entities[k] for k in inside))
    relations = tuple(Relation(index[r.person], index[r.role], None if r.institution is None else index[r.institution])
                      for r in document.relations
                      if r.person in index and r.role in index and (r.institution is None or r.institution in index))
    return Document(document.text[start:end], entities, relations, id=new_id)


def _authored_sentences() -> list[Document]:
    result = []
    for document in (d for path in AUTHORED for d in read_markup(path)):
        for k, sentence in enumerate(sentences(normalize(document.text))):
            if len(sentence.tokens) >= 6:
                result.append(sentence_document(document, sentence.start, sentence.end, f"{document.id}#{k}"))
    return result


def make(out: Path, seed: int = 2026) -> None:
    rng = random.Random(seed)
    authored = rng.sample(_authored_sentences(), 100)
    pool = []
    for path in sorted(Path("/tmp/layer-tasks").glob("batch-*.txt")):
        pool += [line[3:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    layer_ids = rng.sample(sorted(pool), 50)
    root = corpora_root()
    texts = {}
    for sentence_id in layer_ids:
        corpus, stem, _ = sentence_id.split("/")
        found = {s.id: s for s in read_corpus_file(corpus, corpus_file_path(corpus, stem, root)).sentences}
        texts[sentence_id] = found[sentence_id].text
    out.mkdir(parents=True, exist_ok=True)
    items = [(d.id, d.text) for d in authored] + [(i, texts[i]) for i in layer_ids]
    rng.shuffle(items)
    (out / "tasks.txt").write_text("".join(f"### {i}\n{t}\n\n" for i, t in items), encoding="utf-8")
    (out / "ids.json").write_text(json.dumps({"authored": [d.id for d in authored], "layer": layer_ids}), encoding="utf-8")
    print(f"{len(items)} sentences in {out / 'tasks.txt'}")


def score(folder: Path, layer_path: Path) -> dict:
    ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
    second = {d.id: d for d in parse_markup((folder / "answers.txt").read_text(encoding="utf-8"), "answers.txt")}
    first = {d.id: d for d in _authored_sentences() if d.id in set(ids["authored"])}
    layer = {d.id.split("/", 1)[1]: d for d in join_layer(read_layer(layer_path))}
    for sentence_id in ids["layer"]:
        if sentence_id in layer:
            first[sentence_id] = layer[sentence_id]
    report = {}
    for part, part_ids in (("authored", ids["authored"]), ("layer", ids["layer"]), ("all", ids["authored"] + ids["layer"])):
        pairs = [(first[i], second[i]) for i in part_ids if i in first and i in second]
        gold = [g for g, _ in pairs]
        other = [Document(g.text, p.entities, p.relations, id=g.id) for g, p in pairs]
        entities = span_scores(gold, other)
        triples = triple_scores(gold, other)
        report[part] = {"sentences": len(pairs), "entity_f1": {k: v["f1"] for k, v in entities.items()},
                        "relation_f1": triples["f1"]}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make")
    m.add_argument("--out", type=Path, required=True)
    s = commands.add_parser("score")
    s.add_argument("folder", type=Path)
    s.add_argument("--layer", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "make":
        make(args.out)
    else:
        print(json.dumps(score(args.folder, args.layer), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
