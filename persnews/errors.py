"""Every error persnews raises on purpose lives here, so callers can catch them by type."""

from __future__ import annotations


class PersnewsError(Exception):
    """Base class of all persnews errors."""


class ModelLoadError(PersnewsError):
    """A model directory or hub id could not be loaded (missing files, unsafe weights, bad config)."""


class InputDecodeError(PersnewsError):
    """An input file is not valid UTF-8; the message names the file and byte offset."""


class DataFormatError(PersnewsError):
    """An annotated file or corpus breaks its format; ``problems`` holds every ``file:line: reason``."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        details = "".join(f"\n  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(message + details + more)


class CorpusMismatchError(PersnewsError):
    """A stand-off layer points at corpus text that is missing or has changed."""


class ConventionError(PersnewsError, ValueError):
    """A tagger was asked to follow an annotation convention it was not trained on."""


class DataSourceError(PersnewsError, ValueError):
    """A data source spec cannot be parsed, or names text that is missing or empty (the message says which)."""


class TrainingError(PersnewsError):
    """Training could not start or did not finish; the previous model is left untouched."""


class EncoderImportError(PersnewsError):
    """A pretrained encoder file is missing, truncated or not the format expected (the message names it)."""


class InputTooLargeError(PersnewsError, ValueError):
    """A text or a request to ``persnews serve`` is over a configured limit (HTTP 413); ``code`` says which."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


class OutputConflictError(PersnewsError):
    """An output folder holds a run over other inputs, model or settings; resuming it would mix results."""
