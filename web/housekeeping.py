"""What the server clears out by itself, so no cron job has to be remembered.

Every ``ICON_HOUSEKEEPING_MINUTES`` (10 by default) a pass deletes the rate-limit events older
than ``campaign.ratelimit.KEPT`` (longer than any window a limit counts), the stored replies to
inbound SMS older than ``ICON_INBOUND_SMS_RETENTION_DAYS`` (30 by default; only a gateway's
retry reads them, hours later at most) and the verification records of the rounds closed for
longer than the retention (``voting.retention``). Nothing a current rate window, a gateway's
retry or a round still open or in its retention needs is touched.

Several app processes on PostgreSQL each run the schedule, and one pass runs at a time: a pass
takes a session-level advisory lock with ``pg_try_advisory_lock``, and a process that finds it
held skips its turn rather than waiting. SQLite serves one process and needs no lock.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from campaign import db, ratelimit, sms_inbound
from voting import retention as voting_retention

log = logging.getLogger("icon")
DEFAULT_MINUTES = 10
LOCK = "SELECT pg_try_advisory_lock(hashtextextended('icon:housekeeping', 0))"
UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('icon:housekeeping', 0))"


@contextmanager
def _one_pass_at_a_time(engine: Engine):
    """Yields whether this process may run the pass (always, on SQLite)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    # Autocommit: the lock belongs to the connection, which waits idle, not in a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        took = bool(conn.execute(text(LOCK)).scalar())
        try:
            yield took
        finally:
            if took:
                conn.execute(text(UNLOCK))


class Housekeeping:
    def __init__(
        self,
        engine: Engine,
        retention: timedelta,
        every_seconds: float,
        replies_kept: timedelta = sms_inbound.REPLIES_KEPT,
    ) -> None:
        self.engine, self.retention, self.every = engine, retention, every_seconds
        self.replies_kept = replies_kept
        self._task: asyncio.Task | None = None

    def _in_batches(self, purge, older_than: datetime, batch: int) -> int:
        """Runs ``purge`` in fresh transactions while a full batch went; how many rows in all."""
        total = 0
        while True:
            with db.session(self.engine) as s, s.begin():
                gone = purge(s, older_than, batch)
            total += gone
            if gone < batch:
                return total

    def tick(self, now: datetime | None = None) -> dict[str, int] | None:
        """One pass: how many rows went, by table; None if another process is running one."""
        now = now or db.utcnow()
        with _one_pass_at_a_time(self.engine) as mine:
            if not mine:
                return None
            events = self._in_batches(ratelimit.purge, now - ratelimit.KEPT, ratelimit.PURGE_BATCH)
            replies = self._in_batches(
                sms_inbound.purge, now - self.replies_kept, sms_inbound.PURGE_BATCH
            )
            return {
                "rateevent": events,
                "inboundsms": replies,
                **voting_retention.purge(self.engine, self.retention, now),
            }

    async def _run(self) -> None:
        while True:
            # A while after the start, then on schedule: the start itself stays quick and quiet.
            await asyncio.sleep(self.every)
            try:
                await run_in_threadpool(self.tick)
            except Exception:  # noqa: BLE001 - the next pass tries again; serving goes on
                log.exception("housekeeping failed")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
