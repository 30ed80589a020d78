"""What the jury may know of nominees: the services shortlist/ calls (it never reads our tables).

Jurors see everything the nominations say about the person and what they did, the referees
(they may call them), but never the nominators' contact details; a blind reader does not even
see who the nominators are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from nominations.models import Nomination, Nominee, Status


@dataclass(frozen=True)
class NomineeSummary:
    id: int
    name: str
    gender: str
    position: str
    institution: str
    region: str
    nomination_count: int


@dataclass(frozen=True)
class NominationForJury:
    id: int
    received_at: datetime
    channel: str
    nominee_name: str
    position: str
    institution: str
    region: str
    town: str
    story: str
    referees: list[dict]
    nominator_name: str  # "" for a blind reader
    nominator_relation: str  # "" for a blind reader


# Plain columns, not ORM objects: boards summarise a thousand nominees per page view.
_SUMMARY = select(
    Nominee.id,
    Nominee.name,
    Nominee.gender,
    Nominee.position,
    Nominee.institution,
    Nominee.region,
    Nominee.nomination_count,
)


def eligible_nominee_ids(s: Session, campaign_id: int) -> list[int]:
    """Nominees with at least one nomination a manager found eligible: the jury's field."""
    rows = s.exec(
        select(Nomination.nominee_id)
        .where(
            Nomination.campaign_id == campaign_id,
            Nomination.status == Status.eligible,
            col(Nomination.nominee_id).is_not(None),
        )
        .distinct()
        .order_by(Nomination.nominee_id)
    )
    return list(rows)


def summaries(s: Session, nominee_ids: Iterable[int]) -> dict[int, NomineeSummary]:
    """Nominee id -> summary, in one query per 500 ids."""
    ids, found = sorted(set(nominee_ids)), {}
    for i in range(0, len(ids), 500):
        rows = s.connection().execute(_SUMMARY.where(col(Nominee.id).in_(ids[i : i + 500])))
        found.update((row[0], NomineeSummary(*row)) for row in rows)
    return found


def campaign_summaries(s: Session, campaign_id: int) -> dict[int, NomineeSummary]:
    """Every nominee of the campaign that has an eligible nomination, in one query."""
    eligible = (
        select(Nomination.nominee_id)
        .where(Nomination.campaign_id == campaign_id, Nomination.status == Status.eligible)
        .scalar_subquery()
    )
    rows = s.connection().execute(_SUMMARY.where(col(Nominee.id).in_(eligible)))
    return {row[0]: NomineeSummary(*row) for row in rows}


def dossier(s: Session, nominee_id: int, blind: bool) -> list[NominationForJury]:
    """Every nomination of a nominee (spam excluded), oldest first, as a juror may read it."""
    rows = s.exec(
        select(Nomination)
        .where(Nomination.nominee_id == nominee_id, Nomination.status != Status.spam)
        .order_by(Nomination.created_at, Nomination.id)
    )
    return [
        NominationForJury(
            id=n.id,
            received_at=n.created_at,
            channel=n.channel,
            nominee_name=n.nominee_name,
            position=n.nominee_position,
            institution=n.nominee_institution,
            region=n.nominee_region,
            town=n.nominee_town,
            story=n.story,
            referees=[dict(r) for r in n.referees],
            nominator_name="" if blind else n.nominator_name,
            nominator_relation="" if blind else n.nominator_relation,
        )
        for n in rows
    ]
