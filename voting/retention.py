"""Verification records are kept only while a dispute about a round can still need them.

Vote codes, the attempts that sent or failed them, and the SMS messages that carried them are
purged once their round has been closed for ``retention`` (``ICON_VERIFICATION_RETENTION_DAYS``,
30 by default); ballots and their vote attempts (the fraud evidence) stay. Runs when a manager
closes a round and on the server's housekeeping schedule (web/housekeeping.py), so rounds that
closed on their own are caught too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db
from campaign.models import SmsMessage
from voting.models import Round, VoteAttempt, VoteCode

DEFAULT_RETENTION = timedelta(days=30)


def purge(engine: Engine, retention: timedelta = DEFAULT_RETENTION, now: datetime | None = None):
    """Deletes the verification records of rounds closed before ``now - retention``; returns
    how many rows went, by table."""
    limit = (now or db.utcnow()) - retention
    closed_at = func.coalesce(Round.closed_at, Round.closes_at)
    with db.session(engine) as s, s.begin():
        ended = s.exec(select(Round.id, closed_at).where(closed_at <= limit)).all()
        if not ended:
            return {}
        ids = [round_id for round_id, _ in ended]
        # Codes were sent while the round was open: messages up to its close are its own.
        last_close = max(at for _, at in ended)
        still_open = s.exec(select(func.min(Round.opens_at)).where(closed_at > limit)).first()
        until = min(last_close, still_open) if still_open is not None else last_close
        gone = {
            "votecode": s.exec(delete(VoteCode).where(col(VoteCode.round_id).in_(ids))).rowcount,
            "voteattempt": s.exec(
                delete(VoteAttempt).where(
                    col(VoteAttempt.round_id).in_(ids), VoteAttempt.kind != "vote"
                )
            ).rowcount,
            "smsmessage": s.exec(delete(SmsMessage).where(SmsMessage.created_at <= until)).rowcount,
        }
    return gone
