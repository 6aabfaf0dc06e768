"""Tagged spans from sentences: windows of sub-tokens through the tagger, back to original offsets.

Documents of any length are cut into encoder windows (see
:func:`persnews.segmentation.windows`), windows of many documents are sorted
by length and batched together, and each word's tag comes back from the
window that saw it with most context. Tags become spans with BIO repair (an
``I-`` without its ``B-`` starts an entity) and a confidence per span.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import torch
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from .document import Entity
from .errors import ConventionError, ModelLoadError
from .features import WordFeaturizer
from .modeling import PersnewsConfig, PersnewsTagger, best_tags
from .precision import resolve as resolve_precision
from .segmentation import Sentence, Token, Window, merge_windows, windows
from .weights import load_weights

logger = logging.getLogger(__name__)
_R = TypeVar("_R")

WORD_VOCABULARY = "word_vocabulary.txt"
"""The word-vector table's words, one per line; line ``k`` is row ``k + 1`` (row 0 is unknown)."""

_HUB_FILES = ["*.json", "*.safetensors", "*.txt", "*.md"]

_PACKAGE = Path(__file__).resolve().parent
SHIPPED_MODEL_ROOTS = (_PACKAGE / "models", _PACKAGE.parent / "models")
"""Where the shipped models are: package data of an installed wheel, then the repository's ``models/``."""
SHIPPED_MODEL_GLOB = "persnews-fa-*"
"""The shipped models' folder names (setup.py packs the same folders into the wheel)."""


def shipped_models() -> dict[str, Path]:
    """Name → folder of each model that ships with persnews, so ``load("persnews-fa-small")`` works anywhere."""
    found: dict[str, Path] = {}
    for root in SHIPPED_MODEL_ROOTS:
        for folder in sorted(root.glob(SHIPPED_MODEL_GLOB)):
            if (folder / "config.json").is_file():
                found.setdefault(folder.name, folder)
    return found
BACKENDS = ("torch", "onnx")
"""What computes a tagger's emissions: PyTorch (default) or ONNX Runtime (the ``onnx`` extra)."""

Emissions = Callable[[dict[str, torch.Tensor]], torch.Tensor]
"""A padded CPU batch (as :func:`pad_batch` makes it) → (batch, words, tags) emission scores: the one thing a
runtime other than torch has to provide (see :mod:`persnews.onnx_backend`)."""


