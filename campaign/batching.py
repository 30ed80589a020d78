"""Group commit: one thread writes queued work in batches, one transaction per batch.

On voting night thousands of votes arrive within minutes. Writing each in its own transaction
costs a transaction, a dozen statements and a thread hand-off per vote; SQLite has one writer
anyway. Here requests queue their work and await a future; a single thread takes whatever is
queued (up to ``max_batch``), processes it in one unit of work and resolves every future only
after that unit committed, so an acknowledgement still means "committed".

A batch whose database connection was lost is written again on a new one (the batch function
must be safe to repeat: see ``db.retrying``); a batch that fails otherwise is retried one item at
a time, so one bad item fails alone.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from campaign import db, metrics

log = logging.getLogger("icon.batching")

# Processes a batch in one transaction; returns one result per item, in order.
BatchFunction = Callable[[Sequence[Any]], list[Any]]
_STOP = object()
IDLE_SECONDS = 5.0
# How long a batch under load waits for company: a few more milliseconds of latency for a commit
# shared by many more votes (at batch 11 a vote cost 134 us of CPU, at 32 69 us, at 256 44 us).
LINGER_SECONDS = 0.002
# The linger sleeps in steps rather than waking for every item that joins: each wake takes the
# GIL from the event loop just when it is parsing the requests that fill the batch.
LINGER_STEP = 0.0005
# Not the GIL switch interval: at 0.5 ms instead of CPython's 5 the writer took the GIL back
# while the loop was still parsing the requests that fill a batch, so batches halved (16 at 32
# connections), a vote cost ~25% more CPU and the throughput was 0.7x (3 pairs of runs).


class BatchWriter:
    def __init__(
        self,
        process: BatchFunction,
        *,
        max_batch: int = 256,
        name: str = "batch",
        linger: float = LINGER_SECONDS,
    ):
        self.process, self.max_batch, self.name = process, max_batch, name
        self.linger = linger
        self._loaded = False  # the last batch held more than one item
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = self.items = 0  # for the benchmark's report
        self._sizes = metrics.BATCH_ITEMS.labels(name)
        self._seconds = metrics.BATCH_SECONDS.labels(name)

    async def submit(self, item: Any) -> Any:
        """The item's result once its batch committed (or the exception it raised alone)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            self._queue.put((item, future, loop))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        with self._lock:
            thread = self._thread
            if thread is not None:
                # Addressed to this thread: a token left over (a close that timed out) must not
                # stop a later thread.
                self._queue.put((_STOP, thread))
        if thread is not None:
            thread.join(timeout)

    def _next(self) -> Any:
        """The next entry; after a quiet spell the thread ends (a later submit starts another),
        so an idle app holds no thread."""
        while True:
            try:
                return self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return None

    def _run(self) -> None:
        me = threading.current_thread()
        try:
            while (first := self._next()) is not None:
                if first[0] is _STOP:
                    if first[1] is me:
                        return
                    continue
                batch, stop = [first], False
                # Under load (the last batch was not alone) wait a little for more: a batch of
                # a dozen pays its commit for a dozen; a lone vote at a quiet hour never waits.
                until = time.monotonic() + (self.linger if self._loaded else 0.0)
                while len(batch) < self.max_batch and not stop:
                    try:
                        entry = self._queue.get(block=False)
                    except queue.Empty:
                        wait = until - time.monotonic()
                        if wait <= 0:
                            break
                        time.sleep(min(wait, LINGER_STEP))
                        continue
                    if entry[0] is not _STOP:
                        batch.append(entry)
                    stop = entry[0] is _STOP and entry[1] is me
                self._loaded = len(batch) > 1
                self._write(batch)
                if stop:
                    return
        finally:
            with self._lock:
                if self._thread is me:
                    self._thread = None
                    if not self._queue.empty():  # ended abnormally: another takes over
                        self._thread = threading.Thread(
                            target=self._run, name=self.name, daemon=True
                        )
                        self._thread.start()

    def _write(self, batch: list) -> None:
        started = time.perf_counter()
        items = [item for item, _future, _loop in batch]
        try:
            outcomes = [(True, result) for result in self._process(items)]
        except Exception as exc:  # noqa: BLE001 - retried one by one, so one bad item fails alone
            if len(items) == 1:
                log.exception("%s: an item failed", self.name)
                outcomes = [(False, exc)]
            else:
                outcomes = [self._alone(item) for item in items]
        self.batches += 1
        self.items += len(batch)
        self._sizes.observe(len(batch))
        self._seconds.observe(time.perf_counter() - started)
        # One wake-up per event loop for the whole batch, not one per item.
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for (_item, future, loop), (ok, value) in zip(batch, outcomes, strict=True):
            by_loop.setdefault(loop, []).append((future, ok, value))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle_all, settled)
            except RuntimeError:  # that event loop is gone; the work stands
                continue

    def _process(self, items: list) -> list:
        results = db.retrying(self.process, items)
        if len(results) != len(items):
            raise RuntimeError(f"{self.name}: {len(results)} results for {len(items)} items")
        return results

    def _alone(self, item: Any) -> tuple[bool, Any]:
        try:
            return True, self._process([item])[0]
        except Exception as exc:  # noqa: BLE001 - handed to the waiting request
            log.exception("%s: an item failed", self.name)
            return False, exc


def _settle_all(settled: list[tuple[asyncio.Future, bool, Any]]) -> None:
    for future, ok, value in settled:
        if future.done():  # the request was cancelled (client gone); the work stands
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
