from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

from persnews.pretraining import pretrain_mlm, train_word_vectors, train_wordpiece, word_lines
from persnews.tagging import WORD_VOCABULARY

LINES = ["شهردار تهران گفت: طرح نوسازی ناوگان اتوبوسرانی تا پایان سال اجرا می‌شود",
         "معاون فنی شهرداری شیراز از افتتاح پل جدید خبر داد",
         "سخنگوی شورای شهر كرج گفت اعتبار این طرح تامین شده است"] * 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("raw") / "words.txt"
    path.write_text("\n".join(word_lines(LINES)) + "\n", encoding="utf-8")
    return path


def test_word_lines_are_normalised_words() -> None:
    assert list(word_lines(["سخنگوی شورای شهر كرج: گفت"])) == ["سخنگوی شورای شهر کرج : گفت"]


def test_wordpiece_vocabulary_ignores_zwnj(corpus: Path, tmp_path: Path) -> None:
    tokenizer = train_wordpiece(corpus, tmp_path / "tok", vocab_size=200)
    assert tokenizer.tokenize("می‌شود") == tokenizer.tokenize("میشود")
    assert (tmp_path / "tok" / "tokenizer.json").is_file()


def test_word_vectors_table(corpus: Path, tmp_path: Path) -> None:
    rows = train_word_vectors(corpus, tmp_path / "vec", dim=8, rows=20, epochs=1, threads=1)
    table = load_file(str(tmp_path / "vec" / "word_vectors.safetensors"))["word_vectors"]
    assert table.shape == (rows, 8) and float(table[0].abs().sum()) == 0.0
    assert len((tmp_path / "vec" / WORD_VOCABULARY).read_text(encoding="utf-8").split("\n")) == rows - 1


def test_mlm_pretraining_saves_and_resumes(corpus: Path, tmp_path: Path) -> None:
    tokenizer_dir = tmp_path / "tok"
    train_wordpiece(corpus, tokenizer_dir, vocab_size=200)
    output = tmp_path / "mlm"
    first = pretrain_mlm(corpus, tokenizer_dir, output, minutes=0.02, layers=1, hidden=16, heads=2, length=16,
                         batch_size=4)
    assert first["steps"] > 0 and first["loss"] == first["loss"]  # finite, not NaN
    again = pretrain_mlm(corpus, tokenizer_dir, output, minutes=0.01, layers=1, hidden=16, heads=2, length=16,
                         batch_size=4)
    assert again["steps"] > first["steps"]
    assert json.loads((output / "pretraining.json").read_text())["steps"] == again["steps"]
    assert any(k.startswith("bert.") for k in load_file(str(output / "model.safetensors")))


def test_tagger_starts_from_mlm_weights(corpus: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from persnews.training import ModelArguments, build_model

    tokenizer_dir = tmp_path / "tok"
    train_wordpiece(corpus, tokenizer_dir, vocab_size=200)
    pretrain_mlm(corpus, tokenizer_dir, tmp_path / "mlm", minutes=0.01, layers=1, hidden=16, heads=2, length=16,
                 batch_size=4)
    arguments = ModelArguments(from_scratch=True, tokenizer=str(tokenizer_dir), init_encoder=str(tmp_path / "mlm"),
                               layers=1, hidden=16, heads=2, max_window=256, affix_buckets=0)
    model = build_model(arguments, AutoTokenizer.from_pretrained(tokenizer_dir))
    saved = load_file(str(tmp_path / "mlm" / "model.safetensors"))
    assert (model.bert.embeddings.word_embeddings.weight == saved["bert.embeddings.word_embeddings.weight"]).all()


def test_shuffled_is_a_seeded_permutation() -> None:
    from persnews.pretraining import _shuffled

    first = list(_shuffled(range(100), 10, seed=3))
    assert sorted(first) == list(range(100)) and first != list(range(100))
    assert first == list(_shuffled(range(100), 10, seed=3)) != list(_shuffled(range(100), 10, seed=4))
    assert all(value <= k + 10 for k, value in enumerate(first))  # drawn from a window of 10, not the stream
