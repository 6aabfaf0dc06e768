"""Which number format the tagger computes in: float32, bfloat16 or int8.

Each model's config names its default (``inference_precision``), chosen by
measurement: int8 dynamic quantisation makes the compact model a third faster
at the same accuracy but costs the pretrained 12-layer encoder 3-6 points;
bfloat16 autocast keeps that encoder's accuracy and runs it about twice as
fast, but only on hardware with bfloat16 arithmetic (AVX512-BF16 or AMX on
x86 CPUs, recent GPUs). Elsewhere bfloat16 is emulated and slower than
float32, so a "bfloat16" default falls back to float32 there; asking for it
explicitly still gets it.

>>> resolve("int8", "float32", torch.device("cpu"), "torch")
'int8'
>>> resolve(None, "int8", torch.device("cuda"), "torch")  # int8 dynamic quantisation is CPU-only
'float32'
"""

from __future__ import annotations

import logging

import torch

from .errors import ModelLoadError

logger = logging.getLogger(__name__)

PRECISIONS = ("float32", "bfloat16", "int8")


def native_bfloat16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 in hardware (emulated bfloat16 is slower than float32)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and (torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())


def resolve(requested: str | None, default: str, device: torch.device, backend: str) -> str:
    """The precision a tagger runs in: ``requested``, or the model's ``default`` where the hardware suits it."""
    if requested is not None and requested not in PRECISIONS:
        raise ModelLoadError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested == "int8" and device.type != "cpu":
        raise ModelLoadError(f"int8 dynamic quantisation runs on CPU only; load on {device} with another precision")
    if requested == "bfloat16" and backend != "torch":
        raise ModelLoadError(f"bfloat16 runs with backend='torch'; backend={backend!r} runs float32 or int8")
    if requested is not None:
        if requested == "bfloat16" and not native_bfloat16(device):
            logger.warning("%s has no bfloat16 arithmetic: bfloat16 is emulated there, slower than float32", device)
        return requested
    if default == "int8" and device.type != "cpu":
        return "float32"
    if default == "bfloat16" and (backend != "torch" or not native_bfloat16(device)):
        return "float32"
    return default
