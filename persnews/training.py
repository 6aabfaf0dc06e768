"""``persnews train``: fine-tune a tagger, in the manner of the transformers token-classification example.

Arguments are dataclasses parsed by ``HfArgumentParser``; data comes from
named sources (our releases, the third-party corpora) through ``datasets``;
``Trainer`` trains with early stopping on dev entity F1. Examples are cut
into the same windows inference uses. Where a corpus never annotated ROLE,
words that may be part of a title are given the tags {O, B-ROLE, I-ROLE}
rather than a false ``O`` (partial labels, see :mod:`persnews.crf`).

The model is written to a temporary folder and renamed into place only when
training finished, so a failed run never overwrites a good model.

    persnews train --output_dir models/my-model --from_scratch --tokenizer runs/tokenizer
"""

from __future__ import annotations

import itertools
import json
import logging
import platform
import shutil
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import torch
from datasets import Dataset, concatenate_datasets
from safetensors.torch import load_file
from transformers import (AutoTokenizer, BertConfig, BertModel, EarlyStoppingCallback, HfArgumentParser, Trainer,
                          TrainingArguments)
from transformers.trainer_utils import get_last_checkpoint

from .data.jsonl import replaced_directory
from .data.labels import BIO_TAGS, TAG_IDS, word_tags
from .data.sources import PROJECT_CONVENTION, Source, load_source, parse_source
from .data.standoff import read_layer
from .distillation.silver import SilverSentence, read_silver, silver_targets, soft_targets
from .document import Document
from .errors import TrainingError
from .evaluation.spans import scores_from_counts, span_counts
from .features import WordFeaturizer, is_role_head
from .modeling import PersnewsConfig, PersnewsTagger
from .normalization import normalize
from .precision import PRECISIONS
from .segmentation import Window, sentences, windows
from .tagging import (WORD_VOCABULARY, Tagger, document_windows, encode_words, load_featurizer, pad_batch,
                      word_pieces)
from .weights import DTYPES, load_weights, save_weights

logger = logging.getLogger(__name__)

DEFAULT_TRAIN = ["data/releases/v1:train", "layer:data/layers/roles-v1.jsonl:train", "peyma:train", "arman:fold1",
                 "arman:fold2", "nsurl:train-600k", "parstwiner:train"]
DEFAULT_DEV = ["data/releases/v1:dev", "layer:data/layers/roles-v1.jsonl:dev", "peyma:dev", "parstwiner:dev"]
_ROLE_REACH = 4  # words after a title head that may still belong to the title


