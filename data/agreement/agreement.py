"""Inter-annotator agreement: a second, blind annotation of random sentences, scored against the first.

    python data/agreement/agreement.py make --out /tmp/agree          # 100 authored + 50 layer sentences
    python data/agreement/agreement.py make --out /tmp/agree-raw --raw-news 60   # 60 raw news layer sentences
    python data/agreement/agreement.py score /tmp/agree-raw --layer data/layers/roles-v1.jsonl \\
        --scores data/agreement/scores.json

``make`` writes plain sentences (no annotation) for the second annotator, who
writes them back in the authoring markup (persnews/data/authoring.py) as
``answers.txt`` in the same folder. ``score`` prints entity F1 (exact spans,
per label) and relation-triple F1 of pass 2 against pass 1 for each part of
the folder ("authored", "layer", "raw news") and over all. With ``--scores``
it merges them into that JSON file: the parts scored now replace their
entries, stored parts it does not score are kept, and "all" is recomputed
from every part's stored counts. The authored sentences' second pass is kept
in ``data/agreement/authored-pass2.txt``; layer and raw news sentences are
corpus text, so only their scores are kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from persnews.data.authoring import parse_markup, read_markup  # noqa: E402
from persnews.data.corpora import corpora_root, corpus_file_path, read_corpus_file  # noqa: E402
from persnews.data.standoff import RAW_NEWS, join_layer, read_layer, split_layer_id  # noqa: E402
from persnews.document import LABELS, Document, Entity, Relation  # noqa: E402
from persnews.evaluation.relations import triple_scores  # noqa: E402
from persnews.evaluation.spans import scores_from_counts, span_counts  # noqa: E402
from persnews.normalization import normalize  # noqa: E402
from persnews.segmentation import sentences  # noqa: E402

HERE = Path(__file__).resolve().parent
AUTHORED = sorted((HERE.parent / "authored").glob("batch-*.txt"))
LAYER = HERE.parent / "layers" / "roles-v1.jsonl"
KINDS = ("tp", "fp", "fn")


def sentence_document(document: Document, start: int, end: int, new_id: str) -> Document:
    """The part of ``document`` in ``[start, end)``: its entities, and relations wholly inside it."""
    inside = [k for k, e in enumerate(document.entities) if start <= e.start and e.end <= end]
    index = {k: n for n, k in enumerate(inside)}
    entities = tuple(Entity(e.start - start, e.end - start, e.label, e.text)
                     for e in (document.entities[k] for k in inside))
    relations = tuple(Relation(index[r.person], index[r.role], None if r.institution is None else index[r.institution],
                               former=r.former)
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


def _layer_sentences(layer_path: Path) -> dict[str, Document]:
    """The layer's joined sentences by corpus id (``peyma/train/12``, ``news-raw/fars-news-1/12/3/0-141``)."""
    return {split_layer_id(d.id)[1]: d for d in join_layer(read_layer(layer_path))}


