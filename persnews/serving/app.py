"""The HTTP server of ``persnews serve``: JSON extraction, a web page, health and OpenAPI docs.

    POST /extract  {"text": "..."} → one document; {"texts": [...]} → {"documents": [...]}, in order
    GET  /health   model name, versions, readiness, batching counters
    GET  /         a page to paste an article into (POST / draws the result)
    GET  /docs     OpenAPI docs (Swagger UI served from memory, no CDN); /openapi.json

Concurrent requests share ``extract_many`` calls through a :class:`MicroBatcher`.
Every error is JSON ``{"error", "message"}``: 400 bad JSON, 422 wrong fields or
types, 413 over a size limit, 404/405, 500 (logged, never a stack trace to the
client); the server keeps serving after each. No endpoint reads or writes files.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any, AsyncIterator
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from ..errors import InputTooLargeError
from ..pipeline import DEFAULT_MODEL, Extractor, load
from .batcher import MicroBatcher
from .page import page
from .schemas import DocumentOut, DocumentsOut, ErrorOut, ExtractRequest, HealthOut

logger = logging.getLogger(__name__)

MAX_CHARS = 200_000
"""Default limit on one text's length (HTTP 413 above it)."""

_ERRORS: dict[int | str, dict[str, Any]] = {status: {"model": ErrorOut} for status in (400, 413, 422, 500)}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


def _error(status: int, code: str, message: str, detail: list[dict] | None = None) -> JSONResponse:
    body = {"error": code, "message": message} | ({"detail": detail} if detail is not None else {})
    return JSONResponse(body, status_code=status)


class _BodyLimit:
    """Refuses a request whose Content-Length is over ``limit`` bytes before its body is read."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"0")
            if not length.isdigit() or int(length) > self.limit:
                response = _error(413, "request_too_large", f"the request body is over {self.limit} bytes")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _swagger_assets() -> dict[str, tuple[bytes, str]]:
    """Swagger UI's script and style (from the fastapi-offline package), held in memory: /docs needs no CDN."""
    static = files("fastapi_offline") / "static"
    return {name: (static.joinpath(name).read_bytes(), kind)
            for name, kind in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css"))}


def create_app(extractor: Extractor, model_name: str = DEFAULT_MODEL, *, max_chars: int = MAX_CHARS,
               max_texts: int = 128, max_body_bytes: int = 32 * 2**20, max_wait: float = 0.005,
               max_documents: int = 64, batch_size: int = 32) -> FastAPI:
    """The server's ASGI app around a loaded ``extractor`` (run it with uvicorn, or :func:`serve`).

    ``max_chars`` limits each text, ``max_texts`` the texts of one request and
    ``max_body_bytes`` its body; ``max_wait`` (seconds) and ``max_documents``
    shape the micro-batches, ``batch_size`` is ``extract_many``'s.
    """
    batcher = MicroBatcher(extractor, max_wait=max_wait, max_documents=max_documents, batch_size=batch_size)
    swagger = _swagger_assets()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        yield
        await batcher.stop()

    app = FastAPI(title="persnews", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Who holds which office in Persian news: PER/ROLE/ORG/LOC spans, person–role–"
                              "institution relations and the officials of each document.")
    app.add_middleware(_BodyLimit, limit=max_body_bytes)

    def check_sizes(texts: list[str]) -> None:
        if len(texts) > max_texts:
            raise InputTooLargeError("too_many_texts", f"{len(texts)} texts in one request; the limit is {max_texts}")
        for k, text in enumerate(texts):
            if len(text) > max_chars:
                raise InputTooLargeError("text_too_long", f"text {k} has {len(text)} characters; "
                                                          f"the limit is {max_chars}")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
        if any(p["type"] == "json_invalid" for p in problems):
            return _error(400, "invalid_json", "the request body is not valid JSON", problems)
        message = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems[:5])
        return _error(422, "invalid_request", message, problems)

    @app.exception_handler(InputTooLargeError)
    async def too_large(_: Request, error: InputTooLargeError) -> JSONResponse:
        return _error(413, error.code, str(error))

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, error: HTTPException) -> JSONResponse:
        return _error(error.status_code, _HTTP_CODES.get(error.status_code, "http_error"), str(error.detail))

    @app.exception_handler(Exception)
    async def internal_error(_: Request, error: Exception) -> JSONResponse:
        logger.error("request failed", exc_info=error)
        return _error(500, "internal_error", f"{type(error).__name__} while extracting; see the server log")

    @app.post("/extract", response_model=DocumentOut | DocumentsOut, responses=_ERRORS,
              summary="Extract entities, relations and officials")
    async def extract(request: ExtractRequest) -> JSONResponse:
        """`{"text": ...}` gives one document; `{"texts": [...]}` gives `{"documents": [...]}` in the same order."""
        texts = [request.text] if request.text is not None else list(request.texts or [])
        check_sizes(texts)
        documents = await batcher.extract(texts)
        if request.text is not None:
            return JSONResponse(documents[0].to_dict())
        return JSONResponse({"documents": [d.to_dict() for d in documents]})

    @app.get("/health", response_model=HealthOut, summary="Model, versions and readiness")
    async def health() -> HealthOut:
        stats = batcher.stats
        return HealthOut(ready=batcher.running, model=model_name, persnews_version=__version__, max_chars=max_chars,
                         batches=stats.batches, documents=stats.documents, largest_batch=stats.largest)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def form() -> HTMLResponse:
        return HTMLResponse(page())

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def form_result(request: Request) -> HTMLResponse:
        fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        text = fields.get("text", [""])[0]
        try:
            check_sizes([text])
        except InputTooLargeError as error:
            return HTMLResponse(page(text[:max_chars], message=str(error)), status_code=413)
        documents = await batcher.extract([text]) if text.strip() else []
        return HTMLResponse(page(text, documents, message="" if text.strip() else "متنی داده نشد."))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="persnews API",
                                   swagger_js_url="/docs/swagger-ui-bundle.js", swagger_css_url="/docs/swagger-ui.css",
                                   swagger_favicon_url="data:,")

    @app.get("/docs/{asset}", include_in_schema=False)
    async def docs_asset(asset: str) -> Response:
        if asset not in swagger:
            raise HTTPException(404, f"no docs asset {asset!r}")
        content, kind = swagger[asset]
        return Response(content, media_type=kind)

    return app


def serve(model: str | os.PathLike | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          precision: str | None = None, access_log: bool = True, **limits: Any) -> None:
    """Load ``model`` (default: the shipped one) and serve it until interrupted; ``limits`` go to :func:`create_app`.

    Binds to the loopback address unless told otherwise: the API has no authentication.
    """
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("persnews serve listens on %s: anyone who can reach it can use it (no authentication)", host)
    app = create_app(load(model, precision=precision), str(model or DEFAULT_MODEL), **limits)
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info")
