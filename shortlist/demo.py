"""Demo jury: the core demo's seven jurors get their readings, scores partly given (review
phase) or complete with the stages decided (voting and results phases)."""

from __future__ import annotations

import random

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db
from campaign.models import Campaign, Role, User
from campaign.phases import Phase
from shortlist import assignment, board, criteria, decisions
from shortlist.models import Assignment, AssignmentStatus, Score, Stage


def move(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    """An existing demo moved on to the review or later: every reading assigned, so jurors
    find their board filled without waiting for a manager."""
    if phase == Phase.nominations:
        return
    with db.session(engine) as s, s.begin():
        criteria.ensure_defaults(s, campaign.id)
        assignment.assign_missing(s, campaign.id)


def seed(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    if phase == Phase.nominations:
        return
    with db.session(engine) as s, s.begin():
        criteria.ensure_defaults(s, campaign.id)
        manager = s.exec(select(User.id).where(User.role == Role.manager)).first()
        s.flush()
        assignment.assign_missing(s, campaign.id)
    _, crits = criteria.load(engine, campaign.id)
    share_scored, share_submitted = (0.6, 0.45) if phase == Phase.review else (1.0, 1.0)
    with db.session(engine) as s, s.begin():
        readings = s.exec(select(Assignment.id, Assignment.nominee_id)).all()
        # Each nominee has a "true" merit; jurors see it through their own harshness and noise.
        merit = {n: rng.uniform(3, 9) for _, n in readings}
        scores, submitted = [], []
        for reading_id, nominee_id in readings:
            if rng.random() > share_scored:
                continue
            for c in crits:
                value = min(10.0, max(0.0, round(merit[nominee_id] + rng.gauss(0, 1.3))))
                scores.append({"assignment_id": reading_id, "criterion_id": c.id, "value": value})
            if rng.random() < share_submitted / share_scored:
                submitted.append(reading_id)
        if scores:
            s.execute(insert(Score), scores)
        for i in range(0, len(submitted), 500):
            s.execute(
                update(Assignment)
                .where(Assignment.id.in_(submitted[i : i + 500]))
                .values(status=AssignmentStatus.submitted, submitted_at=db.utcnow(), version=1)
            )
    if phase in (Phase.voting, Phase.results):
        _decide_stages(engine, campaign, manager)


def _decide_stages(engine: Engine, campaign: Campaign, manager_id: int) -> None:
    rows = board.load_board(engine, campaign.id, board.BoardFilters(), "fr").rows
    config, _ = criteria.load(engine, campaign.id)
    top = [r.nominee_id for r in rows if r.rank is not None]
    reason = "Classement du jury, équilibre régional et de genre vérifié."
    decisions.decide(
        engine, manager_id, campaign.id, Stage.longlist, top[: config.longlist_size], reason
    )
    decisions.decide(
        engine, manager_id, campaign.id, Stage.shortlist, top[: config.shortlist_size], reason
    )
    if config.jury_picks_finalists:
        finalists = top[: config.finalists]
        alternates = top[config.finalists : config.finalists + config.alternates]
        decisions.decide(engine, manager_id, campaign.id, Stage.finalist, finalists, reason)
        decisions.decide(engine, manager_id, campaign.id, Stage.alternate, alternates, reason)