@dataclass
class ModelArguments:
    """Which encoder to start from, and the tagger's own parts."""

    base_model: str | None = field(default=None, metadata={
        "help": "hub id or folder of a BERT encoder, e.g. HooshvareLab/bert-fa-zwnj-base (safetensors only)"})
    from_scratch: bool = field(default=False, metadata={"help": "a compact BERT with random weights"})
    tokenizer: str | None = field(default=None, metadata={
        "help": "WordPiece tokenizer folder for --from_scratch (see `persnews pretrain vocab`)"})
    init_tagger: str | None = field(default=None, metadata={
        "help": "persnews model folder to continue training from (its shape and features are kept; "
                "pass its folder as --tokenizer and its --word_vectors)"})
    init_encoder: str | None = field(default=None, metadata={
        "help": "folder of MLM-pretrained compact encoder weights (`persnews pretrain mlm`)"})
    word_vectors: str | None = field(default=None, metadata={
        "help": "folder with word_vocabulary.txt and word_vectors.safetensors (`persnews pretrain vectors`)"})
    layers: int = field(default=4, metadata={"help": "encoder layers (from scratch)"})
    hidden: int = field(default=256, metadata={"help": "encoder width (from scratch)"})
    heads: int = field(default=4, metadata={"help": "attention heads (from scratch)"})
    max_window: int = field(default=256, metadata={"help": "sub-tokens per encoder window"})
    affix_buckets: int = field(default=32768, metadata={"help": "hashed affix feature buckets; 0 turns them off"})
    affix_dim: int = field(default=64, metadata={"help": "width of the affix feature embedding"})
    use_crf: bool = field(default=True, metadata={"help": "CRF output layer (else softmax)"})
    word_lstm: int = field(default=0, metadata={"help": "word-level BiLSTM width per direction (0: none)"})
    context_buckets: int = field(default=0, metadata={
        "help": "hashed ±2-context feature buckets scored straight into the tags (0: none); with "
                "--init_tagger, adds them to a tagger that has none"})
    conventions: bool = field(default=True, metadata={
        "help": "condition the tagger on each source's annotation convention (this project's guidelines or a "
                "corpus's own) when the training sources follow more than one; predictions use ours"})
    context_lr_scale: float = field(default=1.0, metadata={
        "help": "learning rate of the context feature scores, as a multiple of --learning_rate (each "
                "feature is seen rarely, so a larger step lets rare names count)"})
    head_learning_rate: float | None = field(default=None, metadata={
        "help": "learning rate of the parts that start untrained (CRF, classifier, features, conventions); "
                "default: --learning_rate. A pretrained encoder wants a small --learning_rate and this larger"})
    layer_decay: float = field(default=1.0, metadata={
        "help": "layer-wise learning-rate decay: each encoder layer below the top at this multiple of the one "
                "above (1: none)"})
    inference_precision: str = field(default="int8", metadata={
        "help": "the number format loading uses by default: int8 (dynamic quantisation on CPU), bfloat16 (autocast "
                "where the hardware has it) or float32; measure it: int8 costs a pretrained 12-layer encoder 1.5-5 "
                "points"})
    weights_dtype: str = field(default="float16", metadata={
        "help": "how model.safetensors stores the weights: float16, or int8 with a scale per row (half the "
                "size again; see persnews.weights)"})

    def __post_init__(self) -> None:
        if bool(self.base_model) == self.from_scratch:
            raise ValueError("give exactly one of --base_model and --from_scratch")
        if self.from_scratch and not self.tokenizer:
            raise ValueError("--from_scratch needs --tokenizer (a WordPiece folder)")
        if self.weights_dtype not in DTYPES:
            raise ValueError(f"--weights_dtype must be one of {', '.join(DTYPES)}")
        if self.inference_precision not in PRECISIONS:
            raise ValueError(f"--inference_precision must be one of {', '.join(PRECISIONS)}")


@dataclass
class DataArguments:
    """Where the examples come from (see :mod:`persnews.data.sources`)."""

    train: list[str] = field(default_factory=lambda: list(DEFAULT_TRAIN), metadata={"help": "training sources"})
    dev: list[str] = field(default_factory=lambda: list(DEFAULT_DEV), metadata={"help": "dev sources"})
    corpora: str | None = field(default=None, metadata={"help": "third-party corpora folder"})
    max_train_documents: int | None = field(default=None, metadata={"help": "cap per source (smoke runs)"})
    max_dev_documents: int | None = field(default=None, metadata={"help": "cap per dev source"})
    patience: int = field(default=3, metadata={"help": "evaluations without dev F1 gain before stopping"})
    max_silver_sentences: int | None = field(default=None, metadata={
        "help": "use the first N sentences of each silver:DIR source in --train (default: all)"})
    soft_weight: float = field(default=1.0, metadata={
        "help": "weight of the KL term that pulls the CRF's marginals towards soft silver targets"})


def _allowed_bits(tags: Sequence[str], words: Sequence[str], has_role: bool) -> list[int]:
    """Bitmask of the tags each word may take: its gold tag, or {O, B-ROLE, I-ROLE} for a possible title."""
    bits = [1 << TAG_IDS[t] for t in tags]
    if has_role:
        return bits
    maybe_role = (1 << TAG_IDS["O"]) | (1 << TAG_IDS["B-ROLE"]) | (1 << TAG_IDS["I-ROLE"])
    k = 0
    while k < len(words):
        if tags[k] == "O" and is_role_head(words[k]):
            reach = k
            while reach < len(words) and reach - k <= _ROLE_REACH and tags[reach] == "O" and words[reach][0].isalpha():
                bits[reach] = maybe_role
                reach += 1
            k = max(reach, k + 1)
        else:
            k += 1
    return bits


