from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file

from persnews.weights import SCALE_SUFFIX, dequantize_rows, load_weights, quantize_rows, save_weights


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(-50, 50, allow_nan=False, width=32), min_size=3, max_size=3), min_size=1,
                max_size=6))
def test_int8_rows_are_within_half_a_step(rows: list[list[float]]) -> None:
    matrix = torch.tensor(rows)
    values, scale = quantize_rows(matrix)
    restored = dequantize_rows(values, scale).float()
    step = scale.float()
    assert torch.all((restored - matrix).abs() <= step / 2 + matrix.abs() * 2e-3 + 1e-6)


def test_int8_file_holds_large_matrices_as_int8_and_the_rest_as_float16(tmp_path: Path) -> None:
    state = {"big": torch.randn(64, 128), "bias": torch.randn(128), "small": torch.randn(4, 4),
             "ids": torch.arange(5)}
    save_weights(state, tmp_path / "w.safetensors", "int8")
    stored = load_file(str(tmp_path / "w.safetensors"))
    assert stored["big"].dtype == torch.int8 and stored["big" + SCALE_SUFFIX].shape == (64, 1)
    assert stored["bias"].dtype == torch.float16 and stored["small"].dtype == torch.float16
    loaded = load_weights(tmp_path / "w.safetensors")
    assert set(loaded) == set(state) and torch.equal(loaded["ids"], state["ids"])
    assert torch.allclose(loaded["big"].float(), state["big"], atol=float(state["big"].abs().max()) / 127)


def test_unknown_dtype_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="int8"):
        save_weights({"w": torch.zeros(2)}, tmp_path / "w.safetensors", "int4")
