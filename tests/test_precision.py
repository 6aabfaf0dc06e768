import json
import shutil
from pathlib import Path

import pytest
import torch

from persnews import precision
from persnews.errors import ModelLoadError
from persnews.modeling import PersnewsConfig
from persnews.pipeline import load
from persnews.precision import resolve
from persnews.tagging import Tagger

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


@pytest.fixture
def bf16_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "native_bfloat16", lambda device: True)


@pytest.fixture
def no_bf16_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "native_bfloat16", lambda device: False)


def test_asked_for_precision_wins(no_bf16_hardware: None) -> None:
    assert resolve("float32", "int8", CPU, "torch") == "float32"
    assert resolve("int8", "bfloat16", CPU, "onnx") == "int8"
    assert resolve("bfloat16", "int8", CPU, "torch") == "bfloat16"  # emulated, but asked for


def test_bfloat16_default_needs_hardware_and_torch(bf16_hardware: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve(None, "bfloat16", CPU, "torch") == "bfloat16"
    assert resolve(None, "bfloat16", CPU, "onnx") == "float32"
    monkeypatch.setattr(precision, "native_bfloat16", lambda device: False)
    assert resolve(None, "bfloat16", CPU, "torch") == "float32"


def test_int8_default_is_cpu_only() -> None:
    assert resolve(None, "int8", CPU, "torch") == "int8"
    assert resolve(None, "int8", CUDA, "torch") == "float32"


@pytest.mark.parametrize("requested, device, backend, message", [
    ("half", CPU, "torch", "one of float32, bfloat16, int8"),
    ("int8", CUDA, "torch", "CPU only"),
    ("bfloat16", CPU, "onnx", "backend='torch'"),
])
def test_impossible_precisions_are_typed_errors(requested: str, device: torch.device, backend: str,
                                                message: str) -> None:
    with pytest.raises(ModelLoadError, match=message):
        resolve(requested, "float32", device, backend)


def test_configs_before_the_field_read_as_int8_or_float32() -> None:
    assert PersnewsConfig().inference_precision == "int8"
    assert PersnewsConfig(int8_inference=False).inference_precision == "float32"
    assert PersnewsConfig(int8_inference=False, inference_precision="bfloat16").inference_precision == "bfloat16"


def test_bfloat16_tagger_computes_its_linear_layers_in_bfloat16(tiny_model: Path) -> None:
    tagger = Tagger.load(tiny_model, device="cpu", precision="bfloat16")
    reference = Tagger.load(tiny_model, device="cpu", precision="float32")
    dtypes = set()
    hooks = [m.register_forward_hook(lambda module, args, out: dtypes.add(out.dtype))
             for m in tagger.model.modules() if isinstance(m, torch.nn.Linear)]
    text = "علی رضایی سخنگوی دولت گفت"
    spans = [(e.start, e.end) for e in load(tiny_model, precision="bfloat16").extract(text).entities]
    assert all(text[s:e] for s, e in spans)
    batch = {"input_ids": torch.tensor([[2, 5, 6, 7, 3]]), "attention_mask": torch.ones(1, 5, dtype=torch.long),
             "word_mask": torch.tensor([[False, True, True, True, False]])}
    batch.update(reference.featurizer.batch_features([["علی", "رضایی", "گفت"]], [[-1, 0, 1, 2, -1]], 5))
    fast, exact = tagger.emissions(batch), reference.emissions(batch)
    for hook in hooks:
        hook.remove()
    assert dtypes == {torch.bfloat16} and tagger.precision == "bfloat16" and not tagger.quantized
    assert fast.dtype == torch.float32 and torch.allclose(fast, exact, atol=0.1)


def test_model_folder_default_precision(tiny_model: Path, tmp_path: Path, bf16_hardware: None) -> None:
    folder = shutil.copytree(tiny_model, tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    config["inference_precision"] = "bfloat16"
    (folder / "config.json").write_text(json.dumps(config))
    assert Tagger.load(folder, device="cpu").precision == "bfloat16"
    assert Tagger.load(folder, device="cpu", precision="float32").precision == "float32"
