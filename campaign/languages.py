"""The interface languages the current edition offers, read for every page: kept for a short
while in each process, and forgotten at once by the process that changes a campaign."""

from __future__ import annotations

import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from campaign import db
from campaign.models import Campaign

# Every page asks which languages the edition offers; the answer changes a few times a year. The
# process that changes a campaign forgets its copy at commit (below); another process (a second
# worker, the command line) may show the old languages for up to this long: a short TTL rather
# than a version check, which would still cost a query per page.
LANGUAGES_TTL = 2.0
_languages: weakref.WeakKeyDictionary[Engine, tuple[float, list[str]]] = weakref.WeakKeyDictionary()


def known_interface_languages(engine: Engine) -> list[str] | None:
    """The cached answer of ``interface_languages`` if fresh, else None; no database access (so
    safe on the event loop)."""
    found = _languages.get(engine)
    if found is None or found[0] <= time.monotonic():
        return None
    return list(found[1])


@db.retry_on_disconnect  # read for every page
def interface_languages(engine: Engine) -> list[str]:
    """The interface languages the current edition offers ([] without one: all of them)."""
    read_at = time.monotonic()
    with db.session(engine) as s:
        found = s.exec(
            select(Campaign.interface_languages)
            .order_by(Campaign.year.desc(), Campaign.id.desc())
            .limit(1)
        ).first()
    codes = list(found or [])
    # A commit that changed a campaign while we read clears the cache after our read began:
    # keep what we read only if nothing was forgotten since.
    if _forgotten_at <= read_at:
        _languages[engine] = (read_at + LANGUAGES_TTL, codes)
    return list(codes)


_forgotten_at = 0.0


@event.listens_for(OrmSession, "after_flush")
def _note_campaign_change(session: OrmSession, _context) -> None:
    if any(isinstance(o, Campaign) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info["campaign_changed"] = True


@event.listens_for(OrmSession, "after_commit")
def _forget_languages(session: OrmSession) -> None:
    global _forgotten_at
    if session.info.pop("campaign_changed", False):
        _forgotten_at = time.monotonic()
        _languages.clear()


@event.listens_for(OrmSession, "after_rollback")
def _keep_languages(session: OrmSession) -> None:
    session.info.pop("campaign_changed", None)
