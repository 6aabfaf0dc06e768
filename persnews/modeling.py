"""The tagger network: a BERT encoder, word features beside it, and a CRF (or softmax) over words.

It is a ``transformers`` ``PreTrainedModel``, so ``save_pretrained`` /
``from_pretrained`` write and read ``config.json`` + ``model.safetensors``,
and ``Trainer`` trains it as it trains ``BertForTokenClassification``. The
encoder is any BERT: a compact one trained here from scratch, or ParsBERT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from transformers import AutoConfig, BertConfig, BertModel, BertPreTrainedModel
from transformers.utils import ModelOutput

from .crf import CRF
from .features import AFFIX_SLOTS


class PersnewsConfig(BertConfig):
    """A BERT config plus the tagger's own settings (features, CRF, label set)."""

    model_type = "persnews-tagger"

    def __init__(self, word_vectors: int = 0, word_vector_dim: int = 0, affix_buckets: int = 0,
                 affix_dim: int = 0, use_crf: bool = True, max_window: int = 256, word_lstm: int = 0,
                 context_buckets: int = 0, conventions: list[str] | None = None,
                 inference_precision: str | None = None, int8_inference: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        self.word_vectors = word_vectors          # rows of the frozen word-vector table (0: none)
        self.word_vector_dim = word_vector_dim
        self.affix_buckets = affix_buckets        # hashed affix feature buckets (0: none)
        self.affix_dim = affix_dim
        self.use_crf = use_crf
        self.max_window = max_window              # sub-tokens per encoder window, [CLS]/[SEP] included
        self.word_lstm = word_lstm                # width of a word-level BiLSTM over encoder + features (0: none)
        self.context_buckets = context_buckets    # hashed ±2-context feature buckets scored into tags (0: none)
        self.conventions = list(conventions or [])  # annotation conventions the tagger can follow; first: default
        # the default number format at inference (persnews.precision); configs before it said int8 or not
        self.inference_precision = inference_precision or ("float32" if int8_inference is False else "int8")

    @property
    def tags(self) -> list[str]:
        return [self.id2label[i] for i in range(len(self.id2label))]


AutoConfig.register(PersnewsConfig.model_type, PersnewsConfig)  # so AutoTokenizer reads our folders quietly


@dataclass
class TaggerOutput(ModelOutput):
    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None  # (batch, words, tags) emission scores, words in order


class PersnewsTagger(BertPreTrainedModel):
    """Word classifier over first sub-tokens; ``word_mask`` marks the first sub-token of each word.

    Each word is represented by its first sub-token's encoder state and its
    features; an optional BiLSTM over the words adds the local context a
    from-scratch encoder learns slowly; a CRF (or softmax) scores the tags.
    Optional context features add one learned score per tag and feature
    straight to the emissions: a feature CRF inside the network, trained with it.

    With ``conventions``, each window also says whose annotation convention
    its tags follow (this project's guidelines, or a corpus's own): a learned
    vector added to the encoder input, a per-tag bias, and a convention-specific
    copy of every context feature ("frustratingly easy" domain adaptation), so
    corpora that disagree on spans stop pulling the shared weights apart.
    """

    config_class = PersnewsConfig

    def __init__(self, config: PersnewsConfig):
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        feature_dim = 0
        if config.word_vectors:
            self.word_vectors = nn.Embedding(config.word_vectors, config.word_vector_dim, padding_idx=0)
            self.word_vectors.weight.requires_grad = False
            feature_dim += config.word_vector_dim
        if config.affix_buckets:
            self.affixes = nn.EmbeddingBag(config.affix_buckets, config.affix_dim, mode="sum", padding_idx=0)
            feature_dim += config.affix_dim
        if feature_dim:
            self.feature_projection = nn.Linear(feature_dim, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        width = config.hidden_size + feature_dim
        if config.word_lstm:
            self.lstm = nn.LSTM(width, config.word_lstm, batch_first=True, bidirectional=True)
            width = 2 * config.word_lstm
        self.classifier = nn.Linear(width, config.num_labels)
        if config.context_buckets:
            self.context_scores = nn.EmbeddingBag(config.context_buckets, config.num_labels, mode="sum", padding_idx=0)
        if config.conventions:
            self.convention_embeddings = nn.Embedding(len(config.conventions), config.hidden_size)
            self.convention_bias = nn.Embedding(len(config.conventions), config.num_labels)
        self.crf = CRF(config.tags) if config.use_crf else None
        self.post_init()
        if config.context_buckets:
            nn.init.zeros_(self.context_scores.weight)  # starts as a no-op beside the encoder
        if config.conventions:  # a convention starts as no difference at all
            nn.init.zeros_(self.convention_embeddings.weight)
            nn.init.zeros_(self.convention_bias.weight)

    def _features(self, vector_ids: torch.Tensor | None, affix_ids: torch.Tensor | None) -> torch.Tensor | None:
        parts = []
        if self.config.word_vectors:
            parts.append(self.word_vectors(vector_ids))
        if self.config.affix_buckets:
            batch, length, _ = affix_ids.shape
            parts.append(bag_sum(self.affixes, affix_ids.reshape(-1, AFFIX_SLOTS)).reshape(batch, length, -1))
        return torch.cat(parts, dim=-1) if parts else None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, word_mask: torch.Tensor,
                vector_ids: torch.Tensor | None = None, affix_ids: torch.Tensor | None = None,
                context_ids: torch.Tensor | None = None, labels: torch.Tensor | None = None,
                allowed: torch.Tensor | None = None, convention_ids: torch.Tensor | None = None) -> TaggerOutput:
        """``labels`` (-100 off first sub-tokens and where unknown) trains the softmax head;
        ``allowed`` (batch, sub-tokens) bitmasks of permitted tags trains the CRF;
        ``convention_ids`` (batch,) index ``config.conventions`` (absent: the first)."""
        features = self._features(vector_ids, affix_ids)
        embeddings = self.bert.embeddings.word_embeddings(input_ids)
        if features is not None:
            embeddings = embeddings + self.feature_projection(features)
        if self.config.conventions:
            if convention_ids is None:
                convention_ids = torch.zeros(input_ids.size(0), dtype=torch.long, device=input_ids.device)
            embeddings = embeddings + self.convention_embeddings(convention_ids).unsqueeze(1)
        hidden = self.bert(inputs_embeds=embeddings, attention_mask=attention_mask).last_hidden_state
        if features is not None:
            hidden = torch.cat([hidden, features], dim=-1)
        words, mask = gather_words(hidden, word_mask)
        if self.config.word_lstm:
            lengths = mask.sum(dim=1).clamp(min=1).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(self.dropout(words), lengths, batch_first=True,
                                                       enforce_sorted=False)
            words = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True,
                                                     total_length=words.size(1))[0]
        emissions = self.classifier(self.dropout(words))
        if self.config.context_buckets:
            ids = gather_words(context_ids, word_mask)[0]
            if self.config.conventions:
                ids = torch.cat([ids, conjoined(ids, convention_ids, self.config.context_buckets)], dim=-1)
            emissions = emissions + bag_sum(self.context_scores, ids.reshape(-1, ids.size(-1))).reshape(emissions.shape)
        if self.config.conventions:
            emissions = emissions + self.convention_bias(convention_ids).unsqueeze(1)
        loss = None
        if self.crf is not None and allowed is not None:
            bits = gather_words(allowed.unsqueeze(-1), word_mask)[0].squeeze(-1)
            allowed_tags = (bits.unsqueeze(-1) >> torch.arange(self.config.num_labels, device=bits.device)) & 1
            loss = self.crf.loss(emissions, mask, allowed_tags.bool())
        elif labels is not None:
            word_labels = gather_words(labels.unsqueeze(-1), word_mask)[0].squeeze(-1).masked_fill(~mask, -100)
            loss = nn.functional.cross_entropy(emissions.reshape(-1, emissions.size(-1)), word_labels.reshape(-1),
                                               ignore_index=-100)
        return TaggerOutput(loss=loss, logits=emissions)

    @torch.inference_mode()
    def predict(self, **inputs: torch.Tensor) -> list[list[tuple[int, float]]]:
        """Best tag and its confidence for each word of each row."""
        return best_tags(self(**inputs).logits, inputs["word_mask"], self.crf)


