"""What the from-scratch encoder learns before it sees a label: a WordPiece vocabulary,
word vectors, and masked-language-model weights, all from unlabelled Persian text.

The text is read by path from the third-party corpora (never copied into the
project) and passed through the same normalisation and word segmentation as
inference, so the vocabulary matches what the tagger will read.
"""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, TypeVar

from .normalization import normalize
from .segmentation import tokenize

if TYPE_CHECKING:  # heavy imports, needed only by the functions that use them
    import fasttext
    from transformers import BertForMaskedLM, PreTrainedTokenizerFast

logger = logging.getLogger(__name__)

SHUFFLE_BUFFER = 4096
"""MLM sequences drawn at random from this many upcoming ones (~4 MB of ids at 256 sub-tokens)."""
_T = TypeVar("_T")


def raw_files(root: Path) -> list[Path]:
    """The unlabelled text files: news-raw's JSON articles, then raw-extra's line files."""
    return sorted((root / "news-raw").glob("*.json")) + sorted((root / "raw-extra").glob("*.txt"))


def file_paragraphs(path: Path) -> Iterator[str]:
    """The paragraphs of one unlabelled file: a news-raw article's title, abstract and paragraphs; a line."""
    if path.suffix == ".json":
        for article in json.loads(path.read_text(encoding="utf-8")):
            yield from (p for p in [article.get("title"), article.get("abstract"), *article.get("paragraphs", [])] if p)
        return
    with path.open(encoding="utf-8") as handle:
        yield from (line.strip() for line in handle if line.strip())


def raw_paragraphs(root: Path) -> Iterator[str]:
    """Every unlabelled paragraph: news-raw articles (title, abstract, paragraphs) and raw-extra lines."""
    for path in raw_files(root):
        yield from file_paragraphs(path)


def word_lines(paragraphs: Iterable[str]) -> Iterator[str]:
    """Paragraphs as lines of normalised words joined by spaces (the tagger's view of text)."""
    for paragraph in paragraphs:
        words = [t.text for t in tokenize(normalize(paragraph))]
        if words:
            yield " ".join(words)


def write_word_corpus(root: Path, output: Path) -> int:
    """Write the normalised word lines of all unlabelled text to ``output``; return the word count."""
    count = 0
    tmp = output.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for line in word_lines(raw_paragraphs(root)):
            handle.write(line + "\n")
            count += line.count(" ") + 1
    tmp.replace(output)
    return count


def train_wordpiece(word_corpus: Path, output_dir: Path, vocab_size: int = 24_000) -> "PreTrainedTokenizerFast":
    """A cased WordPiece vocabulary over the word corpus, saved as a ``BertTokenizerFast``.

    BERT's normaliser drops format characters, so ZWNJ never reaches the
    encoder: «می‌شود» and «میشود» become the same sub-tokens.
    """
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    trainer = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True, strip_accents=False,
                                     lowercase=False)
    trainer.train([str(word_corpus)], vocab_size=vocab_size, min_frequency=3,
                  special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False)
    output_dir.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(output_dir))
    tokenizer = BertTokenizerFast(vocab=str(output_dir / "vocab.txt"), do_lower_case=False,
                                  strip_accents=False, tokenize_chinese_chars=True)
    tokenizer.save_pretrained(output_dir)
    return tokenizer


def train_word_vectors(word_corpus: Path, output_dir: Path, dim: int = 100, rows: int = 60_000,
                       epochs: int = 5, threads: int = 2) -> int:
    """Skip-gram vectors (fastText, installed with hazm) for the ``rows`` most frequent word keys.

    Writes ``word_vocabulary.txt`` and ``word_vectors.safetensors`` (float16);
    returns the number of rows (row 0, the unknown word, is zeros).
    """
    import fasttext

    model = fasttext.train_unsupervised(str(word_corpus), model="skipgram", dim=dim, epoch=epochs, minCount=3,
                                        minn=2, maxn=5, thread=threads, verbose=0)
    return export_word_vectors(model, output_dir, rows)


def export_word_vectors(model: "fasttext.FastText._FastText", output_dir: Path, rows: int) -> int:
    """Keep the most frequent word keys (ZWNJ dropped, first spelling wins) as a float16 table."""
    import torch
    from safetensors.torch import save_file

    from .features import word_key
    from .tagging import WORD_VOCABULARY

    keys: dict[str, str] = {}
    for word in model.words:  # most frequent first
        key = word_key(word)
        if key and key not in keys:
            keys[key] = word
        if len(keys) == rows:
            break
    table = torch.zeros(len(keys) + 1, model.get_dimension())
    for row, word in enumerate(keys.values(), 1):
        table[row] = torch.from_numpy(model.get_word_vector(word))
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / WORD_VOCABULARY).write_text("\n".join(keys), encoding="utf-8")
    save_file({"word_vectors": table.half()}, str(output_dir / "word_vectors.safetensors"))
    return len(keys) + 1


