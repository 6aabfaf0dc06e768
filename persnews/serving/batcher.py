"""Requests that arrive together share one ``extract_many`` call, so many clients share the encoder.

Each request's texts wait in a queue; a single worker takes the first one,
gathers whatever else arrives within ``max_wait`` seconds (up to
``max_documents`` texts), runs one ``extract_many`` in a worker thread (the
event loop keeps answering meanwhile) and hands each request its own
documents back in order. While a batch runs, new requests queue up and form
the next batch, so under load batches grow without any added wait.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..document import Document
from ..pipeline import Extractor

logger = logging.getLogger(__name__)


@dataclass
class _Waiting:
    texts: list[str]
    future: asyncio.Future[list[Document]]


@dataclass
class BatchStats:
    """Counters for ``GET /health``: how much batching is happening."""

    batches: int = 0
    documents: int = 0
    largest: int = 0
    failures: int = 0

    def record(self, size: int) -> None:
        self.batches += 1
        self.documents += size
        self.largest = max(self.largest, size)


class MicroBatcher:
    """Groups concurrent :meth:`extract` calls into one :meth:`Extractor.extract_many` call."""

    def __init__(self, extractor: Extractor, max_wait: float = 0.005, max_documents: int = 64,
                 batch_size: int = 32):
        if max_wait < 0 or max_documents < 1 or batch_size < 1:
            raise ValueError("max_wait must be >= 0, max_documents and batch_size >= 1")
        self.extractor = extractor
        self.max_wait = max_wait
        self.max_documents = max_documents
        self.batch_size = batch_size
        self.stats = BatchStats()
        self._queue: asyncio.Queue[_Waiting] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._thread: ThreadPoolExecutor | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.done()

    async def start(self) -> None:
        """Start the worker (in the server's event loop); extraction runs in one thread beside it."""
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="persnews-extract")
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._run(), name="persnews-batcher")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._thread is not None:
            self._thread.shutdown(wait=True)

    async def extract(self, texts: list[str]) -> list[Document]:
        """The documents of ``texts``, in order, extracted together with other requests' texts."""
        if self._queue is None:
            raise RuntimeError("MicroBatcher.start() has not run")
        if not texts:
            return []
        waiting = _Waiting(texts, asyncio.get_running_loop().create_future())
        await self._queue.put(waiting)
        return await waiting.future

    async def _gather(self) -> list[_Waiting]:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        batch = [await self._queue.get()]
        size = len(batch[0].texts)
        deadline = loop.time() + self.max_wait
        while size < self.max_documents:
            if self._queue.empty():
                # Short sleeps, not wait_for(queue.get()): on Python 3.11 a timeout racing a get can drop the item.
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await asyncio.sleep(min(remaining, 0.001))
                continue
            waiting = self._queue.get_nowait()
            batch.append(waiting)
            size += len(waiting.texts)
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [w for w in await self._gather() if not w.future.done()]  # done: the client went away
            texts = [text for waiting in batch for text in waiting.texts]
            if not texts:
                continue
            try:
                documents = await loop.run_in_executor(self._thread, self._extract, texts)
            except Exception as error:  # every waiting request gets the error; the worker keeps serving
                logger.exception("extraction failed for a batch of %d texts", len(texts))
                self.stats.failures += 1
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(error)
                continue
            self.stats.record(len(texts))
            start = 0
            for waiting in batch:
                if not waiting.future.done():
                    waiting.future.set_result(documents[start:start + len(waiting.texts)])
                start += len(waiting.texts)

    def _extract(self, texts: list[str]) -> list[Document]:
        return self.extractor.extract_many(texts, batch_size=self.batch_size)
