"""A real HTTP server in a thread (uvicorn on a free loopback port) for the API and browser tests."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

import persnews


def needs_serve_extra() -> None:
    """Skip the calling test module unless the ``serve`` extra (and httpx, from ``dev``) is installed."""
    for module in ("fastapi", "fastapi_offline", "uvicorn", "httpx"):
        pytest.importorskip(module)


@contextmanager
def running(app: object) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="session")
def tiny_extractor(tiny_model: Path) -> persnews.Extractor:
    return persnews.load(tiny_model)
