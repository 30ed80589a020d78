"""Counting a round: the live count per candidate and channel with the last hour per minute, and
the blended result (voting.tally) for managers, and for the public once it may be shown."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import db
from voting import tally
from voting.models import Ballot, Round
from voting.rounds import load_campaign, load_candidates, load_round, shown, state

LIVE_WINDOW = timedelta(minutes=60)


@dataclass(frozen=True)
class LiveRow:
    number: int
    name: str
    web: int
    sms: int
    total: int
    void: int


@dataclass(frozen=True)
class LiveCount:
    round_id: int
    rows: list[LiveRow]
    web: int
    sms: int
    total: int
    void: int
    buckets: list[tally.Bucket]  # the last hour, per minute
    at: datetime
    peak: int = field(default=0)  # the busiest bucket, for the chart's scale


def per_candidate(s: Session, round_id: int) -> dict[int, dict[str, int]]:
    """Candidate id -> {"web", "sms", "void"}: one GROUP BY query."""
    rows = s.exec(
        select(Ballot.candidate_id, Ballot.channel, Ballot.void, func.count())
        .where(Ballot.round_id == round_id)
        .group_by(Ballot.candidate_id, Ballot.channel, Ballot.void)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for candidate_id, channel, void, n in rows:
        tally_of = counts.setdefault(candidate_id, {"web": 0, "sms": 0, "void": 0})
        tally_of["void" if void else channel] += n
    return counts


def live_count(engine: Engine, round_id: int) -> LiveCount:
    """Votes per candidate and channel, and the last hour per minute: four queries."""
    now = db.utcnow()
    start = now - LIVE_WINDOW
    with db.session(engine) as s:
        load_round(s, round_id)
        candidates = load_candidates(s, round_id)
        counts = per_candidate(s, round_id)
        recent = s.exec(
            select(Ballot.channel, Ballot.at).where(
                Ballot.round_id == round_id, col(Ballot.void).is_(False), Ballot.at >= start
            )
        ).all()
    rows = []
    for c in candidates:
        n = counts.get(c.id, {"web": 0, "sms": 0, "void": 0})
        rows.append(LiveRow(c.number, c.name, n["web"], n["sms"], n["web"] + n["sms"], n["void"]))
    votes = (tally.Vote(0, channel, False, at) for channel, at in recent)
    buckets = tally.per_minute(votes, start, now)
    web, sms = sum(r.web for r in rows), sum(r.sms for r in rows)
    return LiveCount(
        round_id=round_id,
        rows=rows,
        web=web,
        sms=sms,
        total=web + sms,
        void=sum(r.void for r in rows),
        buckets=buckets,
        at=now,
        peak=max((b.web + b.sms for b in buckets), default=0),
    )


def result_of(s: Session, r: Round) -> tally.Result:
    candidates = load_candidates(s, r.id)
    counts = per_candidate(s, r.id)
    at = r.opens_at
    votes = []
    for c in candidates:
        n = counts.get(c.id, {})
        # The tally needs votes, not rows: repeat one per count instead of reading every ballot.
        votes.append(itertools.repeat(tally.Vote(c.number, "web", False, at), n.get("web", 0)))
        votes.append(itertools.repeat(tally.Vote(c.number, "sms", False, at), n.get("sms", 0)))
        votes.append(itertools.repeat(tally.Vote(c.number, "web", True, at), n.get("void", 0)))
    return tally.tally(
        [tally.Candidate(c.number, c.nominee_id, c.name) for c in candidates],
        itertools.chain.from_iterable(votes),
        tally.Weights(r.weight_jury, r.weight_web, r.weight_sms),
        {c.number: c.jury_score for c in candidates if c.jury_score is not None},
        r.seats,
        r.alternates,
    )


def results(engine: Engine, round_id: int, *, manager: bool = False) -> tally.Result | None:
    """The round's blended result; None for the public while it is hidden."""
    with db.session(engine) as s:
        r = load_round(s, round_id)
        if not manager and not shown(r):
            return None
        return result_of(s, r)


@dataclass(frozen=True)
class PublicResults:
    round: Round
    result: tally.Result | None  # None: hidden until the close
    final: bool  # closed: the seats and alternates are decided
    timezone: str


def public_results(engine: Engine, campaign_id: int) -> PublicResults | None:
    """For /results: the latest round whose results may be shown, else the latest round (its
    results hidden), else None."""
    with db.session(engine) as s:
        campaign = load_campaign(s, campaign_id)
        found = list(
            s.exec(
                select(Round)
                .where(Round.campaign_id == campaign_id, Round.opens_at <= db.utcnow())
                .order_by(col(Round.opens_at).desc(), col(Round.id).desc())
            )
        )
        if not found:
            return None
        visible = next((r for r in found if shown(r)), None)
        r = visible or found[0]
        result = result_of(s, r) if visible else None
    return PublicResults(r, result, state(r) == "closed", campaign.timezone)
