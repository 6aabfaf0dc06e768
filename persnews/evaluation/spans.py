"""Entity scores: seqeval in strict IOB2 mode over words, and exact character spans per label.

Both compare gold and predicted documents over the same text. A corpus that
never annotated ROLE is scored on the labels it has (``labels``): predicted
entities of other labels are left out rather than counted as errors.

>>> from persnews.document import Document
>>> gold = Document.from_dict({"text": "علی رضایی در قم", "entities": [
...     {"start": 0, "end": 9, "label": "PER"}, {"start": 13, "end": 15, "label": "LOC"}]})
>>> pred = Document.from_dict({"text": "علی رضایی در قم", "entities": [{"start": 4, "end": 9, "label": "PER"}]})
>>> span_scores([gold], [pred])["micro"]
{'precision': 0.0, 'recall': 0.0, 'f1': 0.0, 'support': 2}
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from ..data.labels import word_tags
from ..document import LABELS, Document
from ..normalization import normalize
from ..segmentation import tokenize


def _scope(document: Document, labels: Iterable[str]) -> list[tuple[int, int, str]]:
    wanted = set(labels)
    return [(e.start, e.end, e.label) for e in document.entities if e.label in wanted]


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "support": tp + fn}


def span_counts(gold: Sequence[Document], predicted: Sequence[Document],
                labels: Sequence[str] = LABELS) -> dict[str, Counter]:
    """True positives, false positives and false negatives per label (exact character spans)."""
    counts = {label: Counter() for label in labels}
    for g, p in zip(gold, predicted, strict=True):
        if g.text != p.text:
            raise ValueError(f"gold and predicted documents differ in text (gold id {g.id!r})")
        gold_spans, pred_spans = set(_scope(g, labels)), set(_scope(p, labels))
        for span in gold_spans | pred_spans:
            kind = "tp" if span in gold_spans and span in pred_spans else ("fn" if span in gold_spans else "fp")
            counts[span[2]][kind] += 1
    return counts


def scores_from_counts(counts: dict[str, Counter]) -> dict[str, dict[str, float]]:
    """Per-label and micro P/R/F1 from :func:`span_counts` (counts may be summed over corpora first)."""
    report = {label: _prf(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    total = sum(counts.values(), Counter())
    report["micro"] = _prf(total["tp"], total["fp"], total["fn"])
    return report


def span_scores(gold: Sequence[Document], predicted: Sequence[Document],
                labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """Exact character-span P/R/F1 per label and micro-averaged."""
    return scores_from_counts(span_counts(gold, predicted, labels))


def word_tag_sequences(documents: Sequence[Document], labels: Sequence[str] = LABELS) -> list[list[str]]:
    """Each document's words (the tagger's segmentation) tagged in strict IOB2 from its entities."""
    sequences = []
    for document in documents:
        starts = [t.start for t in tokenize(normalize(document.text))]
        sequences.append(word_tags(starts, _scope(document, labels)))
    return sequences


def seqeval_scores(gold: Sequence[Document], predicted: Sequence[Document],
                   labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """seqeval's report in strict IOB2 mode (``mode="strict"`` alone would silently be lenient)."""
    report = classification_report(word_tag_sequences(gold, labels), word_tag_sequences(predicted, labels),
                                   mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    return {name: {k: round(float(v), 4) for k, v in values.items()} for name, values in report.items()}
