"""The micro-batcher: concurrent calls share extract_many calls, each gets its own documents, errors reach all."""

from __future__ import annotations

import asyncio

import pytest

import persnews

from .conftest import needs_serve_extra

needs_serve_extra()

from persnews.serving import MicroBatcher  # noqa: E402


class Recording(persnews.Extractor):
    """The tiny model, recording the texts of each extract_many call (and failing on the text "boom")."""

    def __init__(self, extractor: persnews.Extractor):
        super().__init__(extractor.tagger, extractor.relation_scorer)
        self.calls: list[list[str]] = []

    def extract_many(self, texts, batch_size=32, progress=False):  # type: ignore[no-untyped-def]
        texts = list(texts)
        self.calls.append(texts)
        if "boom" in texts:
            raise RuntimeError("boom")
        return super().extract_many(texts, batch_size=batch_size, progress=progress)


async def _with_batcher(batcher: MicroBatcher, requests: list[list[str]]) -> list[object]:
    await batcher.start()
    try:
        return await asyncio.gather(*(batcher.extract(texts) for texts in requests), return_exceptions=True)
    finally:
        await batcher.stop()


def test_concurrent_requests_become_one_call_in_order(tiny_extractor: persnews.Extractor) -> None:
    extractor = Recording(tiny_extractor)
    requests = [[f"علی {k}"] for k in range(10)] + [["تهران", "", "شیراز"]]
    results = asyncio.run(_with_batcher(MicroBatcher(extractor, max_wait=0.2), requests))
    assert [[d.text for d in documents] for documents in results] == requests
    assert len(extractor.calls) == 1 and sorted(extractor.calls[0]) == sorted(t for r in requests for t in r)


def test_batches_stop_at_max_documents(tiny_extractor: persnews.Extractor) -> None:
    extractor = Recording(tiny_extractor)
    batcher = MicroBatcher(extractor, max_wait=0.2, max_documents=4)
    results = asyncio.run(_with_batcher(batcher, [[f"علی {k}"] for k in range(10)]))
    assert [documents[0].text for documents in results] == [f"علی {k}" for k in range(10)]
    assert max(map(len, extractor.calls)) == 4 and len(extractor.calls) == 3
    assert (batcher.stats.batches, batcher.stats.documents, batcher.stats.largest) == (3, 10, 4)


def test_a_failed_batch_fails_its_requests_only(tiny_extractor: persnews.Extractor) -> None:
    extractor = Recording(tiny_extractor)
    batcher = MicroBatcher(extractor, max_wait=0.2)

    async def scenario() -> tuple[list[object], list[object]]:
        await batcher.start()
        try:
            failed = await asyncio.gather(batcher.extract(["boom"]), batcher.extract(["علی"]),
                                          return_exceptions=True)
            later = await asyncio.gather(batcher.extract(["علی"]))
            return failed, later
        finally:
            await batcher.stop()

    failed, later = asyncio.run(scenario())
    assert all(isinstance(outcome, RuntimeError) for outcome in failed)
    assert later[0][0].text == "علی" and batcher.stats.failures == 1


def test_bad_settings_and_unstarted_use_are_errors(tiny_extractor: persnews.Extractor) -> None:
    with pytest.raises(ValueError):
        MicroBatcher(tiny_extractor, max_documents=0)
    with pytest.raises(RuntimeError, match="start"):
        asyncio.run(MicroBatcher(tiny_extractor).extract(["x"]))
