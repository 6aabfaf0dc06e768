"""Train the relation scorer on a release and report triple and fact scores on its dev and test splits.

One command::

    python -m persnews.relation_training --data data/releases/v1 --output_dir models/relations \
        --layers data/layers/roles-v1.jsonl

``--data`` is a release folder (``train/dev/test.jsonl``), or authored markup
files / a folder of them, split the way releases are (by id hash, see
:mod:`persnews.data.splits`). ``--layers`` adds stand-off layers (their
sentences joined from the corpora, see :mod:`persnews.data.standoff`): each
layer's train split is trained on with the release's, and its dev and test
splits are scored beside the release's, so real news, not only authored
items, teaches the scorer where the cues fail. Scores are measured on gold
entities, so they measure this stage alone: rules only and rules with the
learned scorer, for sentence triples (exact spans) and document facts
(lenient; a layer has no officials, so only its triples count), each also
with the ``former`` flag required to match (``triples_former``,
``facts_former``). The scorer picks holders; whether an office is a former
one is the rule output of :meth:`persnews.relations.SentenceCues.former`
(the scorer sees it as a feature), so the gap between a score and its
``_former`` twin measures that rule.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .data.authoring import read_markup
from .data.release import Release, read_release, split_release
from .data.sources import load_source, parse_source
from .document import Document
from .errors import TrainingError
from .evaluation.relations import fact_scores, format_errors, triple_scores
from .normalization import normalize
from .officials import build_officials
from .relation_scorer import RelationScorer
from .relations import extract_relations
from .segmentation import sentences


def load_release(source: str | Path | Release | Sequence[Document]) -> Release:
    """A release folder, authored markup (a file or a folder of ``*.txt``), a Release, or documents to split."""
    if isinstance(source, Release):
        return source
    if not isinstance(source, (str, Path)):
        return split_release(list(source))
    path = Path(source)
    if (path / "train.jsonl").is_file():
        return read_release(path)
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise TrainingError(f"{path}: neither a release folder nor authored markup")
    return split_release([doc for f in files for doc in read_markup(f)])


def predict(documents: Sequence[Document], scorer: RelationScorer | None = None,
            threshold: float = 0.5) -> list[Document]:
    """Relations and officials of each document from its gold entities (this stage's input, without tagger errors)."""
    result = []
    for doc in documents:
        sents = sentences(normalize(doc.text))
        relations = extract_relations(doc.text, sents, doc.entities, scorer, threshold)
        officials = build_officials(doc.text, sents, doc.entities, relations, scorer.titles if scorer else None,
                                    threshold)
        result.append(Document(doc.text, doc.entities, tuple(relations), tuple(officials), doc.id))
    return result


def evaluate(documents: Sequence[Document], scorer: RelationScorer | None = None) -> dict[str, dict[str, Any]]:
    """Triple and fact scores (with their error lists) of :func:`predict` against the documents' gold, without
    and with the ``former`` flag required to match."""
    predicted = predict(documents, scorer)
    return {"triples": triple_scores(documents, predicted), "facts": fact_scores(documents, predicted),
            "triples_former": triple_scores(documents, predicted, former=True),
            "facts_former": fact_scores(documents, predicted, former=True)}


def _save_into(scorer: RelationScorer, output_dir: Path) -> None:
    """Write the scorer's files beside a model's other files: staged in a temporary folder, then renamed.

    Each file is replaced atomically; the folder is not replaced, since it may
    hold the tagger too.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir, prefix=".relations.", suffix=".tmp"))
    try:
        scorer.save(staging)
        RelationScorer.load(staging)  # refuse to install files that do not load
        for name in (RelationScorer.CONFIG, RelationScorer.WEIGHTS):
            os.replace(staging / name, output_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _numbers(report: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {kind: {k: v for k, v in scores.items() if k != "errors"} for kind, scores in report.items()}


def load_layer_split(layer: str | Path, split: str, corpora: str | Path | None = None,
                     kind: str = "layer") -> list[Document]:
    """The joined documents of one split of a stand-off layer file: sentences of a ``layer``
    (``data/layers/roles-v1.jsonl``), or whole articles of a ``docs`` layer (``data/layers/news-docs-v1.jsonl``)."""
    return load_source(parse_source(f"{kind}:{layer}:{split}"), corpora)


def _scores(documents: Sequence[Document], scorer: RelationScorer) -> dict[str, Any]:
    return {"documents": len(documents), "rules": _numbers(evaluate(documents)),
            "scorer": _numbers(evaluate(documents, scorer))}


def train_relations(release_dir_or_docs: str | Path | Release | Sequence[Document], output_dir: str | Path, *,
                    epochs: int = 300, seed: int = 0, layers: Sequence[str | Path] = (),
                    docs: Sequence[str | Path] = (), corpora: str | Path | None = None,
                    title_links: bool = False) -> dict[str, Any]:
    """Train on the train split (and each layer's and docs layer's), save into ``output_dir``, and return
    dev/test scores of rules and rules+scorer, for the release (``dev``, ``test``) and for each layer
    (``layers``; a docs layer's key starts with ``docs:`` and its facts are scored too)."""
    release = load_release(release_dir_or_docs)
    if not release.train:
        raise TrainingError("the release has no training documents")
    sources = [("layer", layer) for layer in layers] + [("docs", layer) for layer in docs]
    layered = {_layer_key(kind, layer): {split: load_layer_split(layer, split, corpora, kind)
                                         for split in ("train", "dev", "test")} for kind, layer in sources}
    training = list(release.train) + [doc for splits in layered.values() for doc in splits["train"]]
    scorer = RelationScorer.train(training, epochs=epochs, seed=seed, title_links=title_links)
    _save_into(scorer, Path(output_dir))
    metrics: dict[str, Any] = {"train_documents": len(training)}
    for name in ("dev", "test"):
        metrics[name] = _scores(release.split(name), scorer)
    if layered:
        metrics["layers"] = {layer: {name: _scores(splits[name], scorer) for name in ("dev", "test")}
                             for layer, splits in layered.items()}
    return metrics


def _layer_key(kind: str, layer: str | Path) -> str:
    return f"docs:{layer}" if kind == "docs" else str(layer)


def report(metrics: dict[str, Any]) -> str:
    """A plain-text table of :func:`train_relations`' metrics."""
    lines = [f"trained on {metrics['train_documents']} documents"]
    sets = [("", metrics)] + [(f"{layer} ", scores) for layer, scores in metrics.get("layers", {}).items()]
    for prefix, scores in sets:
        for split in ("dev", "test"):
            for system in ("rules", "scorer"):
                kinds = ("triples", "triples_former") + (("facts", "facts_former")
                                                         if not prefix or prefix.startswith("docs:") else ())
                for kind in kinds:
                    s = scores[split][system][kind]
                    lines.append(f"{prefix}{split:4} {system:6} {kind:14} P={s['precision']:.3f} "
                                 f"R={s['recall']:.3f} F1={s['f1']:.3f} (support {s['support']})")
    return "\n".join(lines)


@dataclass
class RelationTrainingArguments:
    """Arguments of ``python -m persnews.relation_training``."""

    data: str = field(metadata={"help": "A release folder, or authored markup files' folder."})
    output_dir: str = field(metadata={"help": "Where relations.safetensors and relations.json are written."})
    epochs: int = field(default=300, metadata={"help": "Full-batch optimisation steps."})
    seed: int = field(default=0, metadata={"help": "Random seed."})
    layers: list[str] = field(default_factory=list, metadata={
        "help": "Stand-off layer files (e.g. data/layers/roles-v1.jsonl): their train split is added to training, "
                "their dev and test splits are scored too. Needs the corpora ($PERSNEWS_CORPORA)."})
    docs: list[str] = field(default_factory=list, metadata={
        "help": "Whole-article docs layers (e.g. data/layers/news-docs-v1.jsonl): their train split teaches holders "
                "(and title links, with --title_links), their dev and test splits are scored, facts included."})
    title_links: bool = field(default=False, metadata={
        "help": "also learn title links (a role nobody in its sentence holds -> a person of the sentences around "
                "it) from the docs layers' officials; off by default: it lowered facts F1 on the docs dev split"})

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError("--epochs must be at least 1")


def main(argv: Sequence[str] | None = None) -> None:
    from transformers import HfArgumentParser

    (args,) = HfArgumentParser(RelationTrainingArguments).parse_args_into_dataclasses(args=argv)
    metrics = train_relations(args.data, args.output_dir, epochs=args.epochs, seed=args.seed, layers=args.layers,
                              docs=args.docs, title_links=args.title_links)
    print(report(metrics))
    test = load_release(args.data).test
    scorer = RelationScorer.load(args.output_dir)
    for kind, scores in evaluate(test, scorer).items():
        print(f"\ntest {kind} errors:\n{format_errors(scores['errors']) or '(none)'}")
    for kind, layer in [("layer", layer) for layer in args.layers] + [("docs", layer) for layer in args.docs]:
        errors = evaluate(load_layer_split(layer, "test", kind=kind), scorer)["triples"]["errors"]
        print(f"\n{_layer_key(kind, layer)} test triples errors:\n{format_errors(errors) or '(none)'}")


if __name__ == "__main__":
    main()