def encode_documents(documents: Sequence[Document], labels: Sequence[str], tokenizer: Any,
                     budget: int, convention: int = 0) -> list[dict[str, Any]]:
    """Windows of each document as training examples (ids, first-sub-token mask, labels, allowed tags, and
    the index of the annotation convention they follow)."""
    has_role = "ROLE" in labels
    examples = []
    for document in documents:
        sents = sentences(normalize(document.text))
        tokens = [t for s in sents for t in s.tokens]
        spans = [(e.start, e.end, e.label) for e in document.entities if e.label in labels]
        tags = word_tags([t.start for t in tokens], spans)
        words = [t.text for t in tokens]
        bits = _allowed_bits(tags, words, has_role)
        word_labels = [TAG_IDS[tag] if bit == 1 << TAG_IDS[tag] else -100 for tag, bit in zip(tags, bits)]
        pieces, spans = document_windows(tokenizer, sents, budget)
        examples += window_examples(tokenizer, pieces, spans, words, word_labels, bits, convention)
    return examples


def encode_silver(sentences_: Sequence[SilverSentence], source: Source, tokenizer: Any, budget: int,
                  convention: int = 0) -> Iterator[dict[str, Any]]:
    """Windows of teacher-labelled sentences as training examples, with the silver source's targets (see
    :func:`persnews.distillation.silver.silver_targets`); ``soft`` mode adds each window's marginals as bytes."""
    for sentence in sentences_:
        word_labels, bits, soft = silver_targets(sentence, source.part, source.threshold)
        pieces = word_pieces(tokenizer, sentence.words, budget)
        spans = windows([[len(p) for p in pieces]], budget)
        for window, example in zip(spans, window_examples(tokenizer, pieces, spans, sentence.words, word_labels,
                                                          bits, convention)):
            if soft is not None:
                example["soft"] = soft[window.start: window.end].tobytes()
            yield example


def window_examples(tokenizer: Any, pieces: Sequence[list[int]], spans: Sequence[Window], words: Sequence[str],
                    word_labels: Sequence[int], bits: Sequence[int], convention: int) -> list[dict[str, Any]]:
    """One example per encoder window over a word list: sub-token ids, first-sub-token mask, and each first
    sub-token's label (-100 where unknown) and allowed-tag bits (0 off first sub-tokens)."""
    examples = []
    for window in spans:
        ids, mask, word_of = encode_words(tokenizer, pieces[window.start: window.end])
        first = [window.start + k for k in word_of]
        examples.append({
            "input_ids": ids, "length": len(ids), "word_mask": mask, "word_of": word_of,
            "words": list(words[window.start: window.end]),
            "labels": [word_labels[w] if m else -100 for w, m in zip(first, mask)],
            "allowed": [bits[w] if m else 0 for w, m in zip(first, mask)],
            "convention": convention,
        })
    return examples


class _Collator:
    """Pads a list of encoded windows and adds the word features."""

    def __init__(self, tokenizer: Any, featurizer: WordFeaturizer | None):
        self.tokenizer = tokenizer
        self.featurizer = featurizer

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = pad_batch(self.tokenizer, self.featurizer, examples)
        width = batch["input_ids"].size(1)
        for key, fill in (("labels", -100), ("allowed", 0)):
            batch[key] = torch.tensor([e[key] + [fill] * (width - len(e[key])) for e in examples])
        batch["convention_ids"] = torch.tensor([e["convention"] for e in examples])
        if "soft" in examples[0]:
            batch["soft_targets"] = soft_targets([e["soft"] for e in examples],
                                                 max(int(batch["word_mask"].sum(1).max()), 1))
        return batch


def evaluate_tagger(tagger: Tagger, dev_sets: Sequence[tuple[Source, list[Document]]]) -> dict[str, float]:
    """Exact-span micro F1 over all dev sets (each on its own labels, and in its own convention where the
    tagger knows it), and per set."""
    metrics: dict[str, float] = {}
    pooled: dict[str, Counter] = {}
    for source, gold in dev_sets:
        tagger.follow(source.convention)
        predicted = predict_documents(tagger, gold)
        counts = span_counts(gold, predicted, source.labels)
        metrics[f"f1_{source.spec}"] = scores_from_counts(counts)["micro"]["f1"]
        for label, c in counts.items():
            pooled[label] = pooled.get(label, Counter()) + c
    scores = scores_from_counts(pooled)
    metrics.update({f"f1_{label}": s["f1"] for label, s in scores.items() if label != "micro"})
    metrics["f1"] = scores["micro"]["f1"]
    return metrics


