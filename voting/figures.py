"""The vote in figures, for the public /stats page: counted votes per channel, per round.

A round's counts appear only when its results may be shown (``rounds.shown``: it shows them live,
or it has closed); while a hidden round is under way the public learns only that voting is open.
Its counts are not even read, so no later change to the page can leak them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db
from voting import rounds
from voting.models import Ballot, Round


@dataclass(frozen=True)
class RoundFigures:
    title: str
    state: str  # open | closed (rounds that have not opened are left out)
    shown: bool  # False: the counts wait for the close, and the three below are None
    web: int | None
    sms: int | None
    total: int | None


@dataclass(frozen=True)
class VoteFigures:
    rounds: list[RoundFigures]  # in the order they opened
    web: int  # over the rounds shown
    sms: int
    total: int
    under_way: int  # rounds open now whose counts are hidden


def public_votes(engine: Engine, campaign_id: int) -> VoteFigures:
    """Two queries whatever the number of rounds and ballots (one when none may be shown)."""
    now = db.utcnow()
    with db.session(engine) as s:
        found = list(
            s.exec(
                select(Round)
                .where(Round.campaign_id == campaign_id, Round.opens_at <= now)
                .order_by(Round.opens_at, Round.id)
            )
        )
        visible = [r.id for r in found if rounds.shown(r, now)]
        counted: dict[tuple[int, str], int] = {}
        if visible:
            rows = s.exec(
                select(Ballot.round_id, Ballot.channel, func.count())
                .where(col(Ballot.round_id).in_(visible), col(Ballot.void).is_(False))
                .group_by(Ballot.round_id, Ballot.channel)
            ).all()
            counted = {(round_id, channel): n for round_id, channel, n in rows}
    lines = []
    for r in found:
        if r.id in visible:
            web, sms = counted.get((r.id, "web"), 0), counted.get((r.id, "sms"), 0)
            lines.append(RoundFigures(r.title, rounds.state(r, now), True, web, sms, web + sms))
        else:
            lines.append(RoundFigures(r.title, rounds.state(r, now), False, None, None, None))
    web = sum(line.web or 0 for line in lines)
    sms = sum(line.sms or 0 for line in lines)
    return VoteFigures(
        rounds=lines,
        web=web,
        sms=sms,
        total=web + sms,
        under_way=sum(1 for line in lines if not line.shown),
    )
