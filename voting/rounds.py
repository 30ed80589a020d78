"""Voting rounds as they stand: a round's state (upcoming, open, closed), whether the public may
see its results, the managers' list and page of rounds, and what /vote says now.

Results are hidden from the public until the round closes (a manager closes it, or its closing
time passes) unless the round shows them live; managers always see them. Making and changing
rounds is in voting.round_changes, the count and results in voting.counting, fraud review in
voting.fraud_review, the exports in voting.exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from voting.models import Ballot, Candidate, Round
from voting.round_form import form_values

NO_ROUND = N_("No such round.")


def state(r: Round, now: datetime | None = None) -> str:
    """upcoming, open or closed (by a manager, or its closing time passed)."""
    now = now or db.utcnow()
    if r.closed_at is not None or now >= r.closes_at:
        return "closed"
    return "open" if now >= r.opens_at else "upcoming"


def shown(r: Round, now: datetime | None = None) -> bool:
    """Whether the public may see the round's results now."""
    return r.results_live or state(r, now) == "closed"


def load_campaign(s: Session, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    return campaign


def load_round(s: Session, round_id: int) -> Round:
    r = s.get(Round, round_id)
    if r is None:
        raise NotFound(NO_ROUND)
    return r


def load_candidates(s: Session, round_id: int) -> list[Candidate]:
    query = select(Candidate).where(Candidate.round_id == round_id).order_by(Candidate.number)
    return list(s.exec(query))


@dataclass(frozen=True)
class RoundLine:
    round: Round
    state: str
    candidates: int
    counted: int  # votes not void


def rounds(engine: Engine, campaign_id: int) -> list[RoundLine]:
    """The campaign's rounds, latest first, in three queries."""
    with db.session(engine) as s:
        found = list(
            s.exec(
                select(Round)
                .where(Round.campaign_id == campaign_id)
                .order_by(col(Round.opens_at).desc(), col(Round.id).desc())
            )
        )
        ids = [r.id for r in found]
        sizes = dict(
            s.exec(
                select(Candidate.round_id, func.count())
                .where(col(Candidate.round_id).in_(ids))
                .group_by(Candidate.round_id)
            ).all()
        )
        counted = dict(
            s.exec(
                select(Ballot.round_id, func.count())
                .where(col(Ballot.round_id).in_(ids), col(Ballot.void).is_(False))
                .group_by(Ballot.round_id)
            ).all()
        )
    now = db.utcnow()
    return [RoundLine(r, state(r, now), sizes.get(r.id, 0), counted.get(r.id, 0)) for r in found]


@dataclass(frozen=True)
class RoundDetail:
    round: Round
    state: str
    candidates: list[Candidate]
    timezone: str
    form: dict[str, str]  # the settings as the form shows them


def detail(engine: Engine, round_id: int) -> RoundDetail:
    with db.session(engine) as s:
        r = load_round(s, round_id)
        tz = load_campaign(s, r.campaign_id).timezone
        candidates = load_candidates(s, round_id)
    return RoundDetail(r, state(r), candidates, tz, form_values(r, tz))


@dataclass(frozen=True)
class VoteNow:
    """What /vote and /results show at this instant, for pages that only mention it."""

    open_until: datetime | None  # a round is open now, until then
    next_opens_at: datetime | None  # the next round not yet open
    published: bool  # some round's results are public


def vote_now(engine: Engine, campaign_id: int, now: datetime | None = None) -> VoteNow:
    """One query over the campaign's rounds: the home page says what /vote says, whatever the
    phase dates claim (a manager may open a round late, or early)."""
    now = now or db.utcnow()
    with db.session(engine) as s:
        found = list(s.exec(select(Round).where(Round.campaign_id == campaign_id)))
    opened = [r for r in found if state(r, now) == "open"]
    upcoming = [r.opens_at for r in found if state(r, now) == "upcoming"]
    return VoteNow(
        max(r.closes_at for r in opened) if opened else None,
        min(upcoming) if upcoming else None,
        any(shown(r, now) and r.opens_at <= now for r in found),
    )