def predict_documents(tagger: Tagger, gold: Sequence[Document], batch_size: int = 64) -> list[Document]:
    """The tagger's entities over each gold document's text (no relations)."""
    segmented = [sentences(normalize(d.text)) for d in gold]
    tagged = tagger.tag(segmented, [d.text for d in gold], batch_size=batch_size)
    return [Document(d.text, tuple(entities), id=d.id) for d, entities in zip(gold, tagged)]


@dataclass(frozen=True)
class LearningRates:
    """Learning rates relative to ``--learning_rate`` (the encoder's): a pretrained encoder wants small steps,
    the parts that start from zero or random (CRF, classifier, features, conventions) larger ones."""

    head: float | None = None  # absolute rate of the new parts; None: the encoder's
    context_scale: float = 1.0  # the context feature scores, as a multiple of the encoder's rate
    layer_decay: float = 1.0  # each encoder layer below the top trains at this multiple of the one above


_ENCODER_INPUTS = ("convention_embeddings.", "feature_projection.", "affixes.", "word_vectors.")


def learning_rate_groups(model: PersnewsTagger, learning_rate: float, rates: LearningRates,
                         decay_names: Sequence[str], weight_decay: float) -> list[dict[str, Any]]:
    """Optimizer parameter groups: encoder layers (with layer-wise decay; the embeddings, and the word
    features and convention vectors added to them, count as layer 0: a large step there would shift every
    input the pretrained encoder sees), the new parts above the encoder (classifier, CRF, convention tag
    bias), and the context feature scores, each split by whether weight decay applies."""
    depth = model.config.num_hidden_layers
    groups: dict[tuple[float, bool], list[torch.nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        if name.startswith("context_scores."):
            rate, decays = learning_rate * rates.context_scale, False
        elif name.startswith(("bert.", *_ENCODER_INPUTS)):
            layer = int(name.split(".")[3]) + 1 if name.startswith("bert.encoder.layer.") else 0
            rate, decays = learning_rate * rates.layer_decay ** (depth - layer), name in decay_names
        else:
            rate, decays = rates.head if rates.head is not None else learning_rate, name in decay_names
        groups.setdefault((rate, decays), []).append(parameter)
    return [{"params": params, "lr": rate, "weight_decay": weight_decay if decays else 0.0}
            for (rate, decays), params in groups.items()]


class _TaggerTrainer(Trainer):
    """``Trainer`` whose evaluation runs the real inference path (windows, CRF decoding, spans)."""

    def __init__(self, *args: Any, dev_sets: Sequence[tuple[Source, list[Document]]],
                 featurizer: WordFeaturizer | None, rates: LearningRates | None = None, soft_weight: float = 1.0,
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.dev_sets = dev_sets
        self.featurizer = featurizer
        self.rates = rates or LearningRates()
        self.soft_weight = soft_weight

    def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False,
                     num_items_in_batch: Any = None) -> Any:
        """The model's loss, plus ``soft_weight`` × the KL divergence from soft silver targets to the CRF's
        marginals where a batch has them (see :meth:`persnews.crf.CRF.soft_loss`)."""
        targets = inputs.pop("soft_targets", None)
        loss, outputs = super().compute_loss(model, inputs, return_outputs=True,
                                             num_items_in_batch=num_items_in_batch)
        if targets is not None:
            logits = outputs.logits
            words = torch.arange(logits.size(1), device=logits.device) < inputs["word_mask"].sum(1, keepdim=True)
            loss = loss + self.soft_weight * self.accelerator.unwrap_model(model).crf.soft_loss(
                logits, words, targets)
        return (loss, outputs) if return_outputs else loss

    def create_optimizer(self, model: Any = None) -> torch.optim.Optimizer:
        """AdamW over parameter groups of their own learning rates (see :func:`learning_rate_groups`)."""
        if self.optimizer is None:
            optimizer_cls, kwargs = self.get_optimizer_cls_and_kwargs(self.args, self.model)
            groups = learning_rate_groups(self.model, self.args.learning_rate, self.rates,
                                          self.get_decay_parameter_names(self.model), self.args.weight_decay)
            self.optimizer = optimizer_cls(groups, **kwargs)
        return self.optimizer

    def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None,
                 metric_key_prefix: str = "eval") -> dict[str, float]:
        tagger = Tagger(self.model, self.processing_class, self.featurizer, device=self.args.device)
        metrics = {f"{metric_key_prefix}_{k}": v for k, v in evaluate_tagger(tagger, self.dev_sets).items()}
        self.model.train()
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


def build_model(model_args: ModelArguments, tokenizer: Any, conventions: Sequence[str] = ()) -> PersnewsTagger:
    """A fresh tagger: the encoder from ParsBERT, from MLM weights, or random; word vectors loaded.
    With ``init_tagger``, the saved tagger itself (its config wins over the shape arguments)."""
    if model_args.init_tagger:
        return _continued_model(model_args.init_tagger, model_args.context_buckets)
    labels = {i: tag for i, tag in enumerate(BIO_TAGS)}
    extra = dict(use_crf=model_args.use_crf, max_window=model_args.max_window, word_lstm=model_args.word_lstm,
                 affix_buckets=model_args.affix_buckets,
                 affix_dim=model_args.affix_dim if model_args.affix_buckets else 0,
                 context_buckets=model_args.context_buckets, conventions=list(conventions),
                 inference_precision=model_args.inference_precision)
    table = None
    if model_args.word_vectors:
        table = load_file(str(Path(model_args.word_vectors) / "word_vectors.safetensors"))["word_vectors"].float()
        extra.update(word_vectors=table.size(0), word_vector_dim=table.size(1))
    if model_args.base_model:
        base = BertConfig.from_pretrained(model_args.base_model)
        config = PersnewsConfig(**{**base.to_dict(), **extra, "id2label": labels,
                                   "label2id": {t: i for i, t in labels.items()}})
        model = PersnewsTagger(config)
        encoder = BertModel.from_pretrained(model_args.base_model, use_safetensors=True, add_pooling_layer=False)
        model.bert.load_state_dict(encoder.state_dict())
    else:
        config = PersnewsConfig(vocab_size=len(tokenizer), hidden_size=model_args.hidden,
                                num_hidden_layers=model_args.layers, num_attention_heads=model_args.heads,
                                intermediate_size=4 * model_args.hidden, max_position_embeddings=model_args.max_window,
                                id2label=labels, label2id={t: i for i, t in labels.items()}, **extra)
        model = PersnewsTagger(config)
        if model_args.init_encoder:
            state = load_file(str(Path(model_args.init_encoder) / "model.safetensors"))
            encoder_state = {k[len("bert."):]: v for k, v in state.items() if k.startswith("bert.")}
            missing, _ = model.bert.load_state_dict(encoder_state, strict=False)
            logger.info("encoder initialised from %s (%d tensors missing)", model_args.init_encoder, len(missing))
    if table is not None:
        model.word_vectors.weight.data.copy_(table)
    return model


def _continued_model(directory: str, context_buckets: int = 0) -> PersnewsTagger:
    """The tagger saved in ``directory``, its shape and features taken from its own config; context
    features (zero scores at first) are added when it has none and ``context_buckets`` asks for them."""
    config = PersnewsConfig.from_pretrained(directory)
    added = bool(context_buckets and not config.context_buckets)
    if added:
        config.context_buckets = context_buckets
    model = PersnewsTagger(config)
    state = load_weights(Path(directory) / "model.safetensors")
    missing, unexpected = model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in state.items()}, strict=False)
    if unexpected or set(missing) - ({"context_scores.weight"} if added else set()):
        raise TrainingError(f"{directory}: weights do not fit its config (missing {missing[:3]}, "
                            f"unexpected {unexpected[:3]})")
    logger.info("continuing from the tagger in %s%s", directory, " with new context features" if added else "")
    return model


