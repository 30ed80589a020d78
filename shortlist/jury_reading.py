"""One reading as the juror sees it, and which reading comes next.

Each function runs a fixed number of statements however many readings there are. Nominee data
comes only from nominations.jury_view. Other jurors' readings stay hidden until the juror
submits their own, and a blind reader never sees them (nor the nominators). Saving scores and
submitting are shortlist.scoring's, which checks ownership the same way (refuse_unless_own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from campaign import db, phases
from campaign.errors import NotFound, PermissionDenied
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations import jury_view
from nominations.jury_view import NominationForJury, NomineeSummary
from shortlist.criteria import ensure_defaults
from shortlist.models import Assignment, Criterion, Score
from shortlist.models import AssignmentStatus as St

NO_READING = N_("No such reading.")


@dataclass(frozen=True)
class OtherReading:
    juror: str
    total: float  # the weighted mean of the scores, on the 0-10 scale
    scores: dict[int, float]


@dataclass(frozen=True)
class ReadingView:
    assignment_id: int
    campaign: Campaign
    nominee: NomineeSummary
    blind: bool
    status: str
    version: int
    comment: str
    submitted_at: datetime | None
    criteria: list[Criterion]
    scores: dict[int, float]
    total: float | None  # the weighted mean, once every criterion is scored
    dossier: list[NominationForJury]
    others: list[OtherReading] | None  # None: hidden (not submitted yet, or a blind reading)
    review_open: bool

    @property
    def editable(self) -> bool:
        return self.status == St.assigned and self.review_open


def refuse_unless_own(juror_id: int, owner_id: int | None, status: str | None) -> None:
    """NotFound or PermissionDenied unless the reading is this juror's and still theirs."""
    # Someone else's reading answers exactly like a missing one: its existence does not leak.
    if owner_id is None or owner_id != juror_id:
        raise NotFound(NO_READING)
    if status == St.recused:
        raise PermissionDenied(N_("You declared a conflict of interest for this nominee."))
    if status == St.withdrawn:
        raise PermissionDenied(N_("This nominee is no longer assigned to you."))


def campaign_criteria(s: Session, campaign_id: int) -> list[Criterion]:
    """The campaign's criteria in their order (the defaults, the first time)."""
    ensure_defaults(s, campaign_id)
    query = select(Criterion).where(Criterion.campaign_id == campaign_id)
    return list(s.exec(query.order_by(Criterion.position, Criterion.id)))


def weighted_total(criteria: list[Criterion], scores: dict[int, float]) -> float:
    """The weighted mean of ``scores`` (by criterion id) on the 0-10 scale; a missing one is 0."""
    weights = sum(c.weight for c in criteria)
    if not weights:
        return 0.0
    return round(sum(c.weight * scores.get(c.id, 0.0) for c in criteria) / weights, 2)


def reading(engine: Engine, juror_id: int, assignment_id: int) -> ReadingView:
    with db.session(engine) as s, s.begin():
        found = s.exec(
            select(Assignment, Campaign)
            .join(Campaign, col(Campaign.id) == Assignment.campaign_id)
            .where(Assignment.id == assignment_id)
        ).first()
        a, campaign = found if found else (None, None)
        refuse_unless_own(juror_id, a and a.juror_id, a and a.status)
        criteria = campaign_criteria(s, a.campaign_id)
        scores = scores_by_reading(s, [a.id]).get(a.id, {})
        others = None
        if a.status == St.submitted and not a.blind:
            theirs = s.exec(
                select(Assignment.id, User.name, User.email)
                .join(User, col(User.id) == Assignment.juror_id)
                .where(
                    Assignment.nominee_id == a.nominee_id,
                    Assignment.status == St.submitted,
                    Assignment.id != a.id,
                )
                .order_by(Assignment.submitted_at, Assignment.id)
            ).all()
            their_scores = scores_by_reading(s, [row[0] for row in theirs])
            others = [
                OtherReading(
                    name or email,
                    weighted_total(criteria, their_scores.get(aid, {})),
                    their_scores.get(aid, {}),
                )
                for aid, name, email in theirs
            ]
        return ReadingView(
            assignment_id=a.id,
            campaign=campaign,
            nominee=jury_view.summaries(s, [a.nominee_id])[a.nominee_id],
            blind=a.blind,
            status=a.status,
            version=a.version,
            comment=a.comment,
            submitted_at=a.submitted_at,
            criteria=criteria,
            scores=scores,
            total=weighted_total(criteria, scores) if len(scores) == len(criteria) else None,
            dossier=jury_view.dossier(s, a.nominee_id, a.blind),
            others=others,
            review_open=phases.is_open(campaign, phases.Phase.review, db.utcnow()),
        )


def scores_by_reading(s: Session, assignment_ids: list[int]) -> dict[int, dict[int, float]]:
    """The scores of each reading, by assignment id then criterion id, in one statement."""
    found: dict[int, dict[int, float]] = {}
    if assignment_ids:
        query = select(Score.assignment_id, Score.criterion_id, Score.value)
        for aid, cid, value in s.exec(query.where(col(Score.assignment_id).in_(assignment_ids))):
            found.setdefault(aid, {})[cid] = value
    return found


def next_assignment(
    engine: Engine, juror_id: int, campaign_id: int, after_id: int | None = None
) -> int | None:
    """The juror's open reading whose nominee has the fewest submitted readings overall (then
    the lowest id), other than ``after_id``: the nominees furthest from done come first."""
    other = aliased(Assignment)
    readings = (
        select(other.nominee_id, func.count().label("n"))
        .where(other.status == St.submitted)
        .group_by(other.nominee_id)
        .subquery()
    )
    conditions = [
        Assignment.juror_id == juror_id,
        Assignment.campaign_id == campaign_id,
        Assignment.status == St.assigned,
    ]
    if after_id is not None:
        conditions.append(Assignment.id != after_id)
    with db.session(engine) as s, s.begin():
        return s.exec(
            select(Assignment.id)
            .outerjoin(readings, readings.c.nominee_id == Assignment.nominee_id)
            .where(*conditions)
            .order_by(func.coalesce(readings.c.n, 0), Assignment.id)
            .limit(1)
        ).first()
