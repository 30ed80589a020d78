"""Readings as managers see them: every juror's workload, the filtered list of readings with who
could take each one over, and how many readings are still to do. Each in a fixed number of
queries, however many nominees. Changing readings is in shortlist.assignment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import db
from campaign.models import Role, User
from campaign.text import whole
from nominations import jury_view
from shortlist.models import Assignment, AssignmentStatus

Status = AssignmentStatus


@dataclass(frozen=True)
class JurorLoad:
    id: int
    label: str
    active: bool
    assigned: int
    submitted: int
    recused: int


def _workload(s: Session, campaign_id: int) -> list[JurorLoad]:
    counts = s.exec(
        select(Assignment.juror_id, Assignment.status, func.count())
        .where(Assignment.campaign_id == campaign_id)
        .group_by(Assignment.juror_id, Assignment.status)
    ).all()
    by_juror = {(juror, status): n for juror, status, n in counts}
    # Jurors, and anyone who once read for this campaign (a juror whose role changed since).
    people = s.exec(
        select(User)
        .where(or_(User.role == Role.juror, col(User.id).in_(sorted({j for j, _s, _n in counts}))))
        .order_by(User.name, User.id)
    )
    loads = []
    for u in people:
        assigned, submitted, recused = (
            by_juror.get((u.id, status), 0)
            for status in (Status.assigned, Status.submitted, Status.recused)
        )
        active = u.active and u.role == Role.juror
        loads.append(JurorLoad(u.id, u.name or u.email, active, assigned, submitted, recused))
    return loads


def workload(engine: Engine, campaign_id: int) -> list[JurorLoad]:
    """Per juror: readings to do, submitted and declined, in two queries."""
    with db.session(engine) as s:
        return _workload(s, campaign_id)


@dataclass(frozen=True)
class Filters:
    juror: int | None = None
    status: str = ""
    nominee: int | None = None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        """From a query string; a malformed value is dropped, so a hand-edited URL still works."""
        juror, status, nominee = (params.get(k, "") for k in ("juror", "status", "nominee"))
        return cls(
            juror=whole(juror, 1, 10**9),
            status=status if status in {s.value for s in Status} else "",
            nominee=whole(nominee, 1, 10**9),
        )

    def query(self) -> str:
        values = {"juror": self.juror, "status": self.status, "nominee": self.nominee}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class ReadingRow:
    id: int
    nominee_id: int
    nominee_name: str
    region: str
    juror: str
    blind: bool
    status: str
    recusal_reason: str
    candidates: list[JurorLoad]  # who could take it over; empty unless it is still to read


@dataclass(frozen=True)
class Readings:
    workload: list[JurorLoad]
    rows: list[ReadingRow]
    total: int
    page: int
    pages: int


def readings(
    engine: Engine, campaign_id: int, filters: Filters, page: int = 1, per_page: int = 50
) -> Readings:
    """The managers' view of readings, by nominee, with the workload of every juror."""
    conditions = [Assignment.campaign_id == campaign_id]
    if filters.juror is not None:
        conditions.append(Assignment.juror_id == filters.juror)
    if filters.status:
        conditions.append(Assignment.status == filters.status)
    if filters.nominee is not None:
        conditions.append(Assignment.nominee_id == filters.nominee)
    with db.session(engine) as s:
        loads = _workload(s, campaign_id)
        total = s.exec(select(func.count()).select_from(Assignment).where(*conditions)).one()
        pages = max(1, -(-total // per_page))
        page = min(max(page, 1), pages)
        rows = s.exec(
            select(Assignment)
            .where(*conditions)
            .order_by(Assignment.nominee_id, Assignment.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        nominee_ids = sorted({a.nominee_id for a in rows})
        names = jury_view.summaries(s, nominee_ids)
        taken = defaultdict(set)
        query = select(Assignment.nominee_id, Assignment.juror_id)
        for nominee, juror in s.exec(query.where(col(Assignment.nominee_id).in_(nominee_ids))):
            taken[nominee].add(juror)
    by_id = {j.id: j for j in loads}
    result = []
    for a in rows:
        summary = names.get(a.nominee_id)
        free = [j for j in loads if j.active and j.id not in taken[a.nominee_id]]
        juror = by_id.get(a.juror_id)
        result.append(
            ReadingRow(
                id=a.id,
                nominee_id=a.nominee_id,
                nominee_name=summary.name if summary else "",
                region=summary.region if summary else "",
                juror=juror.label if juror else "",
                blind=a.blind,
                status=a.status,
                recusal_reason=a.recusal_reason,
                candidates=free if a.status == Status.assigned else [],
            )
        )
    return Readings(loads, result, total, page, pages)


def live_readings(engine: Engine, campaign_id: int) -> int:
    """Readings given to a juror and neither declined nor moved (to read, or handed in): none
    in an open review means nobody assigned the readings. Handed-in readings count, or the
    managers would be told to assign readings once the jury has finished them."""
    live = (AssignmentStatus.assigned, AssignmentStatus.submitted)
    with db.session(engine) as s:
        query = select(func.count()).where(
            Assignment.campaign_id == campaign_id, col(Assignment.status).in_(live)
        )
        return s.exec(query).one()