def model_card(card: dict[str, Any]) -> str:
    """The model folder's README: data, settings, dev scores, time and machine, and the command to retrain."""
    dev = card["dev_metrics"]
    rows = "\n".join(f"| {'all' if k == 'eval_f1' else k[len('eval_f1_'):]} | {v:.4f} |" for k, v in dev.items()
                     if k.startswith("eval_f1"))
    settings = "\n".join(f"- `{k}`: {v}" for k, v in card["model"].items())
    return (f"# persnews tagger\n\nA PER/ROLE/ORG/LOC tagger for Persian news, trained by `persnews train`.\n\n"
            f"## Data\n\n- train: {', '.join(card['train'])} ({card['train_examples']} windows)\n"
            f"- dev: {', '.join(card['dev'])}\n\n## Settings\n\n{settings}\n- epochs: {card['epochs']}, "
            f"learning rate {card['learning_rate']}, batch {card['batch_size']}, seed {card['seed']}\n\n"
            f"## Dev scores (exact-span F1, best epoch)\n\n| set | F1 |\n|---|---:|\n{rows}\n\n"
            f"## Cost\n\n{card['minutes']} minutes on {card['machine']}.\n\n"
            f"## Retrain\n\n```\n{card['command']}\n```\n")


def save_tagger(model: PersnewsTagger, tokenizer: Any, directory: Path, word_list_dir: str | None,
                weights_dtype: str = "float16") -> None:
    """config.json, model.safetensors in ``weights_dtype`` (see :mod:`persnews.weights`; loading upcasts),
    tokenizer, and the word list of the vector table from ``word_list_dir``."""
    model.config.torch_dtype = "float32"
    model.config.save_pretrained(directory)
    save_weights(model.state_dict(), directory / "model.safetensors", weights_dtype)
    tokenizer.save_pretrained(directory)
    if word_list_dir:
        shutil.copy(Path(word_list_dir) / WORD_VOCABULARY, directory / WORD_VOCABULARY)


