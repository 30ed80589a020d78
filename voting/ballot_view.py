"""What /vote shows: the open round and its candidates, or when voting opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db
from campaign.models import Campaign
from nominations import jury_view
from voting.ballot_box import open_round
from voting.models import Candidate, Round


@dataclass(frozen=True)
class CandidateView:
    number: int
    name: str
    position: str
    institution: str
    region: str

    @property
    def initial(self) -> str:
        return (self.name.strip()[:1] or "?").upper()


@dataclass(frozen=True)
class BallotView:
    """What /vote shows: the open round and its candidates, or when voting opens."""

    round_id: int | None
    title: str
    closes_at: datetime | None
    candidates: list[CandidateView]
    web_enabled: bool = True
    sms_enabled: bool = True
    next_opens_at: datetime | None = None


def ballot_view(engine: Engine, campaign: Campaign) -> BallotView:
    with db.session(engine) as s:
        r = open_round(s, campaign)
        if r is None:
            upcoming = s.exec(
                select(Round.opens_at)
                .where(Round.campaign_id == campaign.id, Round.opens_at > db.utcnow())
                .where(col(Round.closed_at).is_(None))
                .order_by(Round.opens_at)
            ).first()
            return BallotView(None, "", None, [], next_opens_at=upcoming)
        rows = s.exec(
            select(Candidate).where(Candidate.round_id == r.id).order_by(Candidate.number)
        ).all()
        details = jury_view.summaries(s, [c.nominee_id for c in rows])
    candidates = []
    for c in rows:
        d = details.get(c.nominee_id)
        candidates.append(
            CandidateView(
                c.number,
                c.name,
                d.position if d else "",
                d.institution if d else "",
                d.region if d else "",
            )
        )
    return BallotView(r.id, r.title, r.closes_at, candidates, r.web_enabled, r.sms_enabled)