def _packed_sequences(word_corpus: Path, tokenizer: "PreTrainedTokenizerFast", length: int) -> Iterator[list[int]]:
    """Sub-token ids of the corpus, packed into [CLS] ... [SEP] sequences of ``length`` (endlessly)."""
    body = length - 2
    while True:
        buffer: list[int] = []
        with word_corpus.open(encoding="utf-8") as handle:
            for line in handle:
                buffer += tokenizer(line, add_special_tokens=False)["input_ids"] + [tokenizer.sep_token_id]
                while len(buffer) >= body:
                    yield [tokenizer.cls_token_id] + buffer[:body] + [tokenizer.sep_token_id]
                    buffer = buffer[body:]


def _shuffled(items: Iterable[_T], size: int, seed: int) -> Iterator[_T]:
    """``items`` in a random order within a window of ``size``. The corpus runs source by source and topic by
    topic: batches of neighbouring sequences made the loss follow the text, not the training. The fixed seed
    gives a resumed run the same order to skip through."""
    rng = random.Random(seed)
    pool: list[_T] = []
    for item in items:
        if len(pool) < size:
            pool.append(item)
            continue
        k = rng.randrange(size)
        yield pool[k]
        pool[k] = item
    rng.shuffle(pool)
    yield from pool


def pretrain_mlm(word_corpus: Path, tokenizer_dir: Path, output_dir: Path, *, minutes: float = 60.0,
                 layers: int = 4, hidden: int = 256, heads: int = 4, length: int = 256, batch_size: int = 32,
                 learning_rate: float = 5e-4, warmup_steps: int = 500, mask_probability: float = 0.15,
                 seed: int = 0) -> dict[str, float]:
    """Masked-LM pretraining of the compact encoder for a time budget; resumable, checkpointed as it goes.

    Only the masked positions go through the vocabulary head: at this size
    the head over every position costs more than the encoder itself.
    Sequences are as long as the tagger's windows (256), so every position
    embedding the tagger uses is trained; the learning rate warms up
    linearly over ``warmup_steps`` (a post-LN BERT from random weights
    diverges or stalls without it) and then stays constant, which suits a
    run that is stopped and resumed by the clock.
    Returns the last logged loss and the steps done.
    """
    import time

    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    if length > 256:
        raise ValueError(f"sequences of {length} sub-tokens are longer than the tagger's 256 positions")
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    state_file = output_dir / "pretraining.json"
    if (output_dir / "model.safetensors").is_file():
        model = BertForMaskedLM.from_pretrained(output_dir, use_safetensors=True)
        progress = json.loads(state_file.read_text()) if state_file.is_file() else {"steps": 0}
    else:
        config = BertConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                            num_attention_heads=heads, intermediate_size=4 * hidden, max_position_embeddings=256)
        model, progress = BertForMaskedLM(config), {"steps": 0}
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    warmup = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda _: min(1.0, (progress["steps"] + 1) / max(1, warmup_steps)))
    special = torch.tensor([tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id])
    sequences = _shuffled(_packed_sequences(word_corpus, tokenizer, length), SHUFFLE_BUFFER, seed)
    for _ in range(progress["steps"] * batch_size):  # resume where the corpus was left
        next(sequences)
    started = last_save = time.time()
    losses: list[float] = []
    model.train()
    while time.time() - started < minutes * 60:
        ids = torch.tensor([next(sequences) for _ in range(batch_size)])
        masked = (torch.rand(ids.shape) < mask_probability) & ~torch.isin(ids, special)
        if not masked.any():  # nothing to predict (tiny batches): the loss would be NaN and poison the weights
            continue
        targets = ids[masked]
        inputs = ids.clone()
        roll = torch.rand(targets.shape)
        replaced = torch.where(roll < 0.8, torch.full_like(targets, tokenizer.mask_token_id),
                               torch.where(roll < 0.9, torch.randint_like(targets, len(tokenizer)), targets))
        inputs[masked] = replaced
        hidden_states = model.bert(input_ids=inputs).last_hidden_state[masked]
        loss = torch.nn.functional.cross_entropy(model.cls(hidden_states), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        progress["steps"] += 1
        warmup.step()
        if progress["steps"] % 100 == 0:
            logger.info("step %d loss %.3f (%.0f sub-tokens/s)", progress["steps"],
                        sum(losses[-100:]) / len(losses[-100:]),
                        len(losses) * batch_size * length / (time.time() - started))
        if time.time() - last_save > 600:
            _save_mlm(model, tokenizer, output_dir, progress, losses)
            last_save = time.time()
    _save_mlm(model, tokenizer, output_dir, progress, losses)
    return {"steps": progress["steps"], "loss": progress.get("loss", float("nan"))}


def _save_mlm(model: "BertForMaskedLM", tokenizer: "PreTrainedTokenizerFast", output_dir: Path,
              progress: dict, losses: list[float]) -> None:
    """Write weights and progress beside ``output_dir`` and swap them in (a crash keeps the last good save)."""
    from .data.jsonl import replaced_directory

    if losses:
        progress["loss"] = round(sum(losses[-100:]) / len(losses[-100:]), 4)
    with replaced_directory(output_dir) as staging:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / "pretraining.json").write_text(json.dumps(progress), encoding="utf-8")
