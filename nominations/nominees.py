"""Nominees for managers: one nominee's page (its nominations with their contacts, its history,
the nominees that may be the same person) and the search and likely duplicates over all of them.

A fixed number of queries, however many rows. Contact details are in ``NomineeDetail`` only; it
is for managers' pages and nothing else. The list of nominations is in nominations.moderation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from campaign import db
from campaign.audit import AuditRow
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import AuditEvent, User
from nominations.jury_view import NomineeSummary
from nominations.models import Nomination, Nominee
from nominations.moderation import copy_fields, name_search

NOMINEES_SHOWN = 50

# The same facts managers and jurors see of a nominee: one shape for both.
NomineeRow = NomineeSummary


def _nominee_row(n: Nominee) -> NomineeRow:
    return copy_fields(NomineeRow, n)


@dataclass(frozen=True)
class NominationDetail:
    id: int
    tracking_code: str
    created_at: datetime
    channel: str
    status: str
    status_reason: str
    pinned: bool
    nominee_name: str
    nominee_gender: str
    nominee_position: str
    nominee_institution: str
    nominee_region: str
    nominee_town: str
    nominee_phone: str
    story: str
    referees: list[dict]
    nominator_name: str
    nominator_phone: str
    nominator_email: str
    nominator_relation: str
    eligibility: dict
    paper_serial: str | None
    volunteer: str


@dataclass(frozen=True)
class NomineeDetail:
    nominee: NomineeRow
    nominations: list[NominationDetail]
    history: list[AuditRow]
    duplicates: list[NomineeRow]  # same name words, same region, yet another nominee
    found: list[NomineeRow]  # other nominees matching ``find`` (not already in duplicates)


def nominee_detail(engine: Engine, nominee_id: int, find: str = "") -> NomineeDetail:
    """Everything about one nominee, contacts included: for managers only."""
    with db.session(engine) as s:
        nominee = s.get(Nominee, nominee_id)
        if nominee is None:
            raise NotFound(N_("No such nominee."))
        rows = s.exec(
            select(Nomination, User.email)
            .join(User, User.id == Nomination.volunteer_id, isouter=True)
            .where(Nomination.nominee_id == nominee_id)
            .order_by(Nomination.created_at, Nomination.id)
        ).all()
        nominations = [copy_fields(NominationDetail, n, volunteer=e or "") for n, e in rows]
        history = _history(s, nominee_id, [n.id for n in nominations])
        mine, other = aliased(Nomination), aliased(Nomination)
        duplicates = s.exec(
            select(Nominee)
            .join(other, other.nominee_id == Nominee.id)
            .join(
                mine,
                and_(
                    mine.nominee_id == nominee_id,
                    mine.name_words == other.name_words,
                    mine.region_key == other.region_key,
                ),
            )
            .where(Nominee.id != nominee_id)
            .distinct()
            .order_by(Nominee.id)
        ).all()
        found = []
        if find.strip():
            found = _search_nominees(s, nominee.campaign_id, find, exclude=nominee_id)
    shown = {d.id for d in duplicates}
    return NomineeDetail(
        nominee=_nominee_row(nominee),
        nominations=nominations,
        history=history,
        duplicates=[_nominee_row(d) for d in duplicates],
        found=[f for f in found if f.id not in shown],  # one checkbox per nominee
    )


def _history(s, nominee_id: int, nomination_ids: list[int]) -> list[AuditRow]:
    """Merges and splits of this nominee and status changes of its nominations, newest first."""
    events = s.exec(
        select(AuditEvent, User.email)
        .join(User, User.id == AuditEvent.actor_id, isouter=True)
        .where(
            or_(
                and_(AuditEvent.target_type == "nominee", AuditEvent.target_id == str(nominee_id)),
                and_(
                    AuditEvent.target_type == "nomination",
                    col(AuditEvent.target_id).in_([str(i) for i in nomination_ids]),
                ),
            )
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(200)
    ).all()
    return [
        AuditRow(e.at, email or "", e.action, f"{e.target_type} {e.target_id}", e.details)
        for e, email in events
    ]


def _search_nominees(s, campaign_id: int, q: str, exclude: int | None = None) -> list[NomineeRow]:
    matching = select(Nomination.nominee_id).where(
        Nomination.campaign_id == campaign_id, name_search(q)
    )
    conditions = [Nominee.campaign_id == campaign_id, col(Nominee.id).in_(matching)]
    if exclude is not None:
        conditions.append(Nominee.id != exclude)
    nominees = s.exec(
        select(Nominee).where(*conditions).order_by(Nominee.name, Nominee.id).limit(NOMINEES_SHOWN)
    ).all()
    return [_nominee_row(n) for n in nominees]


@dataclass(frozen=True)
class NomineeList:
    found: list[NomineeRow]  # for the search; at most NOMINEES_SHOWN
    duplicates: list[list[NomineeRow]]  # groups sharing name words and region


def list_nominees(engine: Engine, campaign_id: int, q: str = "") -> NomineeList:
    """Nominees matching ``q``, and the possible duplicates: nominees whose nominations spell the
    same name words in the same region but that grouping kept apart (another post or workplace,
    or a manager's split). Cheap to check by eye, and the likeliest wrong splits."""
    with db.session(engine) as s:
        found = _search_nominees(s, campaign_id, q) if q.strip() else []
        keys = (
            select(Nomination.region_key, Nomination.name_words)
            .where(Nomination.campaign_id == campaign_id, col(Nomination.nominee_id).is_not(None))
            .group_by(Nomination.region_key, Nomination.name_words)
            .having(func.count(func.distinct(Nomination.nominee_id)) > 1)
            .subquery()
        )
        rows = s.exec(
            select(keys.c.region_key, keys.c.name_words, Nominee)
            .join(
                Nomination,
                and_(
                    Nomination.region_key == keys.c.region_key,
                    Nomination.name_words == keys.c.name_words,
                    Nomination.campaign_id == campaign_id,
                ),
            )
            .join(Nominee, Nominee.id == Nomination.nominee_id)
            .distinct()
            .order_by(keys.c.region_key, keys.c.name_words, Nominee.id)
        ).all()
    groups: dict[tuple[str, str], list[NomineeRow]] = {}
    for region, words, nominee in rows:
        groups.setdefault((region, words), []).append(_nominee_row(nominee))
    return NomineeList(found=found, duplicates=list(groups.values()))
