"""How a tagger's weights are stored in ``model.safetensors``: float16, or int8 with a scale per row.

A 12-layer encoder with its vocabulary is ~37M parameters: 73 MB in float16,
too much to keep in git for every shipped version. Storing each large matrix
as int8 with one float16 scale per row (absmax / 127) halves that again at a
cost measured in the model card; small tensors (biases, norms, the CRF) stay
float16. Loading gives float16 tensors, which ``load_state_dict`` copies
into the float32 parameters tensor by tensor.

>>> import torch
>>> values, scale = quantize_rows(torch.tensor([[1.0, -0.5], [0.0, 0.0]]))
>>> values.tolist()
[[127, -64], [0, 0]]
>>> dequantize_rows(values, scale).tolist()  # within half a step (scale / 2) of the input
[[1.0, -0.50390625], [0.0, 0.0]]
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

DTYPES = ("float16", "int8")
SCALE_SUFFIX = ".row_scale"
_MIN_QUANTIZED = 4096  # elements: smaller tensors are not worth an int8 copy


def quantize_rows(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """int8 values and the float16 scale of each row (a zero row gets scale 1, values 0)."""
    scale = (matrix.abs().amax(dim=1, keepdim=True) / 127).clamp(min=1e-12)
    scale = torch.where(matrix.abs().amax(dim=1, keepdim=True) > 0, scale, torch.ones_like(scale)).to(torch.float16)
    values = torch.round(matrix / scale.float()).clamp(-127, 127).to(torch.int8)
    return values, scale


def dequantize_rows(values: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return (values.float() * scale.float()).to(torch.float16)


def save_weights(state: dict[str, torch.Tensor], path: Path, dtype: str = "float16") -> None:
    """Write ``state`` to ``path`` (safetensors) in ``dtype`` (one of :data:`DTYPES`)."""
    if dtype not in DTYPES:
        raise ValueError(f"weights dtype must be one of {DTYPES}, not {dtype!r}")
    stored: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        tensor = tensor.detach().cpu()
        if not tensor.is_floating_point():
            stored[name] = tensor
        elif dtype == "int8" and tensor.dim() == 2 and tensor.numel() >= _MIN_QUANTIZED:
            stored[name], stored[name + SCALE_SUFFIX] = quantize_rows(tensor.float())
        else:
            stored[name] = tensor.to(torch.float16)
    save_file({k: v.contiguous() for k, v in stored.items()}, str(path), metadata={"format": "pt", "weights": dtype})


def load_weights(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of ``path`` as written by :func:`save_weights` (int8 rows dequantised to float16)."""
    stored = load_file(str(path))
    state = {}
    for name, tensor in stored.items():
        if name.endswith(SCALE_SUFFIX):
            continue
        scale = stored.get(name + SCALE_SUFFIX)
        state[name] = dequantize_rows(tensor, scale) if scale is not None else tensor
    return state