def best_tags(emissions: torch.Tensor, word_mask: torch.Tensor, crf: CRF | None) -> list[list[tuple[int, float]]]:
    """Best tag and its confidence for each word of each row of (batch, words, tags) emissions, whichever
    runtime computed them (columns past a row's word count are ignored)."""
    return [list(zip(path, probabilities[range(len(path)), path].tolist()))
            for path, probabilities in tag_marginals(emissions, word_mask, crf)]


def tag_marginals(emissions: torch.Tensor, word_mask: torch.Tensor,
                  crf: CRF | None) -> list[tuple[list[int], np.ndarray]]:
    """Each row's best tag path and the probability of every tag at each of its words (words × tags): the
    CRF's marginals, or the softmax without a CRF."""
    mask = torch.arange(emissions.size(1), device=emissions.device) < word_mask.sum(1, keepdim=True)
    if crf is not None:
        paths = crf.decode(emissions, mask)
        probabilities = crf.marginals(emissions, mask)
    else:
        probabilities = emissions.float().softmax(-1)
        paths = [probabilities[row, : int(mask[row].sum())].argmax(-1).tolist() for row in range(len(mask))]
    probabilities = probabilities.cpu().numpy()  # read element by element: numpy, not tensors
    return [(path, probabilities[row, : len(path)]) for row, path in enumerate(paths)]


