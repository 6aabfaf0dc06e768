"""The HTTP API through an HTTP client: shapes, order, typed errors, batching, the CLI's server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import persnews

from .conftest import needs_serve_extra, running

needs_serve_extra()

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from persnews.serving import create_app  # noqa: E402

TEXTS = ["علی رضایی، معاون فنی شهرداری شیراز گفت", "", "سخنگوی شورا در تهران گفت", "و"]


class FailsOnBoom(persnews.Extractor):
    """The tiny model, except that a batch holding the text "boom" fails (to reach the 500 path)."""

    def extract_many(self, texts, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        texts = list(texts)
        if "boom" in texts:
            raise RuntimeError("secret internal detail")
        return super().extract_many(texts, batch_size=batch_size, progress=progress)


@pytest.fixture(scope="module")
def client(tiny_extractor: persnews.Extractor) -> TestClient:
    app = create_app(FailsOnBoom(tiny_extractor.tagger, tiny_extractor.relation_scorer), "tiny", max_chars=100,
                     max_texts=8, max_body_bytes=4096)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_one_text_gives_the_document_in_the_guidelines_shape(client: TestClient,
                                                             tiny_extractor: persnews.Extractor) -> None:
    response = client.post("/extract", json={"text": TEXTS[0]})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body == tiny_extractor.extract(TEXTS[0]).to_dict()
    assert set(body) == {"id", "text", "entities", "relations", "officials"}
    for entity in body["entities"]:
        assert body["text"][entity["start"]:entity["end"]] == entity["text"]


def test_many_texts_give_documents_in_order(client: TestClient, tiny_extractor: persnews.Extractor) -> None:
    response = client.post("/extract", json={"texts": TEXTS})
    assert response.status_code == 200
    assert response.json() == {"documents": [d.to_dict() for d in tiny_extractor.extract_many(TEXTS)]}
    assert client.post("/extract", json={"texts": []}).json() == {"documents": []}


@pytest.mark.parametrize("payload, status, error", [
    ({"text": 5}, 422, "invalid_request"),
    ({"text": None}, 422, "invalid_request"),
    ({"texts": "not a list"}, 422, "invalid_request"),
    ({"texts": ["ok", 3]}, 422, "invalid_request"),
    ({"text": "a", "texts": ["b"]}, 422, "invalid_request"),
    ({}, 422, "invalid_request"),
    ({"text": "a", "lang": "fa"}, 422, "invalid_request"),
    (["a"], 422, "invalid_request"),
    ({"text": "x" * 101}, 413, "text_too_long"),
    ({"texts": ["ok", "x" * 101]}, 413, "text_too_long"),
    ({"texts": ["a"] * 9}, 413, "too_many_texts"),
    ({"text": "x" * 5000}, 413, "request_too_large"),
])
def test_bad_requests_get_typed_json_errors_and_the_server_keeps_serving(client: TestClient, payload: object,
                                                                         status: int, error: str) -> None:
    response = client.post("/extract", json=payload)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["message"]
    assert client.post("/extract", json={"text": "علی"}).status_code == 200


def test_invalid_json_is_400_and_a_form_body_is_422(client: TestClient) -> None:
    response = client.post("/extract", content=b'{"text": ', headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_json"
    response = client.post("/extract", content=b"\xff\xfe", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert client.post("/extract", data={"text": "a"}).status_code == 422


def test_an_extraction_failure_is_a_500_without_internals_and_others_are_served(client: TestClient) -> None:
    response = client.post("/extract", json={"texts": ["boom"]})
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error" and "secret" not in response.text
    assert "Traceback" not in response.text
    assert client.post("/extract", json={"text": "علی"}).status_code == 200


def test_unknown_routes_and_methods_are_json_errors(client: TestClient) -> None:
    assert client.get("/nowhere").json()["error"] == "not_found"
    response = client.get("/extract")
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"
    assert client.get("/docs/../../etc/passwd").status_code == 404
    assert client.get("/docs/setup.py").status_code == 404


def test_health_says_model_version_and_ready(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["ready"] is True and body["model"] == "tiny" and body["persnews_version"] == persnews.__version__
    assert body["max_chars"] == 100 and body["documents"] >= body["batches"] >= 1


def test_openapi_docs_need_no_network(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    extract = schema["paths"]["/extract"]["post"]
    assert {"200", "400", "413", "422"} <= set(extract["responses"])
    assert {"text", "texts"} <= set(schema["components"]["schemas"]["ExtractRequest"]["properties"])
    docs = client.get("/docs").text
    assert "/docs/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    script = client.get("/docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text


def test_concurrent_requests_share_extract_many_calls(tiny_extractor: persnews.Extractor) -> None:
    """24 clients at once over real HTTP: each gets its own document, in far fewer batches than requests."""
    texts = [f"علی رضایی {k} گفت" for k in range(24)]
    app = create_app(tiny_extractor, "tiny", max_wait=0.05)

    async def clients(url: str) -> list[dict]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            responses = await asyncio.gather(*(http.post("/extract", json={"text": t}) for t in texts))
        return [r.json() for r in responses]

    with running(app) as url:
        documents = asyncio.run(clients(url))
        health = httpx.get(f"{url}/health").json()
    assert [d["text"] for d in documents] == texts
    assert documents == [d.to_dict() for d in tiny_extractor.extract_many(texts)]
    assert health["documents"] == 24 and health["batches"] < 24 and health["largest_batch"] > 1


def test_cli_serve_binds_loopback_and_answers(tiny_model: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(persnews.__file__).parent.parent)}
    server = subprocess.Popen([sys.executable, "-m", "persnews.cli", "serve", "--model", str(tiny_model), "--port",
                               str(port), "--no-access-log"], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "persnews serve did not start"
                time.sleep(0.3)
        assert health.json()["model"] == str(tiny_model)
        document = httpx.post(f"http://127.0.0.1:{port}/extract", json={"text": "علی رضایی گفت"}).json()
        assert document["text"] == "علی رضایی گفت"
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in log and "Traceback" not in log
