"""Sliding-window limits kept in the database, so every app instance sees the same counts.

A key names what is limited ("account:ana@example.org", "nominate-address:1.2.3.4"); each
counted event is a row. Callers check and record inside their own unit of work, and the check
locks the key until that unit commits: two app processes on PostgreSQL cannot both pass a check
before either records (a transaction-scoped advisory lock on the key; SQLite's transactions
already take the write lock first, BEGIN IMMEDIATE). Take keys in one fixed order per caller.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, delete, text
from sqlmodel import Session, select

from campaign import db
from campaign.models import RateEvent

T = TypeVar("T")
# Events are kept this long, then purged (web/housekeeping.py): every window a limit counts
# must fit in it (the longest is a phone's nominations per day; tests/web/test_housekeeping.py
# checks each), so a purge never forgets an event a current window still counts.
KEPT = timedelta(days=2)
PURGE_BATCH = 1000  # some 30 ms of SQLite write lock each (100,000 old events: 2.7 s in all)


def record(s: Session, key: str, now: datetime) -> None:
    s.add(RateEvent(key=key, at=now))


def lock(s: Session | Connection, *keys: str) -> None:
    """Holds ``keys`` until the session's transaction ends (PostgreSQL; SQLite holds the whole
    database already). Sorted: two callers locking the same keys never wait on each other."""
    dialect = s.get_bind().dialect if isinstance(s, Session) else s.dialect
    if dialect.name != "postgresql" or not keys:
        return
    s.execute(
        text(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
            "FROM unnest(CAST(:keys AS text[])) k"
        ),
        {"keys": sorted(set(keys))},
    )


def blocked_until(
    s: Session, key: str, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When ``key`` may act again if it already used ``limit`` events within ``window``.
    Locks the key until the caller's unit of work ends, so its check and record are one."""
    lock(s, key)
    recent = s.exec(
        select(RateEvent.at)
        .where(RateEvent.key == key, RateEvent.at > now - window)
        .order_by(RateEvent.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return recent[-1] + window


def clear(s: Session, key: str) -> None:
    s.exec(delete(RateEvent).where(RateEvent.key == key))


def purge(s: Session, older_than: datetime, batch: int = PURGE_BATCH) -> int:
    """Deletes up to ``batch`` events from before ``older_than``; returns how many went. The
    caller repeats in fresh transactions while a full batch went, so the write lock (the whole
    database, on SQLite) is held for one short batch at a time, never for a day's events."""
    return db.delete_oldest(s, RateEvent, RateEvent.at, older_than, batch)


# Lookups by a secret code (a tracking code, a vote receipt): wrong guesses are counted per
# address so codes cannot be enumerated, while a person mistyping a few times is not blocked.
GUESS_LIMIT, GUESS_WINDOW = 20, timedelta(minutes=15)


class Blocked(Exception):
    """Too many wrong guesses from this address: try later."""


def guarded_lookup(s: Session, key: str, now: datetime, lookup: Callable[[], T | None]) -> T | None:
    """``lookup()`` unless ``key`` made too many wrong guesses (raises Blocked); a miss counts
    as one more wrong guess."""
    if blocked_until(s, key, GUESS_LIMIT, GUESS_WINDOW, now) is not None:
        raise Blocked(key)
    found = lookup()
    if found is None:
        record(s, key, now)
    return found
