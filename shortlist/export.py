"""CSV export of every reading's scores, for managers (the same Excel conventions as
nominations/export.py: UTF-8 with a BOM, ``;`` between cells, formula cells escaped).

One row per reading, one column per criterion (in the board's order, headed by its name in the
reader's language): a manager can sort and average in Excel without a pivot table. Every reading
is listed, grouped by nominee, whatever its status (assigned, submitted, recused, withdrawn),
with the criteria scored so far; the reading total (weighted mean of the scores) is given only
when every criterion is scored. With ``;`` as delimiter, numbers use a decimal comma as French Excel
expects. Nominee data comes from nominations.jury_view: no nominator appears in the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations.export import BOM, DELIMITER, _chunk
from nominations.jury_view import summaries
from shortlist.criteria import ensure_defaults, label
from shortlist.models import Assignment, Criterion, Score

BATCH = 500  # readings per query: their ids go into an IN list for the scores


def _number(value: float | None, delimiter: str) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if delimiter == ";" else text


def export_scores(
    engine: Engine,
    campaign_id: int,
    lang: str = "fr",
    delimiter: str = DELIMITER,
    actor_id: int | None = None,
) -> Iterator[str]:
    """Record the download, then return the file as a generator of text chunks."""
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        ensure_defaults(s, campaign_id)
        criteria = list(
            s.exec(
                select(Criterion)
                .where(Criterion.campaign_id == campaign_id)
                .order_by(Criterion.position, Criterion.id)
            )
        )
        audit.record(s, actor_id, "scores.export", "campaign", campaign_id)
    return _chunks(engine, campaign, criteria, lang, delimiter)


def _chunks(
    engine: Engine, campaign: Campaign, criteria: list[Criterion], lang: str, delimiter: str
) -> Iterator[str]:
    header = [
        "nominee_id",
        "nominee_name",
        "region",
        "gender",
        "juror_email",
        "blind",
        "status",
        "submitted_at",
        *(label(c.name, lang) for c in criteria),
        "total",
        "comment",
    ]
    yield BOM + _chunk([header], delimiter)
    tz = ZoneInfo(campaign.timezone)
    weights = {c.id: Fraction(c.weight) for c in criteria}
    last = (0, 0)
    while True:
        after = or_(
            Assignment.nominee_id > last[0],
            and_(Assignment.nominee_id == last[0], col(Assignment.id) > last[1]),
        )
        # Each batch in its own short session: no connection is held while a client downloads.
        with db.session(engine) as s:
            batch = s.exec(
                select(Assignment, User.email)
                .join(User, col(User.id) == Assignment.juror_id)
                .where(Assignment.campaign_id == campaign.id, after)
                .order_by(Assignment.nominee_id, Assignment.id)
                .limit(BATCH)
            ).all()
            if not batch:
                return
            ids = [a.id for a, _ in batch]
            scores: dict[int, dict[int, float]] = {}
            query = select(Score).where(col(Score.assignment_id).in_(ids))
            for score in s.exec(query):
                scores.setdefault(score.assignment_id, {})[score.criterion_id] = score.value
            people = summaries(s, {a.nominee_id for a, _ in batch})
        rows = []
        for a, email in batch:
            mine = scores.get(a.id, {})
            person = people.get(a.nominee_id)
            total = None
            if all(c.id in mine for c in criteria):
                weighted = sum(weights[c.id] * Fraction(mine[c.id]) for c in criteria)
                total = float(weighted / sum(weights.values()))
            submitted = a.submitted_at.astimezone(tz) if a.submitted_at else None
            rows.append(
                [
                    a.nominee_id,
                    person.name if person else "",
                    person.region if person else "",
                    person.gender if person else "",
                    email,
                    "yes" if a.blind else "no",
                    a.status,
                    submitted.strftime("%Y-%m-%d %H:%M:%S") if submitted else "",
                    *(_number(mine.get(c.id), delimiter) for c in criteria),
                    _number(total, delimiter),
                    a.comment,
                ]
            )
        yield _chunk(rows, delimiter)
        last = (batch[-1][0].nominee_id, batch[-1][0].id)
