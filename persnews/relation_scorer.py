"""The learned part of relation extraction: logistic regressions over the named features of cue readings.

Two decisions are learned from annotated documents, each by a
:class:`LogisticModel`:

* the **holder** of a role chain among the persons of its sentence
  (features of :meth:`persnews.relations.SentenceCues.features`);
* the **title link**: which person of the preceding sentences (or the one
  who opens the next) a role chain without a holder in its own sentence
  describes («برانکو ... . سرمربی پرسپولیس که ...», features of
  :func:`persnews.title_links.link_features`), learned from the documents'
  officials.

Both are stored in one pair of files: weights with safetensors, feature
names as JSON, so a model directory holds no pickled code. A scorer saved
before title links were learned loads with ``titles=None``, and the
officials stage then keeps its rules for title-only subjects.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import torch
from safetensors.torch import load_file, save_file

from .document import Document
from .errors import ModelLoadError, TrainingError
from .normalization import normalize
from .officials import title_examples
from .relations import SentenceCues
from .segmentation import sentences as split_sentences

Example = tuple[dict[str, float], bool]


@dataclass(frozen=True)
class Fit:
    """How a :class:`LogisticModel` is fitted: full-batch Adam steps with an L2 penalty."""

    epochs: int = 300
    seed: int = 0
    l2: float = 1e-3
    learning_rate: float = 0.1


class LogisticModel:
    """A logistic regression over named features; a feature never seen in training carries no weight."""

    def __init__(self, feature_names: Sequence[str], weights: torch.Tensor, bias: float):
        if weights.shape != (len(feature_names),):
            raise ValueError(f"{len(feature_names)} feature names but weights of shape {tuple(weights.shape)}")
        self.feature_names = tuple(feature_names)
        self.weights = weights.detach().to(torch.float32).clone()
        self.bias = float(bias)
        self._weight = dict(zip(self.feature_names, self.weights.tolist()))

    def probability(self, features: Mapping[str, float]) -> float:
        """The probability that the candidate with these features is a positive."""
        logit = self.bias + sum(self._weight.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-logit))

    @classmethod
    def fit(cls, examples: Sequence[Example], fit: Fit = Fit()) -> LogisticModel:
        """Fit on labelled feature dicts."""
        names = sorted({name for features, _ in examples for name in features})
        index = {name: i for i, name in enumerate(names)}
        x = torch.zeros(len(examples), len(names))
        for row, (features, _) in enumerate(examples):
            for name, value in features.items():
                x[row, index[name]] = value
        y = torch.tensor([float(label) for _, label in examples])
        torch.manual_seed(fit.seed)
        weights = torch.zeros(len(names), requires_grad=True)
        bias = torch.zeros(1, requires_grad=True)
        optimiser = torch.optim.Adam([weights, bias], lr=fit.learning_rate)
        for _ in range(fit.epochs):
            optimiser.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(x @ weights + bias, y)
            (loss + fit.l2 * weights.pow(2).sum()).backward()
            optimiser.step()
        return cls(names, weights.detach(), float(bias.detach()))


class RelationScorer(LogisticModel):
    """The holder model (this class's own weights) and, optionally, the title-link model ``titles``."""

    WEIGHTS = "relations.safetensors"
    CONFIG = "relations.json"

    def __init__(self, feature_names: Sequence[str], weights: torch.Tensor, bias: float,
                 titles: LogisticModel | None = None):
        super().__init__(feature_names, weights, bias)
        self.titles = titles

    @classmethod
    def train(cls, documents: Sequence[Document], *, epochs: int = 300, seed: int = 0,
              l2: float = 1e-3, learning_rate: float = 0.1, title_links: bool = False) -> RelationScorer:
        """Fit the holder model on annotated documents (gold entities and relations) and, with ``title_links``,
        the title-link model on their officials.

        Title links are off by default: end to end on the news-docs-v1 dev articles they lowered facts F1
        (0.638 rules only; 0.604 at threshold 0.5, 0.625 at 0.7; 2026-12-07, persnews-fa-base). Documents
        without officials (sentence layers) teach only holders; with no title-link example at all the scorer
        has no title model.
        """
        fit = Fit(epochs, seed, l2, learning_rate)
        examples = [example for doc in documents for example in _candidates(doc)]
        if not any(label for _, label in examples):
            raise TrainingError("no annotated relation among the training candidates; nothing to learn")
        holder = LogisticModel.fit(examples, fit)
        links = [example for doc in documents if title_links and doc.officials for example in title_examples(doc)]
        titles = LogisticModel.fit(links, fit) if any(label for _, label in links) else None
        return cls(holder.feature_names, holder.weights, holder.bias, titles)

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {"weights": self.weights.contiguous(), "bias": torch.tensor([self.bias])}
        config = {"model": "persnews-relations", "version": 2, "features": list(self.feature_names)}
        if self.titles is not None:
            tensors |= {"title_weights": self.titles.weights.contiguous(), "title_bias": torch.tensor([self.titles.bias])}
            config["title_features"] = list(self.titles.feature_names)
        save_file(tensors, str(directory / self.WEIGHTS))
        (directory / self.CONFIG).write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> RelationScorer:
        directory = Path(directory)
        try:
            config = json.loads((directory / cls.CONFIG).read_text(encoding="utf-8"))
            tensors = load_file(str(directory / cls.WEIGHTS))
            titles = (LogisticModel(config["title_features"], tensors["title_weights"], float(tensors["title_bias"][0]))
                      if "title_features" in config else None)
            return cls(config["features"], tensors["weights"], float(tensors["bias"][0]), titles)
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise ModelLoadError(f"cannot load a relation scorer from {directory}: {error}") from error


def _candidates(document: Document) -> list[Example]:
    """Every (person, role chain) pair of each sentence, labelled by the document's relations."""
    gold = {(r.person, r.role) for r in document.relations}
    examples = []
    for cues in SentenceCues.for_document(document.text, split_sentences(normalize(document.text)),
                                          document.entities):
        for group in cues.groups:
            for person in cues.persons:
                label = any((person, role) in gold for role in group)
                examples.append((cues.features(person, group), label))
    return examples
