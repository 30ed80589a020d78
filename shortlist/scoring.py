"""A juror's scores saved one at a time or as a whole sheet, the comment, and submission.

A juror scores hundreds of nominees in an evening and every change is saved at once, so each
function runs a fixed number of statements; saving one score is three (bump the version of the
juror's open reading, check the phase and the criterion, upsert the score). Reading a reading
and choosing the next one are shortlist.jury_reading's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, campaigns, db, phases
from campaign.errors import DomainError, Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from shortlist.criteria import SCALE_MAX, SCALE_MIN
from shortlist.jury_reading import campaign_criteria, refuse_unless_own, scores_by_reading
from shortlist.models import Assignment, Criterion, Score
from shortlist.models import AssignmentStatus as St

COMMENT_MAX = 4000
_NUMBER = re.compile(r"^\d{1,6}(?:\.\d{1,6})?$")
NO_CRITERION = N_("No such criterion.")
MISSING = N_("Score this criterion before submitting.")
LOCKED = N_("Your scores for this nominee are submitted: they can no longer change.")


class Submitted(DomainError):
    """The reading is submitted: its scores are locked."""

    status = 409


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
        refuse_unless_own(juror_id, row and row[0], row and row[1])
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
        if not values.keys() <= {c.id for c in campaign_criteria(s, done.campaign_id)}:
            raise NotFound(NO_CRITERION)
        for criterion_id, value in values.items():
            _put(s, assignment_id, criterion_id, value)
    return _result(done, seen_version)


def submit(engine: Engine, juror_id: int, assignment_id: int) -> SaveResult:
    """Lock the reading once every criterion is scored; the other readings then show."""
    with db.session(engine) as s, s.begin():
        done = _bump(s, juror_id, assignment_id, status=St.submitted, submitted_at=db.utcnow())
        scores = scores_by_reading(s, [assignment_id]).get(assignment_id, {})
        missing = [c.id for c in campaign_criteria(s, done.campaign_id) if c.id not in scores]
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