def load_sets(specs: Sequence[str], corpora: str | None, cap: int | None) -> list[tuple[Source, list[Document]]]:
    """Each source's documents. A corpus sentence that a layer in ``specs`` annotates (in any split) is
    never read from the plain corpus: the layer's own split decides whether it is seen."""
    loaded = [(source, load_source(source, corpora)) for source in map(parse_source, specs)]
    layered = {s.corpus_id for source, _ in loaded if source.kind == "layer" for s in read_layer(source.name).sentences}
    sets = []
    for source, documents in loaded:
        if source.kind == "corpus":
            documents = [d for d in documents if d.id not in layered]
        documents = documents[:cap]
        logger.info("%s: %d documents", source.spec, len(documents))
        sets.append((source, documents))
    return sets


def _conventions(sets: Sequence[tuple[Source, list[Document]]]) -> list[str]:
    """The annotation conventions the training sets follow, this project's first (the one predictions use);
    none when they all follow one."""
    found = sorted({source.convention for source, docs in sets if docs}, key=lambda c: (c != PROJECT_CONVENTION, c))
    return found if len(found) > 1 else []


def _train_dataset(gold: list[dict[str, Any]], silver: Iterator[dict[str, Any]], soft: bool,
                   chunk: int = 50_000) -> Dataset:
    """Gold examples then silver ones (if any) as one dataset, built ``chunk`` silver windows at a time (millions of
    silver words would otherwise sit in memory as Python lists); with soft targets every example carries a
    ``soft`` field, empty for gold and hard silver."""
    parts = []
    for examples in itertools.chain([gold], iter(lambda: list(itertools.islice(silver, chunk)), [])):
        if soft:
            examples = [{**ex, "soft": ex.get("soft", b"")} for ex in examples]
        if examples:
            parts.append(Dataset.from_list(examples))
    return concatenate_datasets(parts)


