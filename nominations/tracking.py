"""``/track``: a nomination's status from its code, and nothing personal.

A wrong code gets the same answer whether or not it ever existed; wrong guesses from one address
are limited, so codes cannot be enumerated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db, ratelimit
from nominations import intake
from nominations.models import Nomination, Status

GUESS_LIMIT, GUESS_WINDOW = 20, timedelta(minutes=15)

PUBLIC_STATUS = {
    Status.received: "received",
    Status.to_complete: "received",
    Status.eligible: "under_review",
    Status.ineligible: "not_retained",
    Status.spam: "not_retained",
}


@dataclass(frozen=True)
class TrackResult:
    found: bool
    status: str = ""  # received | under_review | shortlisted | not_retained
    received_at: datetime | None = None
    limited: bool = False


def lookup(engine: Engine, raw_code: str, address: str) -> TrackResult:
    code, key, now = intake.clean_code(raw_code), f"track-guess:{address}", db.utcnow()
    with db.session(engine) as s, s.begin():
        if ratelimit.blocked_until(s, key, GUESS_LIMIT, GUESS_WINDOW, now) is not None:
            return TrackResult(found=False, limited=True)
        row = None
        if code:
            row = s.exec(
                select(Nomination.status, Nomination.created_at).where(
                    Nomination.tracking_code == code
                )
            ).first()
        if row is None:
            ratelimit.record(s, key, now)
            return TrackResult(found=False)
    status, created_at = row
    return TrackResult(
        found=True, status=PUBLIC_STATUS.get(status, "received"), received_at=created_at
    )
