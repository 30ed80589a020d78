"""A juror's board: their readings with progress, filters and pages, in a fixed number of
statements however many readings there are (a juror may hold several hundred)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db
from campaign.text import whole
from nominations import jury_view
from nominations.jury_view import NomineeSummary
from nominations.normalise import fold
from shortlist.models import Assignment, Criterion, Score
from shortlist.models import AssignmentStatus as St

SEARCH_MAX = 100
PER_PAGE = 100
BOARD_STATUSES = ("todo", "progress", "submitted")


@dataclass(frozen=True)
class BoardFilters:
    status: str = ""  # one of BOARD_STATUSES, or "" for all
    region: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> BoardFilters:
        """A malformed value is dropped, not refused: a bookmarked URL still shows a board."""
        status, page = params.get("status", ""), params.get("page", "")
        return cls(
            status=status if status in BOARD_STATUSES else "",
            region=params.get("region", "").strip()[:100],
            q=" ".join(params.get("q", "").split())[:SEARCH_MAX],
            page=whole(page, 1, 10**6, 1),
        )

    def query(self) -> str:
        """The set filters (not the page) as a query string, for pager links."""
        values = {"status": self.status, "region": self.region, "q": self.q}
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class BoardRow:
    assignment_id: int
    nominee: NomineeSummary
    blind: bool
    scored: int  # criteria with a score
    state: str  # one of BOARD_STATUSES


@dataclass(frozen=True)
class JurorBoard:
    rows: list[BoardRow]  # the page shown: open readings first, then in assignment order
    matching: int  # readings that match the filters, on every page
    page: int
    pages: int
    total: int  # every reading of the juror, whatever the filters
    submitted: int
    in_progress: int
    criteria_count: int


def _state(status: str, scored: int) -> str:
    return "submitted" if status == St.submitted else "progress" if scored else "todo"


def board(
    engine: Engine,
    juror_id: int,
    campaign_id: int,
    filters: BoardFilters = BoardFilters(),
    per_page: int = PER_PAGE,
) -> JurorBoard:
    """The juror's readings (assigned or submitted) with progress: open ones first, in the order
    they were assigned. Nominee details are read for the shown page only, unless a region or
    name filter needs them all; four queries at most, however many readings."""
    with db.session(engine) as s, s.begin():
        criteria_count = s.exec(
            select(func.count()).select_from(Criterion).where(Criterion.campaign_id == campaign_id)
        ).one()
        found = s.exec(
            select(
                Assignment.id,
                Assignment.nominee_id,
                Assignment.blind,
                Assignment.status,
                func.count(col(Score.id)),
            )
            .outerjoin(Score, col(Score.assignment_id) == Assignment.id)
            .where(
                Assignment.juror_id == juror_id,
                Assignment.campaign_id == campaign_id,
                col(Assignment.status).in_((St.assigned, St.submitted)),
            )
            .group_by(Assignment.id)
            .order_by(Assignment.id)
        ).all()
        states = [_state(row[3], row[4]) for row in found]
        rows = [
            row
            for row, state in zip(found, states, strict=True)
            if not filters.status or state == filters.status
        ]
        rows.sort(key=lambda row: row[3] == St.submitted)  # stable: assignment order kept
        everyone = bool(filters.region or filters.q)
        if everyone:
            nominees = jury_view.summaries(s, [row[1] for row in rows])
            q = fold(filters.q, join_apostrophes=True)
            rows = [
                row
                for row in rows
                if (not filters.region or nominees[row[1]].region == filters.region)
                and (not q or q in fold(nominees[row[1]].name, join_apostrophes=True))
            ]
        pages = max(1, -(-len(rows) // per_page))
        page = min(filters.page, pages)
        shown = rows[(page - 1) * per_page : page * per_page]
        if not everyone:
            nominees = jury_view.summaries(s, [row[1] for row in shown])
    return JurorBoard(
        rows=[
            BoardRow(aid, nominees[nid], blind, scored, _state(status, scored))
            for aid, nid, blind, status, scored in shown
        ],
        matching=len(rows),
        page=page,
        pages=pages,
        total=len(found),
        submitted=states.count("submitted"),
        in_progress=states.count("progress"),
        criteria_count=criteria_count,
    )
