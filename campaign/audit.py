"""The audit log: who did what, on what, when. Written inside the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from campaign import db
from campaign.models import AuditEvent, User


def record(
    s: Session,
    actor_id: int | None,
    action: str,
    target_type: str = "",
    target_id: object = "",
    **details: object,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
    s.add(event)
    return event


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str
    details: dict


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    actions: list[str]


def search(
    engine: Engine,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AuditPage:
    """Newest first, filtered; one query for the rows (actor joined), one for the count."""
    conditions = []
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if action:
        conditions.append(AuditEvent.action == action)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    with db.session(engine) as s:
        rows = s.exec(
            select(AuditEvent, User.email)
            .join(User, User.id == AuditEvent.actor_id, isouter=True)
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        total = s.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
        actions = s.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return AuditPage(
        rows=[
            AuditRow(
                at=e.at,
                actor=email or "",
                action=e.action,
                target=f"{e.target_type} {e.target_id}".strip(),
                details=e.details,
            )
            for e, email in rows
        ],
        total=total,
        actions=list(actions),
    )