def make(out: Path, seed: int = 2026, raw_news: int = 0, layer_path: Path = LAYER) -> None:
    """Draw the sentences (seeded) and write them as plain text, with their ids by part, into ``out``.

    By default 100 authored and 50 layer sentences; with ``raw_news`` N, only
    N raw news sentences of the layer (part "raw news").
    """
    rng = random.Random(seed)
    if raw_news:
        texts = {i: d.text for i, d in _layer_sentences(layer_path).items() if i.startswith(RAW_NEWS + "/")}
        ids = {"raw news": rng.sample(sorted(texts), raw_news)}
    else:
        authored = rng.sample(_authored_sentences(), 100)
        pool = []
        for path in sorted(Path("/tmp/layer-tasks").glob("batch-*.txt")):
            pool += [line[3:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
        layer_ids = rng.sample(sorted(pool), 50)
        root = corpora_root()
        texts = {d.id: d.text for d in authored}
        for sentence_id in layer_ids:
            corpus, stem, _ = sentence_id.split("/")
            found = {s.id: s for s in read_corpus_file(corpus, corpus_file_path(corpus, stem, root)).sentences}
            texts[sentence_id] = found[sentence_id].text
        ids = {"authored": [d.id for d in authored], "layer": layer_ids}
    out.mkdir(parents=True, exist_ok=True)
    items = [(i, texts[i]) for part_ids in ids.values() for i in part_ids]
    rng.shuffle(items)
    (out / "tasks.txt").write_text("".join(f"### {i}\n{t}\n\n" for i, t in items), encoding="utf-8")
    (out / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
    print(f"{len(items)} sentences in {out / 'tasks.txt'}")


def _counts(pairs: list[tuple[Document, Document]]) -> dict:
    """Sentences and tp/fp/fn per label and of relation triples, of (pass 1, pass 2) pairs."""
    for first, second in pairs:
        if first.text != second.text:
            raise ValueError(f"{first.id}: the second pass's text differs from the sentence")
    gold = [g for g, _ in pairs]
    other = [Document(g.text, p.entities, p.relations, id=g.id) for g, p in pairs]
    counts = {label: {kind: c[kind] for kind in KINDS} for label, c in span_counts(gold, other).items()}
    triples = triple_scores(gold, other)
    return {"sentences": len(pairs), **counts, "relations": {kind: triples[kind] for kind in KINDS}}


def _part(counts: dict) -> dict:
    """A part's entry of the report: sentences, F1s and the counts they come from."""
    entities = scores_from_counts({label: Counter(counts[label]) for label in LABELS})
    relations = scores_from_counts({"relations": Counter(counts["relations"])})["relations"]
    return {"sentences": counts["sentences"], "entity_f1": {k: v["f1"] for k, v in entities.items()},
            "relation_f1": relations["f1"], "counts": counts}


def score(folder: Path, layer_path: Path, stored: dict | None = None) -> dict:
    """The report of pass 2 in ``folder`` against pass 1, per part of its ``ids.json``, after the parts of
    ``stored`` (an earlier report) it does not score, and over all parts ("all", from their counts)."""
    ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
    second = {d.id: d for d in parse_markup((folder / "answers.txt").read_text(encoding="utf-8"), "answers.txt")}
    first = {d.id: d for d in _authored_sentences() if d.id in set(ids.get("authored", ()))}
    if set(ids) - {"authored"}:
        first.update(_layer_sentences(layer_path))
    report = {part: entry for part, entry in (stored or {}).items() if part != "all"}
    for part, part_ids in ids.items():
        report[part] = _part(_counts([(first[i], second[i]) for i in part_ids if i in first and i in second]))
    missing = [part for part, entry in report.items() if "counts" not in entry]
    if missing:
        raise ValueError(f"stored part(s) {', '.join(missing)} have no counts to pool into 'all'; score them again")
    counts = [entry["counts"] for entry in report.values()]
    total = {"sentences": sum(c["sentences"] for c in counts),
             **{key: {kind: sum(c[key][kind] for c in counts) for kind in KINDS} for key in (*LABELS, "relations")}}
    report["all"] = _part(total)
    return report


def table(report: dict) -> str:
    """The report as the data card's Markdown table."""
    rows = ["| part | sentences | " + " | ".join(LABELS) + " | micro | relation triples |",
            "|---|---:|" + "---:|" * (len(LABELS) + 2)]
    for part, entry in report.items():
        f1 = [entry["entity_f1"][k] for k in (*LABELS, "micro")] + [entry["relation_f1"]]
        rows.append(f"| {part} | {entry['sentences']} | " + " | ".join(f"{v:.3f}" for v in f1) + " |")
    return "\n".join(rows)


def score_docs(first_path: Path, second_path: Path, root: Path | None = None) -> dict:
    """Whole-article agreement: entity F1 (exact spans, per label), relation triples and officials' facts
    (with and without the ``former`` flag) of the second docs layer against the first, on the articles both hold."""
    from persnews.data.docs_layer import join_docs_layer, read_docs_layer
    from persnews.evaluation.relations import fact_scores, triple_scores

    def by_article(path: Path) -> dict[str, Document]:  # ids name their layer: key on the article alone
        layer = read_docs_layer(path)
        return {d.id.split("/", 1)[1]: dataclasses.replace(d, id=d.id.split("/", 1)[1])
                for d in join_docs_layer(layer, root)}

    first, second = by_article(first_path), by_article(second_path)
    ids = sorted(set(first) & set(second))
    gold, other = [first[i] for i in ids], [second[i] for i in ids]
    entities = scores_from_counts(span_counts(gold, other, LABELS))
    return {"articles": len(ids), "entity_f1": {k: round(v["f1"], 4) for k, v in entities.items()},
            **{f"{kind}{suffix}": round(scorer(gold, other, former=flag)["f1"], 4)
               for kind, scorer in (("triples", triple_scores), ("facts", fact_scores))
               for suffix, flag in (("", False), ("_former", True))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("make")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--raw-news", type=int, default=0, metavar="N", help="draw N raw news layer sentences instead")
    m.add_argument("--layer", type=Path, default=LAYER, help="the layer to draw raw news sentences from")
    s = commands.add_parser("score")
    s.add_argument("folder", type=Path)
    s.add_argument("--layer", type=Path, required=True)
    s.add_argument("--scores", type=Path, help="merge the report into this JSON file (e.g. data/agreement/scores.json)")
    d = commands.add_parser("docs", help="whole-article agreement of two docs layers (news-docs-v1 and a blind pass)")
    d.add_argument("first", type=Path)
    d.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "docs":
        print(json.dumps(score_docs(args.first, args.second), ensure_ascii=False, indent=2))
        return
    if args.command == "make":
        make(args.out, raw_news=args.raw_news, layer_path=args.layer)
        return
    stored = json.loads(args.scores.read_text(encoding="utf-8")) if args.scores and args.scores.exists() else None
    report = score(args.folder, args.layer, stored)
    if args.scores:
        args.scores.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(report))


if __name__ == "__main__":
    main()
