"""Sliding-window limits kept in the database, so every app instance sees the same counts.

A key names what is limited ("account:ana@example.org", "nominate-address:1.2.3.4"); each
counted event is a row. Callers record and check inside their own unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from campaign.models import RateEvent


def record(s: Session, key: str, now: datetime) -> None:
    s.add(RateEvent(key=key, at=now))


def blocked_until(
    s: Session, key: str, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When ``key`` may act again if it already used ``limit`` events within ``window``."""
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


def purge(s: Session, older_than: datetime) -> None:
    s.exec(delete(RateEvent).where(RateEvent.at < older_than))
