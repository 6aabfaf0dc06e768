from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

from helpers import make_tokenizer, tiny_config
from persnews import ModelLoadError, load
from persnews.cli import main
from persnews.modeling import PersnewsTagger
from persnews.normalization import normalize
from persnews.segmentation import sentences
from persnews.tagging import Tagger, pad_batch
from persnews.training import save_tagger

TEXTS = ["علی رضایی، معاون فنی شهرداری شیراز در تهران گفت",
         "سخنگوی شورا و معاون شهرداری تهران گفت " * 12,  # longer than a window: several windows, padding
         "شورا"]


@pytest.fixture(scope="module")
def featured_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny tagger using every graph input (vectors, affixes, context features, conventions), its
    zero-initialised feature scores randomised so that they count in the emissions."""
    root = tmp_path_factory.mktemp("onnx-model")
    (root / "vectors").mkdir()
    (root / "vectors" / "word_vocabulary.txt").write_text("علی\nرضایی\nشیراز", encoding="utf-8")
    tokenizer = make_tokenizer(root / "tokenizer")
    torch.manual_seed(3)
    model = PersnewsTagger(tiny_config(len(tokenizer), vectors=4, conventions=("persnews", "peyma"),
                                       context_buckets=211))
    for table in (model.context_scores.weight, model.convention_bias.weight, model.convention_embeddings.weight):
        torch.nn.init.normal_(table, std=0.5)
    save_tagger(model, tokenizer, root / "model", str(root / "vectors"))
    return root / "model"


@pytest.fixture(autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One export cache for the module (exports are the slow part), never the user's own."""
    folder = tmp_path_factory.getbasetemp() / "onnx-cache"
    monkeypatch.setenv("PERSNEWS_CACHE", str(folder))
    return folder


def _batches(tagger: Tagger, convention: str = "peyma") -> list[dict[str, torch.Tensor]]:
    items = [item.__dict__ for d, text in enumerate(TEXTS) for item in tagger._window_inputs(d, sentences(normalize(text)))]
    batches = [pad_batch(tagger.tokenizer, tagger.featurizer, items[k: k + 2]) for k in range(0, len(items), 2)]
    for batch in batches:
        batch["convention_ids"] = torch.full((len(batch["input_ids"]),), tagger.model.config.conventions.index(convention))
    return batches


def _spans(extractor) -> list[list[tuple[int, int, str]]]:
    return [[(e.start, e.end, e.label) for e in d.entities] for d in extractor.extract_many(TEXTS)]


def test_fp32_graph_gives_torch_emissions_and_spans(featured_model: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    reference = Tagger.load(featured_model, device="cpu", precision="float32")
    tagger = Tagger.load(featured_model, precision="float32", backend="onnx")
    assert tagger.backend == "onnx" and not tagger.quantized
    batches = _batches(tagger)
    assert len(batches) > 1 and any(not b["attention_mask"].all() for b in batches)  # several shapes, padding
    for batch in batches:
        expected, got = reference.emissions(batch), tagger.emissions(batch)
        assert got.shape == expected.shape
        torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)
    for convention in ("persnews", "peyma"):
        with_torch = load(featured_model, precision="float32", convention=convention)
        with_onnx = load(featured_model, precision="float32", convention=convention, backend="onnx")
        assert _spans(with_onnx) == _spans(with_torch)


def test_int8_graph_is_close_to_float(featured_model: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    reference = Tagger.load(featured_model, device="cpu", precision="float32")
    tagger = Tagger.load(featured_model, backend="onnx")
    assert tagger.quantized
    for batch in _batches(tagger):
        expected, got = reference.emissions(batch), tagger.emissions(batch)
        assert (got - expected).abs().max() < 0.05 * expected.abs().max()
        assert not torch.equal(got, expected)  # it is int8 arithmetic, not the float graph again


def test_export_is_cached_by_weights(featured_model: Path, tmp_path: Path, cache: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from persnews import onnx_backend

    first = Tagger.load(featured_model, backend="onnx").emissions.path
    stamp = first.stat().st_mtime_ns

    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backend, "export_graph", no_export)
    again = Tagger.load(featured_model, backend="onnx").emissions.path
    assert again == first and first.stat().st_mtime_ns == stamp and first.is_relative_to(cache)
    monkeypatch.undo()
    monkeypatch.setenv("PERSNEWS_CACHE", str(cache))

    changed = tmp_path / "changed"  # other weights: another graph, the first one untouched
    tagger = Tagger.load(featured_model, precision="float32")
    with torch.no_grad():
        tagger.model.classifier.bias += 1
    save_tagger(tagger.model, tagger.tokenizer, changed, str(featured_model))
    other = Tagger.load(changed, backend="onnx").emissions.path
    assert other != first and first.is_file()


def test_failed_export_leaves_no_cache_entry(tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    monkeypatch.setenv("PERSNEWS_CACHE", str(tmp_path / "cache"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(torch.onnx, "export", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        Tagger.load(tiny_model, backend="onnx")
    assert not list((tmp_path / "cache" / "onnx").glob("*/*.onnx"))


def test_missing_extra_names_the_install(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    with pytest.raises(ModelLoadError, match=r'pip install "persnews\[onnx\]"'):
        load(tiny_model, backend="onnx")


def test_bad_backend_and_device_are_typed_errors(tiny_model: Path) -> None:
    with pytest.raises(ModelLoadError, match="backend must be one of"):
        load(tiny_model, backend="tensorrt")
    with pytest.raises(ModelLoadError, match="runs on CPU"):
        load(tiny_model, backend="onnx", device="cuda")


def test_cli_extract_with_onnx_backend(featured_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    path = tmp_path / "doc.txt"
    path.write_text(TEXTS[0], encoding="utf-8")
    assert main(["extract", str(path), "--model", str(featured_model), "--backend", "onnx", "--format", "jsonl"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(e["start"], e["end"], e["label"]) for e in document["entities"]] == _spans(load(featured_model, backend="onnx"))[0]
