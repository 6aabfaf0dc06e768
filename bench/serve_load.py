"""Load on ``persnews serve``: documents/s, p50/p99 latency and errors at 1, 8 and 32 concurrent clients.

Starts ``persnews serve`` on a free loopback port, sends real Fars News
articles (``../shared/corpora/news-raw``: the first ``--articles`` of them,
title and paragraphs) one per ``POST /extract`` request from N concurrent
clients, and compares with ``extract_many`` over the same articles in this
process, measured before and after the server runs (on a shared machine the
two brackets show its drift). The server's RSS is sampled as
the requests go on, up to ``--requests`` in all, to show whether memory grows.

    python bench/serve_load.py [--model NAME] [--articles 300] [--clients 1 8 32] [--requests 2000]

Only loopback addresses are used; every loop is bounded by a request count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import psutil

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from persnews.data.corpora import corpora_root  # noqa: E402
from persnews.pipeline import DEFAULT_MODEL, load  # noqa: E402


def articles(count: int) -> list[str]:
    """The first ``count`` Fars News articles of news-raw, each its title and paragraphs."""
    found = []
    for path in sorted((corpora_root() / "news-raw").glob("fars-news-*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            text = "\n".join(p for p in [item.get("title"), *item.get("paragraphs", [])] if p)
            if text.strip() and len(found) < count:
                found.append(text)
    return found


def extract_many_rate(model: str, texts: list[str]) -> float:
    """Documents/s of ``extract_many`` over ``texts`` (after a warm-up call), in this process."""
    extractor = load(model)
    extractor.extract_many(texts[:4])
    started = time.perf_counter()
    extractor.extract_many(texts)
    return len(texts) / (time.perf_counter() - started)


def start_server(model: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "persnews.cli", "serve", "--model", model, "--port", str(port),
                               "--no-access-log"], env={**os.environ, "PYTHONPATH": str(BENCH.parent)})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).json()["ready"]:
                return server, url
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("persnews serve did not come up")


async def drive(url: str, texts: list[str], clients: int, count: int) -> dict:
    """``count`` requests (cycling through ``texts``) from ``clients`` concurrent clients."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for k in range(count):
        queue.put_nowait(texts[k % len(texts)])
    latencies: list[float] = []
    errors: list[str] = []

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            text = queue.get_nowait()
            started = time.perf_counter()
            try:
                response = await http.post("/extract", json={"text": text})
                if response.status_code != 200 or response.json()["text"] != text:
                    errors.append(f"HTTP {response.status_code}")
            except httpx.HTTPError as error:
                errors.append(type(error).__name__)
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {"clients": clients, "requests": count, "seconds": round(seconds, 1),
            "docs_per_s": round(count / seconds, 2), "p50_s": round(statistics.median(latencies), 3),
            "p99_s": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 3),
            "errors": len(errors), "error_kinds": sorted(set(errors))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help="shipped model name or folder")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--requests", type=int, default=2000, help="requests in all, for the memory check")
    parser.add_argument("--output", help="also append the results as one JSON line to this file")
    args = parser.parse_args()
    texts = articles(args.articles)
    baseline_before = extract_many_rate(args.model, texts)
    print(f"extract_many: {baseline_before:.2f} docs/s", flush=True)
    server, url = start_server(args.model)
    process = psutil.Process(server.pid)
    try:
        asyncio.run(drive(url, texts, 4, 8))  # warm-up
        rss = [(8, process.memory_info().rss)]
        phases = []
        for clients in args.clients:
            phases.append(asyncio.run(drive(url, texts, clients, len(texts))))
            rss.append((rss[-1][0] + len(texts), process.memory_info().rss))
            print(json.dumps(phases[-1] | {"server_rss_mib": round(rss[-1][1] / 2**20)}), flush=True)
        soak_errors = 0
        while rss[-1][0] < args.requests:  # the rest of the requests, sampling memory every 250
            step = min(250, args.requests - rss[-1][0])
            soak_errors += asyncio.run(drive(url, texts, max(args.clients), step))["errors"]
            rss.append((rss[-1][0] + step, process.memory_info().rss))
            print(f"{rss[-1][0]} requests: server RSS {rss[-1][1] / 2**20:.0f} MiB, {soak_errors} errors", flush=True)
        health = httpx.get(f"{url}/health").json()
    finally:
        server.terminate()
        server.wait(60)
    baseline_after = extract_many_rate(args.model, texts)
    baseline = (baseline_before + baseline_after) / 2
    mib = [(n, round(r / 2**20)) for n, r in rss]
    result = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "model": args.model,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores", "articles": len(texts),
              "mean_chars": round(sum(map(len, texts)) / len(texts)),
              "extract_many_docs_per_s": [round(baseline_before, 2), round(baseline_after, 2)],
              "phases": [p | {"vs_extract_many": round(p["docs_per_s"] / baseline, 2)} for p in phases],
              "server_rss_mib_by_requests": mib, "soak_errors": soak_errors, "batches": health["batches"],
              "documents": health["documents"]}
    print(json.dumps(result, ensure_ascii=False))
    print(f"\n| clients | docs/s | vs extract_many | p50 s | p99 s | errors |\n|---:|---:|---:|---:|---:|---:|")
    for p in result["phases"]:
        print(f"| {p['clients']} | {p['docs_per_s']} | {p['vs_extract_many']:.0%} | {p['p50_s']} | {p['p99_s']} | "
              f"{p['errors']} |")
    print(f"\nextract_many {baseline_before:.2f} / {baseline_after:.2f} docs/s (before / after); server RSS MiB by "
          f"requests: {mib}; {health['documents']} documents in {health['batches']} batches")
    if args.output:
        with open(args.output, "a", encoding="utf-8") as out:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