def resolve_model_dir(name: str | os.PathLike) -> Path:
    """A local model folder as given, a shipped model's name, or a hub id fetched to the local cache."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelLoadError(f"{path} is a file; a model is a folder with config.json and model.safetensors")
    shipped = shipped_models()
    if str(name) in shipped:
        return shipped[str(name)]
    if str(name).count("/") != 1 or str(name).startswith((".", "/", "~")):
        raise ModelLoadError(f"no model folder at {path}, no shipped model named {str(name)!r} (shipped: "
                             f"{', '.join(shipped) or 'none'}), and not a hub id of the form owner/name")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(str(name), allow_patterns=_HUB_FILES))
    except Exception as error:  # network, auth, missing repo: all mean "cannot load"
        raise ModelLoadError(f"could not fetch {name!r} from the model hub ({type(error).__name__}: {error}); "
                             "download it elsewhere and pass the local folder") from error


def load_featurizer(directory: Path, config: PersnewsConfig) -> WordFeaturizer | None:
    if not (config.word_vectors or config.affix_buckets or config.context_buckets):
        return None
    vocabulary: dict[str, int] = {}
    if config.word_vectors:
        words = (directory / WORD_VOCABULARY).read_text(encoding="utf-8").split("\n")
        vocabulary = {word: row for row, word in enumerate(words, 1) if word}
    return WordFeaturizer(vocabulary, config.affix_buckets or 2, config.context_buckets)


def word_pieces(tokenizer: PreTrainedTokenizerFast, words: Sequence[str], budget: int) -> list[list[int]]:
    """Sub-token ids of each word (an empty result becomes [UNK]; a word longer than ``budget`` is cut)."""
    unique = list(dict.fromkeys(words))  # news repeats its words: tokenize each once
    # The Rust tokenizer directly: the transformers wrapper would build a Python encoding object per word.
    encoded = tokenizer.backend_tokenizer.encode_batch(unique, add_special_tokens=False) if unique else []
    pieces = {word: (e.ids or [tokenizer.unk_token_id])[:budget] for word, e in zip(unique, encoded)}
    return [pieces[word] for word in words]


class WordPieces:
    """:func:`word_pieces` that remembers each word's sub-tokens: news repeats its words from one document to
    the next, and the tokenizer's per-word work is most of what cutting documents into windows costs. Holds
    at most ``size`` words (then starts afresh), so a long run's memory stays bounded. The lists it returns
    are shared between calls: read them, do not change them."""

    def __init__(self, tokenizer: PreTrainedTokenizerFast, budget: int, size: int = 100_000):
        self.tokenizer = tokenizer
        self.budget = budget
        self.size = size
        self._known: dict[str, list[int]] = {}

    def __call__(self, words: Sequence[str]) -> list[list[int]]:
        known = self._known  # one dict per call: a full cache is replaced, never cleared under another thread
        new = [word for word in dict.fromkeys(words) if word not in known]
        if len(known) + len(new) > self.size:
            known = self._known = {}
            new = list(dict.fromkeys(words))
        if new:
            known.update(zip(new, word_pieces(self.tokenizer, new, self.budget)))
        return [known[word] for word in words]


def document_windows(tokenizer: PreTrainedTokenizerFast, sentences: Sequence[Sentence], budget: int,
                     pieces_of: WordPieces | None = None) -> tuple[list[list[int]], list[Window]]:
    """Sub-tokens of every word of a document (through ``pieces_of``, made for the same ``budget``, when
    given), and the encoder windows over its flat word list."""
    words = [t.text for s in sentences for t in s.tokens]
    pieces = pieces_of(words) if pieces_of is not None else word_pieces(tokenizer, words, budget)
    lengths, cursor = [], 0
    for sentence in sentences:
        lengths.append([len(p) for p in pieces[cursor: cursor + len(sentence.tokens)]])
        cursor += len(sentence.tokens)
    return pieces, windows(lengths, budget)


def encode_words(tokenizer: PreTrainedTokenizerFast, pieces: Sequence[list[int]]) -> tuple[list[int], list[bool], list[int]]:
    """[CLS] + the words' sub-tokens + [SEP], the first-sub-token mask, and each sub-token's word (-1: none)."""
    ids, mask, word_of = [tokenizer.cls_token_id], [False], [-1]
    for k, word in enumerate(pieces):
        ids += word
        mask += [True] + [False] * (len(word) - 1)
        word_of += [k] * len(word)
    return ids + [tokenizer.sep_token_id], mask + [False], word_of + [-1]


def pad_batch(tokenizer: PreTrainedTokenizerFast, featurizer: WordFeaturizer | None,
              items: Sequence[dict]) -> dict[str, torch.Tensor]:
    """Pad encoded windows (``input_ids``, ``word_mask``, ``words``, ``word_of``) into tensors, with features."""
    width = max(len(item["input_ids"]) for item in items)
    pad = tokenizer.pad_token_id
    batch = {
        "input_ids": torch.tensor([it["input_ids"] + [pad] * (width - len(it["input_ids"])) for it in items]),
        "attention_mask": torch.tensor([[1] * len(it["input_ids"]) + [0] * (width - len(it["input_ids"]))
                                        for it in items]),
        "word_mask": torch.tensor([it["word_mask"] + [False] * (width - len(it["word_mask"])) for it in items]),
    }
    if featurizer is not None:
        batch.update(featurizer.batch_features([it["words"] for it in items], [it["word_of"] for it in items], width))
    return batch


@dataclass(frozen=True)
class _WindowInput:
    document: int
    window: Window
    input_ids: list[int]
    word_mask: list[bool]
    words: list[str]
    word_of: list[int]  # which word (within the window) each sub-token belongs to; -1 for [CLS]/[SEP]


class Tagger:
    """A trained tagger with its tokenizer and word features; reused across calls.

    ``emissions``, when given, computes the network's scores instead of
    ``model`` (whose CRF still decodes them): how the ONNX backend plugs in.
    """

    def __init__(self, model: PersnewsTagger, tokenizer: PreTrainedTokenizerFast,
                 featurizer: WordFeaturizer | None, device: str | torch.device = "cpu", convention: str | None = None,
                 emissions: Emissions | None = None, precision: str = "float32"):
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.featurizer = featurizer
        self.device = torch.device(device)
        self.tags = model.config.tags
        self.budget = model.config.max_window - 2
        self.convention = convention
        self.emissions = emissions or self._torch_emissions
        self.backend = "torch" if emissions is None else "onnx"
        self.precision = precision  # what the network computes in (see persnews.precision); load() sets it up
        self.word_pieces = WordPieces(tokenizer, self.budget)

    @property
    def convention(self) -> str | None:
        """Whose annotation convention the tags follow: the model's first (this project's guidelines) unless
        set to another it was trained on, e.g. ``"peyma"`` to score on PEYMA; None for a model without any."""
        return self._convention

    @convention.setter
    def convention(self, name: str | None) -> None:
        known = self.model.config.conventions
        if name is not None and name not in known:
            raise ConventionError(f"convention {name!r} is not one this model was trained on "
                                  f"({', '.join(known) if known else 'it has none'})")
        self._convention = name if name is not None else (known[0] if known else None)

    def follow(self, convention: str) -> None:
        """Tag in ``convention`` when the model was trained on it, else in its default: how a source is
        scored in its own convention by a model that may never have seen it."""
        self.convention = convention if convention in self.model.config.conventions else None

    @classmethod
    def load(cls, name: str | os.PathLike, device: str | None = None, precision: str | None = None,
             convention: str | None = None, backend: str = "torch") -> Tagger:
        """Load a persnews model folder or hub id, on ``device`` (default: CUDA when there is one).

        ``precision`` is ``"float32"``, ``"bfloat16"`` (autocast) or
        ``"int8"`` (dynamic quantisation of the linear layers, CPU only); by
        default the model's own (its config's ``inference_precision``, chosen
        by measurement: the compact model runs int8, a third faster at the same
        accuracy; the pretrained 12-layer encoder loses 3-6 points to int8 and
        runs bfloat16 where the hardware has it, float32 elsewhere; both cards
        have the figures). See :mod:`persnews.precision`.
        ``backend="onnx"`` runs the network with ONNX Runtime on CPU (exported
        and cached on first use, int8 or float32; needs the ``onnx`` extra).
        """
        if backend not in BACKENDS:
            raise ModelLoadError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        if backend == "onnx" and device not in (None, "cpu"):
            raise ModelLoadError(f"backend='onnx' runs on CPU; load on {device} with backend='torch'")
        directory = resolve_model_dir(name)
        if not (directory / "model.safetensors").is_file():
            raise ModelLoadError(f"{directory} has no model.safetensors (persnews loads safetensors weights only)")
        try:
            config = PersnewsConfig.from_pretrained(directory)
            if config.model_type != PersnewsConfig.model_type:
                raise ModelLoadError(f"{directory} holds a {config.model_type!r} model, not a persnews tagger; "
                                     "train one from it with `persnews train --base-model`")
            model = PersnewsTagger(config)
            state = load_weights(directory / "model.safetensors")
            # float16 (or int8 rows) on disk; load_state_dict copies into the float32 parameters tensor by tensor, so no
            # second float32 copy of the whole model is ever held
            missing, unexpected = model.load_state_dict(state, strict=False)
            if missing or unexpected:
                raise ModelLoadError(f"{directory}: weights do not fit the config (missing {missing[:3]}, "
                                     f"unexpected {unexpected[:3]})")
            tokenizer = AutoTokenizer.from_pretrained(directory, use_fast=True)
            featurizer = load_featurizer(directory, config)
        except (OSError, ValueError, KeyError) as error:
            raise ModelLoadError(f"could not load the model in {directory}: {error}") from error
        device = device or ("cuda" if torch.cuda.is_available() and precision != "int8" and backend == "torch"
                            else "cpu")
        precision = resolve_precision(precision, config.inference_precision, torch.device(device), backend)
        if backend == "onnx":
            from .onnx_backend import OnnxEmissions

            return cls(model, tokenizer, featurizer, device, convention,
                       OnnxEmissions.for_model(model, directory, precision == "int8"), precision)
        if precision == "int8":
            with warnings.catch_warnings():  # torch deprecates torch.ao for torchao; 2.13 still runs it, and
                # a user should not see torch's notice on every load of the default model
                warnings.filterwarnings("ignore", message=r"torch\.(ao\.quantization is|quantize_per_tensor)")
                # in place: a copy would hold a second fp32 model at the peak
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8,
                                                               inplace=True)
        return cls(model, tokenizer, featurizer, device, convention, precision=precision)

    @property
    def quantized(self) -> bool:
        """Whether the linear layers run in int8 (see :meth:`load`)."""
        return self.precision == "int8"

    def _window_inputs(self, document: int, sentences: Sequence[Sentence]) -> Iterator[_WindowInput]:
        words = [t.text for s in sentences for t in s.tokens]
        pieces, spans = document_windows(self.tokenizer, sentences, self.budget, self.word_pieces)
        for window in spans:
            ids, mask, word_of = encode_words(self.tokenizer, pieces[window.start: window.end])
            yield _WindowInput(document, window, ids, mask, words[window.start: window.end], word_of)

    @torch.inference_mode()
    def _torch_emissions(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs = {key: value.to(self.device) for key, value in batch.items()}
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.precision == "bfloat16"):
            return self.model(**inputs).logits.float()  # the CRF decodes in float32

    def tag(self, documents: Sequence[Sequence[Sentence]], original_texts: Sequence[str],
            batch_size: int = 32) -> list[list[Entity]]:
        """Entities of each document (given as its sentences), offsets into ``original_texts``."""
        tagged = self.word_results(documents, lambda emissions, mask: best_tags(emissions, mask, self.model.crf),
                                   batch_size)
        return [spans_from_tags([t for s in sentences for t in s.tokens], [(self.tags[t], p) for t, p in words], text)
                for sentences, text, words in zip(documents, original_texts, tagged)]

    def batches(self, documents: Sequence[Sequence[Sentence]],
                batch_size: int = 32) -> Iterator[tuple[list[_WindowInput], dict[str, torch.Tensor]]]:
        """The network's input: every window of ``documents``, sorted by length (little padding), padded
        ``batch_size`` at a time, each batch with its windows."""
        items = [item for d, sentences in enumerate(documents) for item in self._window_inputs(d, sentences)]
        items.sort(key=lambda item: len(item.input_ids))
        for start in range(0, len(items), batch_size):
            chunk = items[start: start + batch_size]
            batch = pad_batch(self.tokenizer, self.featurizer, [item.__dict__ for item in chunk])
            if self._convention is not None:
                batch["convention_ids"] = torch.full((len(chunk),), self.model.config.conventions.index(self._convention))
            yield chunk, batch

    def word_results(self, documents: Sequence[Sequence[Sentence]],
                     score: Callable[[torch.Tensor, torch.Tensor], Sequence[Sequence[_R]]],
                     batch_size: int = 32) -> list[list[_R]]:
        """Per document, one result per word: ``score`` maps a batch's emissions and sub-token word mask to a
        result per word of each window, and each word keeps the one of the window that saw it with most context."""
        per_document: list[list[tuple[Window, Sequence[_R]]]] = [[] for _ in documents]
        for chunk, batch in self.batches(documents, batch_size):
            emissions = self.emissions(batch)
            for item, result in zip(chunk, score(emissions, batch["word_mask"].to(emissions.device))):
                per_document[item.document].append((item.window, result))
        counts = [sum(len(s.tokens) for s in sentences) for sentences in documents]
        results = []
        for count, scored in zip(counts, per_document):
            scored.sort(key=lambda pair: pair[0].start)  # document order: merge_windows' ties go to the earlier
            results.append(merge_windows([w for w, _ in scored], [r for _, r in scored], count) if count else [])
        return results


def spans_from_tags(tokens: Sequence[Token], tagged: Sequence[tuple[str, float]], text: str) -> list[Entity]:
    """Word tags → entities. BIO repair: an ``I-X`` that does not continue an ``X`` starts one.

    >>> toks = [Token("علی", 0, 3), Token("رضایی", 4, 9), Token("گفت", 10, 13)]
    >>> [(e.text, e.label) for e in spans_from_tags(toks, [("I-PER", .9), ("I-PER", .8), ("O", 1.)], "علی رضایی گفت")]
    [('علی رضایی', 'PER')]
    """
    entities: list[Entity] = []
    current: tuple[str, int, int, list[float]] | None = None  # label, start, end, confidences

    def close() -> None:
        if current is not None:
            label, start, end, scores = current
            entities.append(Entity(start, end, label, text[start:end], sum(scores) / len(scores)))

    for token, (tag, confidence) in zip(tokens, tagged):
        prefix, _, label = tag.partition("-")
        if prefix == "I" and current is not None and current[0] == label:
            current = (label, current[1], token.end, current[3] + [confidence])
            continue
        close()
        current = (label, token.start, token.end, [confidence]) if prefix in ("B", "I") else None
    close()
    return entities
