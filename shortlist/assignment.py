"""Who reads whom: review settings, balanced automatic assignment, reassignment by a manager and
a juror's declared conflict of interest (recusal). The managers' lists of readings and workloads
are in shortlist.workload.

A reading is never deleted: a moved one is ``withdrawn``, a declined one ``recused``, so the
history of every nominee's readings stays whole. Readings may change before and during the
review, never after it. Every function runs a fixed number of queries, however many nominees."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign, Role, User
from campaign.text import whole
from nominations import jury_view
from shortlist.criteria import ensure_defaults
from shortlist.models import Assignment, AssignmentStatus, ReviewConfig

Status = AssignmentStatus
ACTIVE = (Status.assigned, Status.submitted)  # readings that count towards a nominee and a load
REASON_MAX = 500
NO_READING = N_("No such reading.")

# field: (low, high, message); the cross-field limits are checked after.
CONFIG_FIELDS = {
    "readings_per_nominee": (1, 7, N_("A whole number from 1 to 7.")),
    "blind_readings": (0, 7, N_("A whole number, at most the number of readings.")),
    "longlist_size": (1, 500, N_("A whole number from 1 to 500.")),
    "shortlist_size": (1, 500, N_("A whole number, at most the size of the longlist.")),
    "finalists": (1, 500, N_("A whole number, at most the size of the shortlist.")),
    "alternates": (0, 500, N_("Finalists and alternates together must fit in the shortlist.")),
}


def parse_config(form: Mapping[str, object]) -> dict:
    """The review settings form as table values, or Invalid with one message per field."""
    values, errors = {}, {}
    for name, (low, high, message) in CONFIG_FIELDS.items():
        raw = str(form.get(name, "")).strip()
        if whole(raw, low, high) is not None:
            values[name] = whole(raw, low, high)
        else:
            errors[name] = message
    limits = [
        ("blind_readings", "readings_per_nominee"),
        ("shortlist_size", "longlist_size"),
        ("finalists", "shortlist_size"),
    ]
    for small, big in limits:
        if small in values and big in values and values[small] > values[big]:
            errors[small] = CONFIG_FIELDS[small][2]
    fit = {"finalists", "alternates", "shortlist_size"} <= values.keys() - errors.keys()
    if fit and values["finalists"] + values["alternates"] > values["shortlist_size"]:
        errors["alternates"] = CONFIG_FIELDS["alternates"][2]
    if errors:
        raise Invalid(errors)
    values["jury_picks_finalists"] = str(form.get("jury_picks_finalists", "")) in ("on", "1")
    return values


def _open_campaign(s: Session, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    if db.utcnow() >= campaign.review_end:
        raise PhaseClosed(N_("The review is over: readings can no longer change."))
    return campaign


def _config_for_update(s: Session, campaign_id: int) -> ReviewConfig:
    """The campaign's settings row, locked on PostgreSQL: assignment changes of one campaign run
    one at a time, so two managers clicking at once cannot both add the missing readings."""
    query = select(ReviewConfig).where(ReviewConfig.campaign_id == campaign_id).with_for_update()
    return s.exec(query).first() or ensure_defaults(s, campaign_id)


def update_config(engine: Engine, actor_id: int, campaign_id: int, form: Mapping) -> ReviewConfig:
    values = parse_config(form)
    with db.session(engine) as s, s.begin():
        _open_campaign(s, campaign_id)
        config = _config_for_update(s, campaign_id)
        changed = {k: [getattr(config, k), v] for k, v in values.items() if getattr(config, k) != v}
        for key, (_old, new) in changed.items():
            setattr(config, key, new)
        if changed:
            audit.record(s, actor_id, "review.config", "campaign", campaign_id, changed=changed)
    return config


def _active_jurors(s: Session) -> list[int]:
    query = select(User.id).where(User.role == Role.juror, User.active).order_by(User.id)
    return list(s.exec(query))


def _loads(rows: Iterable[tuple[int, str]]) -> Counter:
    """Juror id -> readings to do or done, from (juror_id, status) pairs."""
    return Counter(juror for juror, status in rows if status in ACTIVE)


def plan(
    nominee_ids: list[int],
    jurors: list[int],
    existing: Iterable[tuple[int, int, str, bool]],
    readings: int,
    blind: int,
) -> tuple[list[tuple[int, int, bool]], int]:
    """The missing readings as (nominee, juror, blind), and how many could not be placed.

    ``existing`` holds (nominee, juror, status, blind) of the campaign's readings. Each nominee
    gets its missing readings from the least-loaded jurors who never had it (lowest id first on
    a tie), the first ones blind until the nominee has ``blind`` blind readings."""
    taken, active, blinds = defaultdict(set), Counter(), Counter()
    for nominee, juror, status, is_blind in existing:
        taken[nominee].add(juror)
        if status in ACTIVE:
            active[nominee] += 1
            blinds[nominee] += is_blind
    loads = _loads((juror, status) for _n, juror, status, _b in existing)
    new, short = [], 0
    for nominee in nominee_ids:
        need = readings - active[nominee]
        if need <= 0:
            continue
        free = sorted((j for j in jurors if j not in taken[nominee]), key=lambda j: (loads[j], j))
        picked = free[:need]
        short += need - len(picked)
        for i, juror in enumerate(picked):
            new.append((nominee, juror, i < blind - blinds[nominee]))
            loads[juror] += 1
    return new, short


def auto_assign(engine: Engine, actor_id: int, campaign_id: int) -> dict[str, int]:
    """Add every missing reading of the eligible nominees; running it again adds nothing."""
    with db.session(engine) as s, s.begin():
        _open_campaign(s, campaign_id)
        counts = assign_missing(s, campaign_id)
        audit.record(s, actor_id, "assignment.auto", "campaign", campaign_id, **counts)
    return counts


def assign_missing(s: Session, campaign_id: int) -> dict[str, int]:
    """The work of auto_assign inside the caller's unit, without the phase rule (the demo seeds
    past phases with it)."""
    config = _config_for_update(s, campaign_id)
    nominee_ids = jury_view.eligible_nominee_ids(s, campaign_id)
    jurors = _active_jurors(s)
    columns = (Assignment.nominee_id, Assignment.juror_id, Assignment.status, Assignment.blind)
    existing = s.exec(select(*columns).where(Assignment.campaign_id == campaign_id)).all()
    new, short = plan(
        nominee_ids, jurors, existing, config.readings_per_nominee, config.blind_readings
    )
    now = db.utcnow()
    if new:
        s.connection().execute(
            insert(Assignment.__table__),
            [
                {
                    "campaign_id": campaign_id,
                    "nominee_id": nominee,
                    "juror_id": juror,
                    "blind": blind,
                    "status": Status.assigned.value,
                    "comment": "",
                    "recusal_reason": "",
                    "version": 0,
                    "updated_at": now,
                }
                for nominee, juror, blind in new
            ],
        )
    return {
        "nominees": len(nominee_ids),
        "jurors": len(jurors),
        "created": len(new),
        "blind": sum(blind for _n, _j, blind in new),
        "short": short,
    }


def _least_loaded(s: Session, campaign_id: int, nominee_id: int) -> int | None:
    """The active juror with the fewest readings who never had this nominee."""
    active = (Assignment.campaign_id == campaign_id, col(Assignment.status).in_(ACTIVE))
    query = select(Assignment.juror_id, func.count()).where(*active).group_by(Assignment.juror_id)
    loads = Counter(dict(s.exec(query).all()))
    taken = set(s.exec(select(Assignment.juror_id).where(Assignment.nominee_id == nominee_id)))
    free = [j for j in _active_jurors(s) if j not in taken]
    return min(free, key=lambda j: (loads[j], j)) if free else None


def _hand_over(s: Session, reading: Assignment, juror_id: int) -> Assignment:
    """A new reading of the same nominee for ``juror_id``, blind if the old one was."""
    new = Assignment(
        campaign_id=reading.campaign_id,
        nominee_id=reading.nominee_id,
        juror_id=juror_id,
        blind=reading.blind,
    )
    s.add(new)
    s.flush()
    return new


def reassign(engine: Engine, actor_id: int, assignment_id: int, juror_id: int) -> Assignment:
    """Move an unsubmitted reading to another active juror; the old row is kept, withdrawn."""
    with db.session(engine) as s, s.begin():
        old = s.get(Assignment, assignment_id)
        if old is None:
            raise NotFound(NO_READING)
        _open_campaign(s, old.campaign_id)
        _config_for_update(s, old.campaign_id)
        if old.status == Status.submitted:
            raise Invalid({"juror": N_("A submitted reading cannot be moved.")})
        if old.status != Status.assigned:
            raise Invalid({"juror": N_("This reading was already moved or declined.")})
        target = s.get(User, juror_id)
        if target is None or target.role != Role.juror or not target.active:
            raise Invalid({"juror": N_("Choose an active juror.")})
        query = select(Assignment.id).where(
            Assignment.nominee_id == old.nominee_id, Assignment.juror_id == juror_id
        )
        if s.exec(query).first() is not None:
            raise Invalid({"juror": N_("This juror already has, or declined, this nominee.")})
        old.status, old.updated_at = Status.withdrawn, db.utcnow()
        new = _hand_over(s, old, juror_id)
        audit.record(
            s,
            actor_id,
            "assignment.reassign",
            "assignment",
            old.id,
            nominee_id=old.nominee_id,
            from_juror=old.juror_id,
            to_juror=juror_id,
            new_assignment=new.id,
            blind=old.blind,
        )
    return new


def _own_reading(s: Session, juror_id: int, assignment_id: int) -> Assignment:
    reading = s.get(Assignment, assignment_id)
    if reading is None:
        raise NotFound(NO_READING)
    if reading.juror_id != juror_id:
        # As in scoring: someone else's reading answers exactly like a missing one.
        raise NotFound(NO_READING)
    return reading


def recuse(engine: Engine, juror_id: int, assignment_id: int, reason: str) -> Assignment | None:
    """The juror declares a conflict of interest: the reading is recused and, when an active juror
    is free, a replacement reading (same blind flag) goes to the least loaded. Returns it."""
    reason = " ".join(str(reason).split())
    with db.session(engine) as s, s.begin():
        reading = _own_reading(s, juror_id, assignment_id)
        _open_campaign(s, reading.campaign_id)
        if reading.status == Status.submitted:
            raise Invalid(
                {"reason": N_("This reading is submitted: it can no longer be declined.")}
            )
        if reading.status != Status.assigned:
            raise Invalid({"reason": N_("This reading is no longer assigned to you.")})
        if not reason:
            raise Invalid({"reason": N_("Say what ties you to this nominee.")})
        if len(reason) > REASON_MAX:
            raise Invalid({"reason": N_("At most 500 characters.")})
        config = _config_for_update(s, reading.campaign_id)
        reading.status, reading.recusal_reason = Status.recused, reason
        reading.updated_at = db.utcnow()
        s.flush()
        replacement = None
        still_needed = reading.nominee_id in jury_view.eligible_nominee_ids(s, reading.campaign_id)
        query = select(func.count()).where(
            Assignment.nominee_id == reading.nominee_id, col(Assignment.status).in_(ACTIVE)
        )
        if still_needed and s.exec(query).one() < config.readings_per_nominee:
            juror = _least_loaded(s, reading.campaign_id, reading.nominee_id)
            replacement = _hand_over(s, reading, juror) if juror is not None else None
        audit.record(
            s,
            juror_id,
            "assignment.recuse",
            "assignment",
            reading.id,
            nominee_id=reading.nominee_id,
            reason=reason,
            replacement_juror=replacement.juror_id if replacement else None,
        )
    return replacement


@dataclass(frozen=True)
class RecusalView:
    assignment_id: int
    nominee_name: str
    status: str


def recusal_view(engine: Engine, juror_id: int, assignment_id: int) -> RecusalView:
    """What the recusal form shows: only to the juror holding the reading."""
    with db.session(engine) as s:
        reading = _own_reading(s, juror_id, assignment_id)
        summary = jury_view.summaries(s, [reading.nominee_id]).get(reading.nominee_id)
    return RecusalView(assignment_id, summary.name if summary else "", reading.status)
