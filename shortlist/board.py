"""The managers' board: every eligible nominee ranked from the jury's readings, with each one's
current stage and the balance (women and men, regions) of the view and of each stage.

A fixed number of queries however many nominees there are: the criteria and settings, the
campaign, the eligible nominees (through nominations.jury_view), every reading with its scores in
one join, and the live decisions. Ranking runs on the whole field and filters apply afterwards,
so a nominee's rank is the same whatever the filters show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from nominations import jury_view
from shortlist import criteria as criteria_service
from shortlist import ranking
from shortlist.models import Assignment, AssignmentStatus, Decision, ReviewConfig, Score, Stage

# The furthest stage a nominee reached names its place on the board.
STAGE_ORDER = (Stage.longlist, Stage.shortlist, Stage.alternate, Stage.finalist)
# The board's stage filter: "finalists" shows the finalists and their alternates together.
STAGE_FILTERS = {
    "longlist": {Stage.longlist},
    "shortlist": {Stage.shortlist},
    "finalists": {Stage.finalist, Stage.alternate},
}
GENDERS = ("female", "male", "unknown")


@dataclass(frozen=True)
class BoardFilters:
    region: str = ""
    gender: str = ""  # female, male, unknown (anything else)
    stage: str = ""  # a STAGE_FILTERS key; "" shows everyone

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> BoardFilters:
        """From a query string; an unknown value is dropped, so an old link still shows a board."""
        gender, stage = params.get("gender", ""), params.get("stage", "")
        return cls(
            region=params.get("region", "").strip()[:100],
            gender=gender if gender in GENDERS else "",
            stage=stage if stage in STAGE_FILTERS else "",
        )

    def values(self) -> dict[str, str]:
        return {"region": self.region, "gender": self.gender, "stage": self.stage}

    def query(self) -> str:
        return urlencode({k: v for k, v in self.values().items() if v})


@dataclass(frozen=True)
class CriterionLine:
    label: str
    weight: float


class BoardRow(NamedTuple):
    """A NamedTuple: a thousand are built per request, a frozen dataclass costs twice as much."""

    rank: int | None
    nominee_id: int
    name: str
    gender: str
    region: str
    position: str
    institution: str
    readings: int  # complete readings
    missing: int  # readings still needed
    complete: bool
    weighted_mean: float | None
    median: float | None
    normalised: float | None
    spread: float | None
    disagreement: bool
    stage: str  # the furthest live stage, "" for none
    alternate_position: int  # 1, 2, ... for an alternate, else 0
    # Weighted mean, median, normalised and spread as the reader writes numbers ("7,50" in
    # French): formatted here once, a thousand rows of template filters cost a third of the page.
    shown: tuple[str, str, str, str]


@dataclass(frozen=True)
class StageLine:
    stage: str
    count: int
    limit: int
    balance: ranking.Balance


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    eligible: int  # nominees on the whole board, before filters
    ranked: int  # nominees with at least one complete reading
    balance: ranking.Balance  # of the rows shown
    stages: list[StageLine]  # the stages this campaign uses, in order
    stage_choices: list[str]  # what the decision form offers
    criteria: list[CriterionLine]
    required_readings: int
    regions: list[str]
    decisions_open: bool


def stage_limits(config: ReviewConfig) -> dict[str, int]:
    """Each stage the campaign uses and how many it holds; finalists and alternates only when
    the jury picks the finalists (otherwise the public round does)."""
    limits = {Stage.longlist: config.longlist_size, Stage.shortlist: config.shortlist_size}
    if config.jury_picks_finalists:
        limits |= {Stage.finalist: config.finalists, Stage.alternate: config.alternates}
    return {str(stage): size for stage, size in limits.items() if size > 0}


def live_decisions(s: Session, campaign_id: int) -> list[Decision]:
    """The decisions not withdrawn, oldest first (alternates are ordered by ``position``)."""
    query = (
        select(Decision)
        .where(Decision.campaign_id == campaign_id, col(Decision.withdrawn).is_(False))
        .order_by(Decision.at, Decision.id)
    )
    return list(s.exec(query))


def furthest_stages(decisions: Iterable[Decision]) -> dict[int, Decision]:
    """Nominee id -> the decision of the furthest stage they are on."""
    found: dict[int, Decision] = {}
    for d in decisions:
        held = found.get(d.nominee_id)
        if held is None or STAGE_ORDER.index(d.stage) > STAGE_ORDER.index(held.stage):
            found[d.nominee_id] = d
    return found


def stage_lines(
    config: ReviewConfig,
    decisions: list[Decision],
    people: Mapping[int, tuple[str, str]],
    regions: list[str],
) -> list[StageLine]:
    """Count, size and balance of each stage the campaign uses; ``people`` maps a nominee id to
    its (gender, region)."""
    lines = []
    for stage, limit in stage_limits(config).items():
        pairs = [people.get(d.nominee_id, ("", "")) for d in decisions if d.stage == stage]
        lines.append(StageLine(stage, len(pairs), limit, ranking.balance(pairs, regions)))
    return lines


def _readings(s: Session, campaign_id: int, criterion_ids: list[int]) -> list[ranking.Reading]:
    """Every live reading of the campaign with its scores: one row per reading, a column per
    criterion (None where not scored yet). A submitted reading counts in the ranking; an
    assigned one (a draft) is passed as not submitted."""
    live = (AssignmentStatus.assigned, AssignmentStatus.submitted)
    columns = [func.max(case((Score.criterion_id == c, Score.value))) for c in criterion_ids]
    query = (
        select(Assignment.nominee_id, Assignment.juror_id, Assignment.status, *columns)
        .join(Score, col(Score.assignment_id) == Assignment.id, isouter=True)
        .where(Assignment.campaign_id == campaign_id, col(Assignment.status).in_(live))
        .group_by(Assignment.id)
    )
    # Plain Core rows: the ORM's result machinery would cost more than the query itself.
    rows = s.connection().execute(query).all()
    return [
        ranking.Reading(
            nominee_id,
            juror_id,
            dict(zip(criterion_ids, values, strict=True)),
            status == AssignmentStatus.submitted,
        )
        for nominee_id, juror_id, status, *values in rows
    ]


def _keep(row: BoardRow, f: BoardFilters, stages_of: Mapping[int, set[str]]) -> bool:
    if f.region and row.region != f.region:
        return False
    if f.gender and (row.gender if row.gender in ("female", "male") else "unknown") != f.gender:
        return False
    return not f.stage or bool(stages_of.get(row.nominee_id, set()) & STAGE_FILTERS[f.stage])


def _shown(entry: ranking.RankedNominee, comma: bool) -> tuple[str, str, str, str]:
    if entry.weighted_mean is None:
        return ("–", "–", "–", "–")
    values = (entry.weighted_mean, entry.median, entry.normalised, entry.spread)
    texts = [f"{v:.2f}" for v in values]
    return tuple(t.replace(".", ",") for t in texts) if comma else tuple(texts)


def load_board(engine: Engine, campaign_id: int, filters: BoardFilters, lang: str) -> Board:
    config, criteria = criteria_service.load(engine, campaign_id)
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        people = jury_view.campaign_summaries(s, campaign_id)
        readings = _readings(s, campaign_id, [c.id for c in criteria])
        decisions = live_decisions(s, campaign_id)
        # A nominee on a stage who is no longer eligible still counts in that stage's balance.
        strays = {d.nominee_id for d in decisions} - people.keys()
        others = jury_view.summaries(s, strays) if strays else {}
    required = max(1, config.readings_per_nominee)
    board = ranking.rank(
        [ranking.Criterion(c.id, c.weight) for c in criteria], readings, sorted(people), required
    )
    furthest = furthest_stages(decisions)
    stages_of: dict[int, set[str]] = {}
    for d in decisions:
        stages_of.setdefault(d.nominee_id, set()).add(d.stage)
    rows, comma = [], lang == "fr"
    for entry in board:
        person = people[entry.nominee_id]
        held = furthest.get(entry.nominee_id)
        row = BoardRow(
            rank=entry.rank,
            nominee_id=entry.nominee_id,
            name=person.name,
            gender=person.gender,
            region=person.region,
            position=person.position,
            institution=person.institution,
            readings=entry.readings,
            missing=entry.missing,
            complete=entry.complete,
            weighted_mean=entry.weighted_mean,
            median=entry.median,
            normalised=entry.normalised,
            spread=entry.spread,
            disagreement=entry.disagreement,
            stage=held.stage if held else "",
            alternate_position=held.position if held and held.stage == Stage.alternate else 0,
            shown=_shown(entry, comma),
        )
        if _keep(row, filters, stages_of):
            rows.append(row)
    regions = list(campaign.regions)
    limits = stage_limits(config)
    return Board(
        rows=rows,
        eligible=len(board),
        ranked=sum(1 for e in board if e.rank is not None),
        balance=ranking.balance([(r.gender, r.region) for r in rows], regions),
        stages=stage_lines(
            config,
            decisions,
            {i: (p.gender, p.region) for i, p in (people | others).items()},
            regions,
        ),
        stage_choices=list(limits),
        criteria=[CriterionLine(criteria_service.label(c.name, lang), c.weight) for c in criteria],
        required_readings=required,
        regions=regions,
        decisions_open=db.utcnow() >= campaign.review_start,
    )
