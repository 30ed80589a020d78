"""``/track``: a nomination's status from its code, and nothing personal.

A wrong code gets the same answer whether or not it ever existed; wrong guesses from one address
are limited, so codes cannot be enumerated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db, ratelimit
from nominations import intake
from nominations.models import Nomination, Status

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
    code = intake.clean_code(raw_code)
    query = select(Nomination.status, Nomination.created_at).where(Nomination.tracking_code == code)
    with db.session(engine) as s, s.begin():
        try:
            row = ratelimit.guarded_lookup(
                s,
                f"track-guess:{address}",
                db.utcnow(),
                lambda: s.exec(query).first() if code else None,
            )
        except ratelimit.Blocked:
            return TrackResult(found=False, limited=True)
    if row is None:
        return TrackResult(found=False)
    status, created_at = row
    return TrackResult(
        found=True, status=PUBLIC_STATUS.get(status, "received"), received_at=created_at
    )
