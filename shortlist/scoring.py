"""A juror's readings: the board, one reading, scores saved one at a time, submission.

A juror scores hundreds of nominees in an evening and every change is saved at once, so each
function runs a fixed number of statements however many readings there are; saving one score is
three (check the assignment, bump its version, upsert the score). Nominee data comes only from
nominations.jury_view. Other jurors' readings stay hidden until the juror submits their own, and a
blind reader never sees them (nor the nominators).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from campaign import audit, campaigns, db, phases
from campaign.errors import DomainError, Invalid, NotFound, PermissionDenied, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations import jury_view
from nominations.jury_view import NominationForJury, NomineeSummary
from shortlist.criteria import SCALE_MAX, SCALE_MIN, ensure_defaults
from shortlist.models import Assignment, Criterion, Score
from shortlist.models import AssignmentStatus as St

COMMENT_MAX = 4000
_NUMBER = re.compile(r"^\d{1,6}(?:\.\d{1,6})?$")
NO_READING = N_("No such reading.")
NO_CRITERION = N_("No such criterion.")
MISSING = N_("Score this criterion before submitting.")
LOCKED = N_("Your scores for this nominee are submitted: they can no longer change.")


class Submitted(DomainError):
    """The reading is submitted: its scores are locked."""

    status = 409


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


@dataclass(frozen=True)
class SaveResult:
    campaign_id: int
    version: int
    stale: bool  # another tab (or device) saved since this one loaded the reading


def parse_score(raw: object) -> float | None:
    """ "7", "7.5" or "7,5" on the 0-10 scale, one decimal at most; blank clears the score."""
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise Invalid({"score": N_("Enter a number from 0 to 10.")})
    if len(text.partition(".")[2].rstrip("0")) > 1:
        raise Invalid({"score": N_("Use at most one decimal, as in 7.5.")})
    value = float(text)
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise Invalid({"score": N_("A score runs from 0 to 10.")})
    return round(value, 1)


def _refuse_unless_own(juror_id: int, owner_id: int | None, status: str | None) -> None:
    # Someone else's reading answers exactly like a missing one: its existence does not leak.
    if owner_id is None or owner_id != juror_id:
        raise NotFound(NO_READING)
    if status == St.recused:
        raise PermissionDenied(N_("You declared a conflict of interest for this nominee."))
    if status == St.withdrawn:
        raise PermissionDenied(N_("This nominee is no longer assigned to you."))


def _criteria(s: Session, campaign_id: int) -> list[Criterion]:
    ensure_defaults(s, campaign_id)
    query = select(Criterion).where(Criterion.campaign_id == campaign_id)
    return list(s.exec(query.order_by(Criterion.position, Criterion.id)))


def _total(criteria: list[Criterion], scores: dict[int, float]) -> float:
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
        _refuse_unless_own(juror_id, a and a.juror_id, a and a.status)
        criteria = _criteria(s, a.campaign_id)
        scores = _scores(s, [a.id]).get(a.id, {})
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
            their_scores = _scores(s, [row[0] for row in theirs])
            others = [
                OtherReading(
                    name or email,
                    _total(criteria, their_scores.get(aid, {})),
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
            total=_total(criteria, scores) if len(scores) == len(criteria) else None,
            dossier=jury_view.dossier(s, a.nominee_id, a.blind),
            others=others,
            review_open=phases.is_open(campaign, phases.Phase.review, db.utcnow()),
        )


def _scores(s: Session, assignment_ids: list[int]) -> dict[int, dict[int, float]]:
    found: dict[int, dict[int, float]] = {}
    if assignment_ids:
        query = select(Score.assignment_id, Score.criterion_id, Score.value)
        for aid, cid, value in s.exec(query.where(col(Score.assignment_id).in_(assignment_ids))):
            found.setdefault(aid, {})[cid] = value
    return found


@dataclass(frozen=True)
class _Open:
    version: int  # after the bump
    nominee_id: int
    campaign_id: int


def _bump(
    s: Session, juror_id: int, assignment_id: int, criterion_id: int | None = None, **values
) -> _Open:
    """Bump the version of the juror's open reading (setting ``values``), then check the phase
    and that ``criterion_id`` is one of the campaign's; a refusal rolls the bump back.

    Writing first matters: on SQLite a transaction that has already read cannot wait for
    another writer (two tabs saving at once) and fails, where one that starts by writing waits;
    on PostgreSQL the row lock orders a save and a submit from two tabs."""
    bumped = s.exec(
        update(Assignment)
        .where(
            col(Assignment.id) == assignment_id,
            col(Assignment.juror_id) == juror_id,
            col(Assignment.status) == St.assigned,
        )
        .values(version=Assignment.version + 1, updated_at=db.utcnow(), **values)
        .returning(Assignment.version, Assignment.nominee_id)
    ).first()
    row = s.exec(
        select(Assignment.juror_id, Assignment.status, Campaign, Criterion.id)
        .join(Campaign, col(Campaign.id) == Assignment.campaign_id)
        .outerjoin(
            Criterion,
            and_(Criterion.id == criterion_id, Criterion.campaign_id == Assignment.campaign_id),
        )
        .where(Assignment.id == assignment_id)
    ).first()
    if bumped is None:
        _refuse_unless_own(juror_id, row and row[0], row and row[1])
        raise Submitted(LOCKED)
    campaigns.ensure_editable(row[2])
    if not phases.is_open(row[2], phases.Phase.review, db.utcnow()):
        raise PhaseClosed(N_("The review is closed: scores can no longer change."))
    if criterion_id is not None and row[3] is None:
        raise NotFound(NO_CRITERION)
    return _Open(bumped[0], bumped[1], row[2].id)


def _put(s: Session, assignment_id: int, criterion_id: int, value: float | None) -> None:
    where = (Score.assignment_id == assignment_id, Score.criterion_id == criterion_id)
    if value is None:
        s.exec(delete(Score).where(*where))
        return
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Score).values(
        assignment_id=assignment_id, criterion_id=criterion_id, value=value
    )
    s.exec(
        statement.on_conflict_do_update(
            index_elements=["assignment_id", "criterion_id"],
            set_={"value": statement.excluded.value},
        )
    )


def _result(done: _Open, seen_version: int | None) -> SaveResult:
    stale = seen_version is not None and seen_version != done.version - 1
    return SaveResult(done.campaign_id, done.version, stale)


def save_score(
    engine: Engine,
    juror_id: int,
    assignment_id: int,
    criterion_id: int,
    raw_value: object,
    seen_version: int | None,
) -> SaveResult:
    """One score; blank clears it. The last write wins, and says if another tab wrote first."""
    value = parse_score(raw_value)
    with db.session(engine) as s, s.begin():
        done = _bump(s, juror_id, assignment_id, criterion_id)
        _put(s, assignment_id, criterion_id, value)
    return _result(done, seen_version)


def _clean_comment(comment: str) -> str:
    text = str(comment).replace("\r\n", "\n").strip()
    if len(text) > COMMENT_MAX:
        raise Invalid({"comment": N_("At most 4,000 characters.")})
    return text


def save_comment(
    engine: Engine, juror_id: int, assignment_id: int, comment: str, seen_version: int | None
) -> SaveResult:
    text = _clean_comment(comment)
    with db.session(engine) as s, s.begin():
        done = _bump(s, juror_id, assignment_id, comment=text)
    return _result(done, seen_version)


def save_sheet(
    engine: Engine,
    juror_id: int,
    assignment_id: int,
    raw_scores: Mapping[int, object],
    comment: str,
    seen_version: int | None,
) -> SaveResult:
    """The whole form at once (pages without JavaScript): every score given and the comment,
    all or nothing. Errors are keyed by field name (``score_<criterion id>``, ``comment``)."""
    errors, values = {}, {}
    for criterion_id, raw in raw_scores.items():
        try:
            values[criterion_id] = parse_score(raw)
        except Invalid as exc:
            errors[f"score_{criterion_id}"] = exc.errors["score"]
    try:
        text = _clean_comment(comment)
    except Invalid as exc:
        errors |= exc.errors
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        done = _bump(s, juror_id, assignment_id, comment=text)
        if not values.keys() <= {c.id for c in _criteria(s, done.campaign_id)}:
            raise NotFound(NO_CRITERION)
        for criterion_id, value in values.items():
            _put(s, assignment_id, criterion_id, value)
    return _result(done, seen_version)


def submit(engine: Engine, juror_id: int, assignment_id: int) -> SaveResult:
    """Lock the reading once every criterion is scored; the other readings then show."""
    with db.session(engine) as s, s.begin():
        done = _bump(s, juror_id, assignment_id, status=St.submitted, submitted_at=db.utcnow())
        scores = _scores(s, [assignment_id]).get(assignment_id, {})
        missing = [c.id for c in _criteria(s, done.campaign_id) if c.id not in scores]
        if missing:
            raise Invalid({f"score_{cid}": MISSING for cid in missing})
        scores = {str(k): v for k, v in scores.items()}
        audit.record(
            s,
            juror_id,
            "reading.submit",
            "assignment",
            assignment_id,
            nominee_id=done.nominee_id,
            scores=scores,
        )
    return _result(done, None)


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