def bag_sum(bag: nn.EmbeddingBag, ids: torch.Tensor) -> torch.Tensor:
    """Each row's summed embeddings, id 0 (padding) weighing nothing: the result and gradients of the bag's
    own ``padding_idx``, which on CPU sends torch (2.13) down a kernel ~30 times slower."""
    weights = (ids != 0).to(bag.weight.dtype)
    if torch.onnx.is_in_onnx_export():  # ONNX writes embedding_bag as a Loop over rows: gather and sum instead
        return (nn.functional.embedding(ids, bag.weight) * weights.unsqueeze(-1)).sum(dim=1)
    return nn.functional.embedding_bag(ids, bag.weight, mode="sum", per_sample_weights=weights)


def gather_words(values: torch.Tensor, word_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Move each row's first-sub-token positions to the front: (batch, words, ...) and a word mask."""
    counts = word_mask.sum(dim=1)
    if torch.onnx.is_in_onnx_export():
        # a traced int() would freeze the width, and ONNX sorts are not stable: keep every column, sort unique keys
        width = word_mask.size(1)
        keys = (~word_mask).long() * width + torch.arange(width, device=word_mask.device)
        order = torch.argsort(keys, dim=1)
    else:
        width = max(int(counts.max()), 1) if counts.numel() else 1
        order = torch.argsort((~word_mask).to(torch.int8), dim=1, stable=True)[:, :width]
    index = order.unsqueeze(-1).expand(-1, -1, values.size(-1))
    gathered = values.gather(1, index)
    mask = torch.arange(width, device=values.device).unsqueeze(0) < counts.unsqueeze(1)
    return gathered, mask


def conjoined(ids: torch.Tensor, convention_ids: torch.Tensor, buckets: int) -> torch.Tensor:
    """Each feature id of (batch, words, slots) re-hashed with its row's convention: the same feature seen
    under another convention lands in another bucket. Padding (0) stays 0."""
    salt = (convention_ids + 1).view(-1, 1, 1) * 0x85EBCA77
    mixed = (ids * 0x9E3779B1 + salt) % (buckets - 1) + 1
    return mixed.masked_fill(ids == 0, 0)
