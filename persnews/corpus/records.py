"""One batch of corpus records in, one result row per record out: the step both engines share.

A corpus record is ``{"id", "text"}`` plus, where the reader already found a
fault, ``"error"``. Its result row is ``{"id", "entities", "relations",
"officials", "error"}`` in the annotation guidelines' shape (the input text is
not repeated). A record that cannot be processed gets its ``error`` and empty
results; it never stops the batch and never disappears from it.

>>> check_record(None, "متن")
(None, None, 'missing id')
>>> check_record(7, 42)
('7', None, 'text must be a string, got int')
>>> failed_row("d1", "text is empty")["error"]
'text is empty'
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import pyarrow as pa

from ..pipeline import Extractor

DEFAULT_MAX_CHARS = 100_000
"""Longer texts are reported, not processed: a news article is a few thousand characters, and one
runaway record (a whole dump in one field) would hold a worker for minutes."""

RESULT_COLUMNS = ("entities", "relations", "officials", "error")

RESULT_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("entities", pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()),
                                     ("text", pa.string()), ("score", pa.float64())]))),
    ("relations", pa.list_(pa.struct([("person", pa.int64()), ("role", pa.int64()),
                                      ("institution", pa.int64()), ("score", pa.float64())]))),
    ("officials", pa.list_(pa.struct([("name", pa.string()), ("positions", pa.list_(pa.struct([
        ("role", pa.string()), ("institution", pa.string()), ("evidence", pa.list_(pa.int64()))])))]))),
    ("error", pa.string()),
])
"""The Arrow types of a result row, so every batch and every Parquet shard has one schema."""


def check_record(record_id: Any, text: Any) -> tuple[str | None, str | None, str | None]:
    """``(id, text, error)``: ids become strings (integers are accepted), a record that cannot be
    extracted from gets ``text`` None and the reason."""
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int, type(None), float)):
        return None, None, f"id must be a string or an integer, got {type(record_id).__name__}"
    if record_id is None or (isinstance(record_id, float) and math.isnan(record_id)) or record_id == "":
        return None, None, "missing id"
    if isinstance(record_id, float):
        if not record_id.is_integer():
            return None, None, f"id must be a string or an integer, got {record_id!r}"
        record_id = int(record_id)
    if not isinstance(text, str):
        return str(record_id), None, f"text must be a string, got {type(text).__name__}"
    return str(record_id), text, None


def failed_row(record_id: str | None, error: str) -> dict[str, Any]:
    """The result row of a record that could not be processed: empty results and the reason."""
    return {"id": record_id, "entities": [], "relations": [], "officials": [], "error": error}


def extract_records(extractor: Extractor, ids: Sequence[Any], texts: Sequence[Any],
                    errors: Sequence[str | None] | None = None, *, max_chars: int | None = DEFAULT_MAX_CHARS,
                    batch_size: int = 32) -> list[dict[str, Any]]:
    """One result row per record, in order; ``errors`` carries faults the reader already found.

    The good records run through ``extractor`` together (``batch_size``
    encoder windows per forward pass); if that raises, each is retried alone,
    so one record that breaks the pipeline fails by itself.
    """
    rows: list[dict[str, Any] | None] = []
    pending: list[tuple[int, str, str]] = []
    for index, (record_id, text, given) in enumerate(zip(ids, texts, errors or [None] * len(ids), strict=True)):
        record_id, text, error = check_record(record_id, text)
        error = given or error
        if error is None and max_chars is not None and len(text) > max_chars:
            error = f"text has {len(text):,} characters, over the limit of {max_chars:,}"
        rows.append(failed_row(record_id, error) if error else None)
        if not error:
            pending.append((index, record_id, text))
    for (index, record_id, _), row in zip(pending, _extract_isolated(extractor, pending, batch_size)):
        rows[index] = row
    return rows  # type: ignore[return-value]  # every None was filled above


def _extract_isolated(extractor: Extractor, pending: list[tuple[int, str, str]],
                      batch_size: int) -> list[dict[str, Any]]:
    try:
        documents = extractor.extract_many([text for _, _, text in pending], batch_size=batch_size)
    except Exception:  # noqa: BLE001 - which record broke the batch is found by running each alone
        if len(pending) == 1:
            raise
    else:
        return [_result_row(record_id, document.to_dict()) for (_, record_id, _), document in zip(pending, documents)]
    rows = []
    for item in pending:
        try:
            rows += _extract_isolated(extractor, [item], batch_size)
        except Exception as error:  # noqa: BLE001 - anything the pipeline raises is this record's error
            rows.append(failed_row(item[1], f"{type(error).__name__}: {error}"))
    return rows


def _result_row(record_id: str, document: dict[str, Any]) -> dict[str, Any]:
    return {"id": record_id, "entities": document["entities"], "relations": document["relations"],
            "officials": document["officials"], "error": None}