def train(model_args: ModelArguments, data_args: DataArguments, training_args: TrainingArguments,
          command: str = "persnews train") -> dict[str, Any]:
    """Train, evaluate on dev, and write the model folder; returns the final dev metrics."""
    started = time.time()
    output = Path(training_args.output_dir)
    checkpoints = output.with_name(output.name + ".checkpoints")
    tokenizer = AutoTokenizer.from_pretrained(model_args.tokenizer or model_args.base_model, use_fast=True)
    sources = [parse_source(spec) for spec in data_args.train]
    train_sets = load_sets([s.spec for s in sources if s.kind != "silver"], data_args.corpora,
                           data_args.max_train_documents)
    silver_sets = [(s, read_silver(s.name, data_args.max_silver_sentences)) for s in sources if s.kind == "silver"]
    dev_sets = load_sets(data_args.dev, data_args.corpora, data_args.max_dev_documents)
    model = build_model(model_args, tokenizer, _conventions([*train_sets, *silver_sets])
                        if model_args.conventions else ())
    budget = model.config.max_window - 2  # a continued tagger keeps its own window
    known = model.config.conventions
    soft = any(source.part == "soft" for source, _ in silver_sets)
    if soft and model.crf is None:
        raise TrainingError("soft silver targets train the CRF's marginals: drop --use_crf false, or use "
                            "silver:DIR:hard")

    def index(source: Source) -> int:
        return known.index(source.convention) if source.convention in known else 0

    def encode(sets: Sequence[tuple[Source, list[Document]]]) -> list[dict[str, Any]]:
        return [ex for source, docs in sets for ex in encode_documents(docs, source.labels, tokenizer, budget,
                                                                       index(source))]

    train_examples, dev_examples = encode(train_sets), encode(dev_sets)
    if not train_examples and not silver_sets:
        raise TrainingError("no training examples: check --train")
    train_dataset = _train_dataset(train_examples, (ex for source, sents in silver_sets for ex in encode_silver(
        sents, source, tokenizer, budget, index(source))), soft)
    word_list_dir = model_args.word_vectors or model_args.init_tagger  # where word_vocabulary.txt lives
    featurizer = load_featurizer(Path(word_list_dir or "."), model.config)
    training_args.output_dir = str(checkpoints)
    trainer = _TaggerTrainer(
        model=model, args=training_args, train_dataset=train_dataset,
        eval_dataset=Dataset.from_list(dev_examples[:1] or train_examples[:1] or [train_dataset[0]]),
        data_collator=_Collator(tokenizer, featurizer), processing_class=tokenizer,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=data_args.patience)],
        dev_sets=dev_sets, featurizer=featurizer,
        rates=LearningRates(model_args.head_learning_rate, model_args.context_lr_scale, model_args.layer_decay),
        soft_weight=data_args.soft_weight)
    resume = get_last_checkpoint(str(checkpoints)) if checkpoints.is_dir() else None
    if resume:
        logger.info("resuming from %s", resume)
    trainer.train(resume_from_checkpoint=resume)
    metrics = trainer.evaluate()
    card = {"train": data_args.train, "dev": data_args.dev, "model": asdict(model_args),
            "epochs": training_args.num_train_epochs, "learning_rate": training_args.learning_rate,
            "batch_size": training_args.per_device_train_batch_size, "seed": training_args.seed,
            "train_examples": len(train_dataset), "dev_metrics": metrics,
            "silver_sentences": {source.spec: len(sents) for source, sents in silver_sets},
            "minutes": round((time.time() - started) / 60, 1), "command": command,
            "machine": f"{platform.machine()}, {torch.get_num_threads()} threads, "
                       f"{'cuda' if torch.cuda.is_available() else 'cpu'}"}
    with replaced_directory(output) as staging:
        save_tagger(trainer.model, tokenizer, staging, word_list_dir, model_args.weights_dtype)
        (staging / "training.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        (staging / "README.md").write_text(model_card(card), encoding="utf-8")
        load_featurizer(staging, model.config)  # fail here, not at a user's, if the folder is incomplete
    return metrics


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = HfArgumentParser((ModelArguments, DataArguments, TrainingArguments))
    defaults = ["--eval_strategy", "epoch", "--save_strategy", "epoch", "--load_best_model_at_end", "true",
                "--metric_for_best_model", "f1", "--save_total_limit", "2", "--report_to", "none",
                "--learning_rate", "1e-3", "--num_train_epochs", "10", "--per_device_train_batch_size", "32",
                "--warmup_steps", "0.05", "--weight_decay", "0.01", "--logging_steps", "50",
                "--remove_unused_columns", "false", "--train_sampling_strategy", "group_by_length"]
    model_args, data_args, training_args = parser.parse_args_into_dataclasses(defaults + list(argv or []))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return train(model_args, data_args, training_args, command=" ".join(["persnews train", *(argv or [])]))
