"""Tiny models built by the tests themselves: no hub, no network, a second or two on CPU."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import BertTokenizerFast

from persnews.data.labels import BIO_TAGS
from persnews.modeling import PersnewsConfig, PersnewsTagger
from persnews.tagging import WORD_VOCABULARY
from persnews.training import save_tagger

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["علی", "رضایی", "معاون", "فنی", "شهرداری", "شیراز", "گفت", "در", "تهران", "و", "سخنگوی", "شورا"]


def make_tokenizer(directory: Path, words: list[str] = WORDS) -> BertTokenizerFast:
    """A WordPiece tokenizer over a handful of words plus single letters (so nothing is [UNK] for long)."""
    letters = sorted({ch for w in words for ch in w} | set("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی0123456789.،:!؟"))
    vocabulary = SPECIAL + words + letters + ["##" + ch for ch in letters]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vocab.txt").write_text("\n".join(dict.fromkeys(vocabulary)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab=str(directory / "vocab.txt"), do_lower_case=False, strip_accents=False)
    tokenizer.save_pretrained(directory)
    return tokenizer


def tiny_config(vocab_size: int, *, use_crf: bool = True, max_window: int = 32, vectors: int = 0,
                conventions: tuple[str, ...] = (), context_buckets: int = 0) -> PersnewsConfig:
    labels = dict(enumerate(BIO_TAGS))
    return PersnewsConfig(vocab_size=vocab_size, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                          intermediate_size=32, max_position_embeddings=max_window, max_window=max_window,
                          affix_buckets=97, affix_dim=8, word_vectors=vectors, word_vector_dim=4 if vectors else 0,
                          use_crf=use_crf, id2label=labels, label2id={t: i for i, t in labels.items()},
                          conventions=list(conventions), context_buckets=context_buckets)


def make_tiny_model(directory: Path, *, use_crf: bool = True, max_window: int = 32, seed: int = 0,
                    conventions: tuple[str, ...] = ()) -> Path:
    """A random tiny tagger saved as a complete model folder (config, safetensors, tokenizer, word list)."""
    torch.manual_seed(seed)
    vectors_dir = directory.parent / (directory.name + "-vectors")
    vectors_dir.mkdir(parents=True, exist_ok=True)
    (vectors_dir / WORD_VOCABULARY).write_text("\n".join(WORDS[:6]), encoding="utf-8")
    tokenizer = make_tokenizer(directory.parent / (directory.name + "-tokenizer"))
    model = PersnewsTagger(tiny_config(len(tokenizer), use_crf=use_crf, max_window=max_window, vectors=7,
                                       conventions=conventions))
    save_tagger(model, tokenizer, directory, str(vectors_dir))
    return directory
