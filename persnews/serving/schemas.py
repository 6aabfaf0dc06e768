"""The HTTP API's request and response shapes, for validation and the OpenAPI docs.

Responses are the guidelines' document JSON (:meth:`persnews.Document.to_dict`);
these models describe it for ``/docs`` and are kept in step by the API tests.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator


class ExtractRequest(BaseModel):
    """Exactly one of ``text`` (one document back) or ``texts`` (``{"documents": [...]}`` back, in order)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "علی رضایی، شهردار تهران گفت: طرح نوسازی ناوگان اجرا می‌شود."}]})

    text: StrictStr | None = Field(None, description="one news text")
    texts: list[StrictStr] | None = Field(None, description="many news texts, extracted together")

    @model_validator(mode="after")
    def _exactly_one(self) -> ExtractRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError('give exactly one of "text" or "texts"')
        return self


class EntityOut(BaseModel):
    start: int
    end: int
    label: str = Field(description="PER, ROLE, ORG or LOC")
    text: str = Field(description="equals the document text[start:end]")
    score: float


class RelationOut(BaseModel):
    person: int = Field(description="index into entities")
    role: int = Field(description="index into entities")
    institution: int | None = Field(description="index into entities, or null")
    score: float


class PositionOut(BaseModel):
    role: str
    institution: str | None
    evidence: list[int] = Field(description="indices into relations")


class OfficialOut(BaseModel):
    name: str
    positions: list[PositionOut]


class DocumentOut(BaseModel):
    """One document in the annotation guidelines' JSON shape."""

    id: str | None
    text: str
    entities: list[EntityOut]
    relations: list[RelationOut]
    officials: list[OfficialOut]


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class ErrorOut(BaseModel):
    """Every error the server answers with; ``detail`` lists the fields at fault for 422."""

    error: str = Field(description="invalid_json, invalid_request, text_too_long, too_many_texts, "
                                   "request_too_large, not_found, method_not_allowed or internal_error")
    message: str
    detail: list[dict] | None = None


class HealthOut(BaseModel):
    ready: bool
    model: str
    persnews_version: str
    max_chars: int
    batches: int = Field(description="extract_many calls so far")
    documents: int = Field(description="documents extracted so far")
    largest_batch: int
