"""``persnews evaluate``: run a model over data sources and score it.

Per source: seqeval (strict IOB2) per label, exact character-span P/R/F1 per
label, and, where the gold has relations, relation triples and officials
facts, each also with the ``former`` flag required to match
(``triples_former``, ``facts_former``), and ``per_document``: for each
document with an error, the triples and facts missed and invented (printed
with ``per_document=True``, ``persnews evaluate --per-document``).
``strip_zwnj`` removes every ZWNJ from the text first (offsets of the gold
moved with it) to measure robustness to text typed without it.

A model trained on corpora that disagree on spans tags in this project's
convention by default; ``convention`` asks for another it was trained on
(``"peyma"``), or ``"source"`` for each source's own (PEYMA's test in PEYMA's
convention, a release in ours), as a corpus's published scores are measured.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from ..data.sources import Source, load_source, parse_source
from ..document import Document, Entity
from ..normalization import ZWNJ


def strip_zwnj(document: Document) -> Document:
    """The document with every ZWNJ removed from its text and the entity offsets moved to match."""
    shift, kept = [], 0
    for ch in document.text:
        shift.append(kept)
        kept += ch != ZWNJ
    shift.append(kept)
    text = document.text.replace(ZWNJ, "")
    entities = tuple(Entity(shift[e.start], shift[e.end], e.label, text[shift[e.start]:shift[e.end]], e.score)
                     for e in document.entities)
    return Document(text, entities, document.relations, document.officials, document.id)


def evaluate_source(extractor: Any, source: Source, gold: Sequence[Document], batch_size: int = 32) -> dict[str, Any]:
    """Scores of ``extractor`` on one source's gold documents (see the module docstring)."""
    from .relations import fact_scores, per_document, triple_scores
    from .spans import seqeval_scores, span_scores

    predicted = [Document(p.text, p.entities, p.relations, p.officials, g.id) for g, p in
                 zip(gold, extractor.extract_many([d.text for d in gold], batch_size=batch_size, progress=True))]
    report: dict[str, Any] = {"documents": len(gold), "labels": list(source.labels),
                              "spans": span_scores(gold, predicted, source.labels),
                              "seqeval": seqeval_scores(gold, predicted, source.labels)}
    if any(d.relations for d in gold):
        report["triples"] = triple_scores(gold, predicted)
        report["triples_former"] = triple_scores(gold, predicted, former=True)
    if any(d.officials for d in gold):  # layers carry no officials (their names are corpus text)
        report["facts"] = fact_scores(gold, predicted)
        report["facts_former"] = fact_scores(gold, predicted, former=True)
    report["per_document"] = per_document({kind: report[kind] for kind in ("triples", "facts") if kind in report})
    return report


SOURCE_CONVENTION = "source"
"""``convention`` value that scores each source in its own annotation convention."""


def evaluate(model: str | None, specs: Sequence[str], *, corpora: str | None = None, zwnj_stripped: bool = False,
             batch_size: int = 32, precision: str | None = None, convention: str | None = None,
             output: str | Path | None = None, consistency: bool = True, backend: str = "torch") -> dict[str, Any]:
    """Evaluate a model folder (default: the shipped model) on each source; optionally write JSON.

    ``consistency=False`` turns the document-level consistency stage off, for an A/B; ``backend`` picks what
    runs the network (see :meth:`persnews.tagging.Tagger.load`).
    """
    from ..pipeline import load

    extractor = load(model, precision=precision, consistency=consistency, backend=backend)
    tagger = extractor.tagger
    if convention not in (None, SOURCE_CONVENTION):
        tagger.convention = convention  # an unknown name fails here, before any source is read
    report: dict[str, Any] = {"model": model or "default", "zwnj_stripped": zwnj_stripped,
                              "precision": tagger.precision, "quantized": tagger.quantized, "consistency": consistency,
                              "backend": tagger.backend, "sources": {}}
    for spec in specs:
        source = parse_source(spec)
        gold = load_source(source, corpora)
        if zwnj_stripped:
            gold = [strip_zwnj(d) for d in gold]
        if convention == SOURCE_CONVENTION:
            tagger.follow(source.convention)
        report["sources"][spec] = {"convention": tagger.convention,
                                   **evaluate_source(extractor, source, gold, batch_size)}
    if output:
        Path(output).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report


def format_report(report: dict[str, Any], errors: int = 20, per_document: bool = False) -> str:
    """A plain-text table per source: P/R/F1 per label and micro, then relation and fact errors to inspect
    (the first ``errors``), or with ``per_document`` every document's missed and invented triples and facts."""
    from .relations import format_errors, format_per_document

    lines = [f"model: {report['model']}  (ZWNJ stripped: {report['zwnj_stripped']}, "
             f"consistency: {report.get('consistency', True)})"]
    for spec, scores in report["sources"].items():
        convention = f", {scores['convention']} convention" if scores.get("convention") else ""
        lines.append(f"\n{spec}  ({scores['documents']} documents{convention})")
        lines.append(f"{'':8}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for label, s in scores["spans"].items():
            lines.append(f"{label:8}{s['precision']:10.4f}{s['recall']:10.4f}{s['f1']:10.4f}{s['support']:10d}")
        seq = scores["seqeval"].get("micro avg", {})
        lines.append(f"seqeval strict IOB2 micro F1: {seq.get('f1-score', 0.0):.4f}")
        for kind in ("triples", "triples_former", "facts", "facts_former"):
            if kind in scores:
                s = scores[kind]
                name = kind.replace("_former", " (former must match)")
                lines.append(f"{name}: precision {s['precision']:.4f} recall {s['recall']:.4f} f1 {s['f1']:.4f}")
        for kind in ("triples", "facts"):
            if kind in scores and errors and scores[kind]["errors"] and not per_document:
                lines.append(f"{kind} errors (first {errors}):\n{format_errors(scores[kind]['errors'], limit=errors)}")
        if per_document and scores.get("per_document"):
            lines.append(f"per document (- missed, + invented):\n{format_per_document(scores['per_document'])}")
    return "\n".join(lines)
