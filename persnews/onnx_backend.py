"""Tag emissions through ONNX Runtime: the tagger network exported once, optionally int8, cached by its weights.

The network (encoder, word features, convention inputs) is exported with
dynamic batch and length axes on first use and kept in a user cache folder
keyed by a hash of the weights and config, so an unchanged model is exported
once per machine and a retrained one never meets a stale graph. The CRF stays
outside the graph: :func:`persnews.modeling.best_tags` decodes the emissions
whichever runtime computed them. Needs the ``onnx`` extra
(``pip install "persnews[onnx]"``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from pathlib import Path

import numpy as np
import torch

from .data.jsonl import replaced_directory
from .errors import ModelLoadError
from .features import AFFIX_SLOTS, CONTEXT_SLOTS
from .modeling import PersnewsConfig, PersnewsTagger

EXPORT_FORMAT = 3  # bump when the exported graph changes, so cached files of the old form are not reused
OPSET = 17
GRAPH = "emissions.onnx"
INSTALL_HINT = 'pip install "persnews[onnx]"'

logger = logging.getLogger(__name__)


def cache_root() -> Path:
    """Where exported graphs are kept: ``$PERSNEWS_CACHE``, else ``$XDG_CACHE_HOME/persnews`` (~/.cache/persnews)."""
    if os.environ.get("PERSNEWS_CACHE"):
        return Path(os.environ["PERSNEWS_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "persnews"


def input_names(config: PersnewsConfig) -> list[str]:
    """The graph's inputs, in order: what ``Tagger`` batches for this config."""
    names = ["input_ids", "attention_mask", "word_mask"]
    names += ["vector_ids"] * bool(config.word_vectors) + ["affix_ids"] * bool(config.affix_buckets)
    names += ["context_ids"] * bool(config.context_buckets) + ["convention_ids"] * bool(config.conventions)
    return names


def _require_onnxruntime():
    try:
        import onnxruntime
    except ImportError as error:
        raise ModelLoadError(f"backend='onnx' needs ONNX Runtime: {INSTALL_HINT}") from error
    return onnxruntime


def graph_key(directory: Path, quantize: bool) -> str:
    """Hash of the weights, config and everything that shapes the exported file (torch, ONNX Runtime, format)."""
    import onnxruntime

    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors"):
        with open(directory / name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    digest.update(f"{EXPORT_FORMAT}:{OPSET}:{torch.__version__}:{onnxruntime.__version__}:{quantize}".encode())
    return digest.hexdigest()[:32]


class _Emissions(torch.nn.Module):
    """The tagger's forward with positional inputs and one output, as the exporter wants it."""

    def __init__(self, model: PersnewsTagger):
        super().__init__()
        self.model = model
        self.names = input_names(model.config)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.model(**dict(zip(self.names, inputs))).logits


def _example_inputs(config: PersnewsConfig) -> tuple[torch.Tensor, ...]:
    """A two-row batch that exercises every input (padding, a multi-piece word) for tracing."""
    batch, length = 2, 6
    values = {"input_ids": torch.randint(5, config.vocab_size, (batch, length)),
              "attention_mask": torch.tensor([[1] * 6, [1] * 4 + [0] * 2]),
              "word_mask": torch.tensor([[0, 1, 0, 1, 1, 0], [0, 1, 1, 0, 0, 0]], dtype=torch.bool),
              "vector_ids": torch.randint(0, config.word_vectors or 1, (batch, length)),
              "affix_ids": torch.randint(0, config.affix_buckets or 1, (batch, length, AFFIX_SLOTS)),
              "context_ids": torch.randint(0, config.context_buckets or 1, (batch, length, CONTEXT_SLOTS)),
              "convention_ids": torch.zeros(batch, dtype=torch.long)}
    return tuple(values[name] for name in input_names(config))


def export_graph(model: PersnewsTagger, path: Path, quantize: bool) -> None:
    """Write ``model``'s emissions as an ONNX graph at ``path`` (int8 MatMul weights with ``quantize``)."""
    if model.config.word_lstm:
        raise ModelLoadError("backend='onnx' does not run models with a word BiLSTM (word_lstm > 0); use torch")
    if any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules()):
        raise ModelLoadError("export a float32 model: ONNX Runtime quantises the exported graph itself")
    names = input_names(model.config)
    axes = {name: {0: "batch", 1: "tokens"} for name in names if name != "convention_ids"}
    axes["convention_ids"] = {0: "batch"}
    axes["emissions"] = {0: "batch", 1: "words"}
    float_path = path.with_name(path.stem + "-fp32.onnx") if quantize else path
    # the tracer's notes (constant Python values in transformers' mask code, index export) hold for this graph:
    # the tests check the exported emissions against torch's on other shapes
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the TorchScript exporter: the dynamo one needs onnxscript, and this graph has no control flow to capture
        torch.onnx.export(_Emissions(model).eval(), _example_inputs(model.config), str(float_path),
                          input_names=names, output_names=["emissions"], dynamic_axes=axes, opset_version=OPSET,
                          dynamo=False)
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # weight MatMuls only (MatMulConstBOnly), as torch quantises nn.Linear only: the attention products,
        # embedding and feature-score tables stay float32; per-channel weight scales (torch: per tensor) lose
        # less of the score (measured with `persnews evaluate --backend onnx`, see the README)
        quiet = _DropMessage("pre-processing before quantization")  # ONNX Runtime's advice for static quantisation
        logging.getLogger().addFilter(quiet)
        try:
            quantize_dynamic(str(float_path), str(path), op_types_to_quantize=["MatMul"],
                             weight_type=QuantType.QInt8, per_channel=True,
                             extra_options={"MatMulConstBOnly": True})
        finally:
            logging.getLogger().removeFilter(quiet)
        float_path.unlink()


class _DropMessage(logging.Filter):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


class OnnxEmissions:
    """Computes (batch, words, tags) emissions of a padded tagger batch with ONNX Runtime on CPU."""

    def __init__(self, path: Path, quantized: bool, threads: int | None = None):
        onnxruntime = _require_onnxruntime()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()  # the same cores torch would use
        options.inter_op_num_threads = 1
        self.path = path
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.quantized = quantized

    @classmethod
    def for_model(cls, model: PersnewsTagger, directory: Path, quantize: bool = True,
                  cache: Path | None = None) -> OnnxEmissions:
        """The cached graph of the model loaded from ``directory``, exported (atomically) on first use."""
        _require_onnxruntime()
        folder = (cache or cache_root()) / "onnx" / graph_key(directory, quantize)
        if not (folder / GRAPH).is_file():
            try:
                import onnx  # noqa: F401  (the exporter and the quantiser need it)
            except ImportError as error:
                raise ModelLoadError(f"backend='onnx' needs the onnx package to export the model: {INSTALL_HINT}") \
                    from error
            logger.info("exporting %s to ONNX (%s), once, into %s", directory, "int8" if quantize else "fp32", folder)
            with replaced_directory(folder) as staging:
                export_graph(model, staging / GRAPH, quantize)
        return cls(folder / GRAPH, quantize)

    def __call__(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        missing = [name for name in self.inputs if name not in batch]
        if missing:
            raise ValueError(f"the ONNX graph needs inputs {missing}")
        emissions = self.session.run(["emissions"], {name: batch[name].numpy() for name in self.inputs})[0]
        width = max(int(batch["word_mask"].sum(1).max()), 1) if len(emissions) else 1
        return torch.from_numpy(np.ascontiguousarray(emissions[:, :width]))

