"""The call-back queue: SMS nominations "to complete", called back by volunteers.

An SMS says little ("NOM Awa Diallo, sage-femme, Sikasso"): a volunteer calls the nominator and
completes the form (two referees, an example, how they know the person). One volunteer calls one
person: a claim is one UPDATE that only an unclaimed, abandoned (``CLAIM_TTL``) or own row
satisfies, so two volunteers clicking at once get one winner. A call is completed, marked
unanswered (three unanswered calls close it as unreachable), or closed with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, db
from campaign.errors import DomainError, Invalid
from campaign.i18n import N_
from nominations import intake
from nominations.models import CallBack, Channel, Nomination, Status

CLAIM_TTL = timedelta(hours=2)
MAX_TRIES = 3
REASONS = {
    "unreachable": N_("Unreachable after three calls"),
    "not_civil_servant": N_("Not a civil servant"),
    "withdrawn": N_("The nominator withdrew it"),
}
COMPLETE_SMS = N_(
    "Integrity Icon: your nomination %(code)s is complete. Thank you! Send TRACK %(code)s "
    "to follow it."
)
SMS_TEXTS = (COMPLETE_SMS,)


class ClaimedByAnother(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__(N_("Another volunteer is calling this person."))


@dataclass(frozen=True)
class Call:
    nomination_id: int
    code: str
    nominee: str
    position: str
    institution: str
    story: str
    received_at: object
    tries: int
    mine: bool
    phone: str  # the nominator's number, only for the volunteer who claimed the call


def queue(engine: Engine, volunteer_id: int, limit: int = 100) -> list[Call]:
    """Open calls, the volunteer's own first, then the oldest unclaimed."""
    now = db.utcnow()
    with db.session(engine) as s:
        rows = s.exec(
            select(Nomination, CallBack)
            .join(CallBack, col(CallBack.nomination_id) == col(Nomination.id), isouter=True)
            .where(
                Nomination.channel == Channel.sms,
                Nomination.status == Status.to_complete,
                or_(col(CallBack.outcome).is_(None), CallBack.outcome == ""),
            )
            .order_by(col(Nomination.created_at))
            .limit(limit * 2)
        ).all()
    calls = []
    for n, cb in rows:
        mine = cb is not None and cb.volunteer_id == volunteer_id
        held = cb is not None and cb.volunteer_id is not None and cb.claimed_at > now - CLAIM_TTL
        if held and not mine:
            continue  # another volunteer is on it
        calls.append(
            Call(
                n.id,
                intake.format_code(n.tracking_code),
                n.nominee_name,
                n.nominee_position,
                n.nominee_institution,
                n.story,
                n.created_at,
                cb.tries if cb else 0,
                mine,
                n.nominator_phone if mine else "",
            )
        )
    calls.sort(key=lambda c: not c.mine)
    return calls[:limit]


def _open_call(s: Session, nomination_id: int) -> Nomination:
    n = s.get(Nomination, nomination_id)
    if n is None or n.channel != Channel.sms or n.status != Status.to_complete:
        raise Invalid({"call": N_("This nomination is no longer waiting for a call.")})
    return n


def claim(engine: Engine, volunteer_id: int, nomination_id: int) -> None:
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        _open_call(s, nomination_id)
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        s.exec(
            insert(CallBack)
            .values(nomination_id=nomination_id, tries=0, outcome="", reason="")
            .on_conflict_do_nothing(index_elements=["nomination_id"])
        )
        won = s.exec(
            update(CallBack)
            .where(
                col(CallBack.nomination_id) == nomination_id,
                CallBack.outcome == "",
                or_(
                    col(CallBack.volunteer_id).is_(None),
                    CallBack.volunteer_id == volunteer_id,
                    col(CallBack.claimed_at) < now - CLAIM_TTL,
                ),
            )
            .values(volunteer_id=volunteer_id, claimed_at=now)
        ).rowcount
        if not won:
            raise ClaimedByAnother()
        audit.record(s, volunteer_id, "callback.claim", "nomination", nomination_id)


def _mine(s: Session, volunteer_id: int, nomination_id: int) -> CallBack:
    cb = s.get(CallBack, nomination_id, with_for_update=True)
    if cb is None or cb.volunteer_id != volunteer_id or cb.outcome:
        raise ClaimedByAnother()
    return cb


def no_answer(engine: Engine, volunteer_id: int, nomination_id: int) -> int:
    """One more unanswered call; the third closes it as unreachable. Returns the tries."""
    with db.session(engine) as s, s.begin():
        _open_call(s, nomination_id)
        cb = _mine(s, volunteer_id, nomination_id)
        cb.tries += 1
        if cb.tries >= MAX_TRIES:
            cb.outcome, cb.reason, cb.closed_at = "closed", "unreachable", db.utcnow()
        audit.record(
            s, volunteer_id, "callback.no_answer", "nomination", nomination_id, tries=cb.tries
        )
        return cb.tries


def close(engine: Engine, volunteer_id: int, nomination_id: int, reason: str) -> None:
    if reason not in REASONS:
        raise Invalid({"reason": N_("Choose a reason.")})
    with db.session(engine) as s, s.begin():
        n = _open_call(s, nomination_id)
        cb = _mine(s, volunteer_id, nomination_id)
        cb.outcome, cb.reason, cb.closed_at = "closed", reason, db.utcnow()
        if reason == "not_civil_servant":
            n.status, n.status_reason = Status.ineligible, "Not a civil servant (call-back)"
            s.add(n)
        audit.record(s, volunteer_id, "callback.close", "nomination", nomination_id, reason=reason)


@dataclass(frozen=True)
class Completed:
    phone: str
    code: str


def complete(
    engine: Engine, volunteer_id: int, nomination_id: int, form: dict, country: str
) -> Completed:
    """The form's fields from the call: referees, an example, the relation. The nomination is
    then received like any other; the caller texts the nominator."""
    errors: dict = {}
    referees = intake._referees(form, country, errors)
    example = intake._text(form, "example", errors, low=20, high=4000)
    relation = intake._text(form, "nominator_relation", errors, low=2)
    name = intake._text(form, "nominator_name", errors)
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        n = _open_call(s, nomination_id)
        cb = _mine(s, volunteer_id, nomination_id)
        n.referees, n.nominator_relation = referees, relation
        n.nominator_name = name or n.nominator_name
        n.story = f"{n.story}\n\n{example}"
        n.status = Status.received
        cb.outcome, cb.closed_at = "completed", db.utcnow()
        s.add(n)
        audit.record(s, volunteer_id, "callback.complete", "nomination", nomination_id)
        return Completed(n.nominator_phone, intake.format_code(n.tracking_code))
