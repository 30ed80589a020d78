"""Voting rounds: making and changing them, closing, the live count, results (blended by
voting.tally), fraud review (signals from voting.fraud; managers void, nothing is deleted) and
the tally's exports (JSON for the command line, CSV without personal data).

Results are hidden from the public until the round closes (a manager closes it, or its closing
time passes) unless the round shows them live; managers always see them.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, campaigns, db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from campaign.text import whole
from nominations import jury_view
from nominations.export import BOM, DELIMITER, escape_cell
from shortlist import board, decisions
from voting import fraud, tally
from voting.models import Ballot, Candidate, Round, VoteAttempt

SOURCES = ("shortlist", "finalists", "round")
LIVE_WINDOW = timedelta(minutes=60)
MAX_SEATS, REASON_MAX = 100, 500
MAX_CODE_BUDGET = 100_000
NO_ROUND = N_("No such round.")
CSV_COLUMNS = [
    "place", "number", "name", "web", "sms", "total", "void",
    "web_share", "sms_share", "jury_share", "blended", "outcome",
]  # fmt: skip


@dataclass(frozen=True)
class RoundIn:
    """The round form as typed; ``parse`` validates it into values for the table."""

    title: str = ""
    opens_at: str = ""
    closes_at: str = ""
    seats: str = "5"
    alternates: str = "0"
    channels: tuple[str, ...] = ("web", "sms")
    results_live: bool = False
    weight_jury: str = "50"
    weight_web: str = "25"
    weight_sms: str = "25"
    code_budget: str = "60"
    source: str = "shortlist"  # shortlist | finalists | round (the previous round's seats)
    previous_round_id: str = ""

    def parse(self, tz: str) -> dict:
        errors: dict[str, str] = {}
        title = " ".join(self.title.split())
        if not 3 <= len(title) <= 200:
            errors["title"] = N_("Between 3 and 200 characters.")
        times = {}
        for name in ("opens_at", "closes_at"):
            try:
                local = datetime.fromisoformat(getattr(self, name).strip())
                times[name] = local.replace(tzinfo=ZoneInfo(tz))
            except ValueError:
                errors[name] = N_("Enter a date and time.")
        if len(times) == 2 and times["closes_at"] <= times["opens_at"]:
            errors["closes_at"] = N_("The round must close after it opens.")
        seats = _whole(self.seats, 1, "seats", errors)
        alternates = _whole(self.alternates, 0, "alternates", errors)
        if not set(self.channels) & {"web", "sms"}:
            errors["channels"] = N_("Choose at least one channel.")
        weights = {}
        for name in ("weight_jury", "weight_web", "weight_sms"):
            try:
                weights[name] = float(getattr(self, name).strip().replace(",", "."))
            except ValueError:
                weights[name] = -1.0
            if not (math.isfinite(weights[name]) and 0 <= weights[name] <= 1000):
                errors[name] = N_("A number from 0 to 1,000.")
        budget = str(self.code_budget).strip()
        if whole(budget, 1, MAX_CODE_BUDGET) is None:
            errors["code_budget"] = N_("A whole number from 1 to 100,000.")
        if len(weights) == 3 and not any(weights.values()) and "weight_jury" not in errors:
            errors["weight_jury"] = N_("At least one weight must be above 0.")
        if errors:
            raise Invalid(errors)
        return {
            "title": title,
            **times,
            "seats": seats,
            "alternates": alternates,
            "web_enabled": "web" in self.channels,
            "sms_enabled": "sms" in self.channels,
            "results_live": self.results_live,
            "code_budget": int(budget),
            **weights,
        }


def _whole(raw: str, least: int, name: str, errors: dict[str, str]) -> int:
    text = str(raw).strip()
    if whole(text, least, MAX_SEATS) is None:
        errors[name] = N_("A whole number from 1 to 100.") if least else N_("From 0 to 100.")
        return 0
    return int(text)


def state(r: Round, now: datetime | None = None) -> str:
    """upcoming, open or closed (by a manager, or its closing time passed)."""
    now = now or db.utcnow()
    if r.closed_at is not None or now >= r.closes_at:
        return "closed"
    return "open" if now >= r.opens_at else "upcoming"


def _campaign(s: Session, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    return campaign


def _round(s: Session, round_id: int) -> Round:
    r = s.get(Round, round_id)
    if r is None:
        raise NotFound(NO_ROUND)
    return r


def _candidates(s: Session, round_id: int) -> list[Candidate]:
    query = select(Candidate).where(Candidate.round_id == round_id).order_by(Candidate.number)
    return list(s.exec(query))


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


# --- making and changing rounds ---------------------------------------------------------------


def _source_nominees(engine: Engine, campaign_id: int, form: RoundIn) -> tuple[list[int], int]:
    """The nominee ids a new round takes, in the stage's order, and its previous round (or 0)."""
    if form.source not in SOURCES:
        raise Invalid({"source": N_("Choose where the candidates come from.")})
    if form.source != "round":
        entries = decisions.stages(engine, campaign_id)
        # Alternates stand by in case a finalist withdraws; they are not on the ballot.
        chosen = entries["finalist"] if form.source == "finalists" else entries["shortlist"]
        return [e.nominee_id for e in chosen], 0
    previous_id = whole(form.previous_round_id, 1, default=0)
    with db.session(engine) as s:
        previous = s.get(Round, previous_id) if previous_id else None
    if previous is None or previous.campaign_id != campaign_id:
        raise Invalid({"previous_round_id": N_("Choose a round of this campaign.")})
    if state(previous) != "closed":
        raise Invalid({"previous_round_id": N_("That round has not closed yet.")})
    result = results(engine, previous.id, manager=True)
    return [row.nominee_id for row in result.rows if row.outcome == "seat"], previous.id


def create_round(
    engine: Engine,
    actor_id: int,
    campaign_id: int,
    form: RoundIn,
    names: dict[int, str] | None = None,
) -> Round:
    """A new round with its numbered candidates; Invalid (nothing made) for a bad form.
    ``names`` (nominee id -> name as a manager corrected it, a profile's) win over the
    nominations' most frequent spelling: voters text the number printed beside the name."""
    with db.session(engine) as s:
        campaign = _campaign(s, campaign_id)
        campaigns.ensure_editable(campaign)
        tz = campaign.timezone
    values = form.parse(tz)
    nominee_ids, previous_id = _source_nominees(engine, campaign_id, form)
    if not nominee_ids:
        raise Invalid({"source": N_("There are no candidates at this stage yet.")})
    scores = {
        row.nominee_id: row.normalised
        for row in board.load_board(engine, campaign_id, board.BoardFilters(), "en").rows
    }
    if values["weight_jury"] > 0 and any(scores.get(i) is None for i in nominee_ids):
        raise Invalid(
            {"weight_jury": N_("Some candidates have no jury score: set the jury weight to 0.")}
        )
    with db.session(engine) as s, s.begin():
        r = Round(campaign_id=campaign_id, previous_round_id=previous_id or None, **values)
        s.add(r)
        s.flush()
        people = jury_view.summaries(s, nominee_ids)
        for number, nominee_id in enumerate(nominee_ids, start=1):
            s.add(Candidate(round_id=r.id, number=number, nominee_id=nominee_id,
                            name=(names or {}).get(nominee_id, people[nominee_id].name)[:200],
                            jury_score=scores.get(nominee_id)))  # fmt: skip
        audit.record(s, actor_id, "round.create", "round", r.id, source=form.source,
                     candidates=nominee_ids,
                     **{k: _jsonable(v) for k, v in values.items()})  # fmt: skip
    return r


def update_round(engine: Engine, actor_id: int, round_id: int, form: RoundIn) -> Round:
    """New times and settings while the round is not closed. Candidates stay as made; once the
    round has opened its opening time stays too (ballots were cast under it)."""
    with db.session(engine) as s, s.begin():
        r = _round(s, round_id)
        if state(r) == "closed":
            raise PhaseClosed(N_("This round is closed: its settings cannot change."))
        campaign = _campaign(s, r.campaign_id)
        campaigns.ensure_editable(campaign)
        values = form.parse(campaign.timezone)
        if state(r) == "open" and values["opens_at"] != r.opens_at:
            raise Invalid({"opens_at": N_("The round has opened: its opening time stays.")})
        if values["weight_jury"] > 0 and any(
            c.jury_score is None for c in _candidates(s, round_id)
        ):
            raise Invalid(
                {"weight_jury": N_("Some candidates have no jury score: set the jury weight to 0.")}
            )
        changed = {}
        for key, value in values.items():
            if getattr(r, key) != value:
                changed[key] = [_jsonable(getattr(r, key)), _jsonable(value)]
                setattr(r, key, value)
        if changed:
            audit.record(s, actor_id, "round.update", "round", r.id, changed=changed)
    return r


def close_round(engine: Engine, actor_id: int, round_id: int) -> Round:
    """Close now; closing a closed round changes nothing."""
    with db.session(engine) as s, s.begin():
        r = _round(s, round_id)
        if r.closed_at is None:
            r.closed_at = db.utcnow()
            audit.record(s, actor_id, "round.close", "round", r.id)
    return r


def rename_candidate(engine: Engine, actor_id: int, round_id: int, number: int, name: str) -> str:
    """A manager corrects the name printed on the ballot (a nominator's misspelling) until the
    round closes; the number stays. Invalid, changing nothing, for an empty or too long name."""
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 200:
        raise Invalid({f"name_{number}": N_("Between 2 and 200 characters.")})
    with db.session(engine) as s, s.begin():
        r = _round(s, round_id)
        if state(r) == "closed":
            raise PhaseClosed(N_("This round is closed: its settings cannot change."))
        c = s.exec(
            select(Candidate).where(Candidate.round_id == round_id, Candidate.number == number)
        ).first()
        if c is None:
            raise NotFound(N_("No such candidate."))
        if c.name != name:
            audit.record(s, actor_id, "round.rename", "round", round_id, number=number,
                         before=c.name, after=name)  # fmt: skip
            c.name = name
    return name


def correct_names(s: Session, names: dict[int, str]) -> None:
    """Candidates of rounds not closed take these nominees' corrected names (a profile's, as a
    manager edits it); a closed round keeps the names its votes were cast under."""
    if not names:
        return
    now = db.utcnow()
    rows = s.exec(
        select(Candidate)
        .join(Round, col(Round.id) == Candidate.round_id)
        .where(
            col(Candidate.nominee_id).in_(names),
            col(Round.closed_at).is_(None),
            Round.closes_at > now,
        )
    ).all()
    for c in rows:
        c.name = names[c.nominee_id][:200]


@dataclass(frozen=True)
class RoundLine:
    round: Round
    state: str
    candidates: int
    counted: int  # votes not void


def rounds(engine: Engine, campaign_id: int) -> list[RoundLine]:
    """The campaign's rounds, latest first, in three queries."""
    with db.session(engine) as s:
        found = list(
            s.exec(
                select(Round)
                .where(Round.campaign_id == campaign_id)
                .order_by(col(Round.opens_at).desc(), col(Round.id).desc())
            )
        )
        ids = [r.id for r in found]
        sizes = dict(
            s.exec(
                select(Candidate.round_id, func.count())
                .where(col(Candidate.round_id).in_(ids))
                .group_by(Candidate.round_id)
            ).all()
        )
        counted = dict(
            s.exec(
                select(Ballot.round_id, func.count())
                .where(col(Ballot.round_id).in_(ids), col(Ballot.void).is_(False))
                .group_by(Ballot.round_id)
            ).all()
        )
    now = db.utcnow()
    return [RoundLine(r, state(r, now), sizes.get(r.id, 0), counted.get(r.id, 0)) for r in found]


@dataclass(frozen=True)
class RoundDetail:
    round: Round
    state: str
    candidates: list[Candidate]
    timezone: str
    form: dict[str, str]  # the settings as the form shows them


def detail(engine: Engine, round_id: int) -> RoundDetail:
    with db.session(engine) as s:
        r = _round(s, round_id)
        tz = _campaign(s, r.campaign_id).timezone
        candidates = _candidates(s, round_id)
    return RoundDetail(r, state(r), candidates, tz, form_values(r, tz))


def form_values(r: Round, tz: str) -> dict[str, str]:
    local = ZoneInfo(tz)
    return {
        "title": r.title,
        "opens_at": r.opens_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": r.closes_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "seats": str(r.seats),
        "alternates": str(r.alternates),
        "channels": [c for c, on in (("web", r.web_enabled), ("sms", r.sms_enabled)) if on],
        "results_live": r.results_live,
        "weight_jury": f"{r.weight_jury:g}",
        "weight_web": f"{r.weight_web:g}",
        "weight_sms": f"{r.weight_sms:g}",
        "code_budget": str(r.code_budget),
    }


# --- counting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveRow:
    number: int
    name: str
    web: int
    sms: int
    total: int
    void: int


@dataclass(frozen=True)
class LiveCount:
    round_id: int
    rows: list[LiveRow]
    web: int
    sms: int
    total: int
    void: int
    buckets: list[tally.Bucket]  # the last hour, per minute
    at: datetime
    peak: int = field(default=0)  # the busiest bucket, for the chart's scale


def _counts(s: Session, round_id: int) -> dict[int, dict[str, int]]:
    """Candidate id -> {"web", "sms", "void"}: one GROUP BY query."""
    rows = s.exec(
        select(Ballot.candidate_id, Ballot.channel, Ballot.void, func.count())
        .where(Ballot.round_id == round_id)
        .group_by(Ballot.candidate_id, Ballot.channel, Ballot.void)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for candidate_id, channel, void, n in rows:
        tally_of = counts.setdefault(candidate_id, {"web": 0, "sms": 0, "void": 0})
        tally_of["void" if void else channel] += n
    return counts


def live_count(engine: Engine, round_id: int) -> LiveCount:
    """Votes per candidate and channel, and the last hour per minute: four queries."""
    now = db.utcnow()
    start = now - LIVE_WINDOW
    with db.session(engine) as s:
        _round(s, round_id)
        candidates = _candidates(s, round_id)
        counts = _counts(s, round_id)
        recent = s.exec(
            select(Ballot.channel, Ballot.at).where(
                Ballot.round_id == round_id, col(Ballot.void).is_(False), Ballot.at >= start
            )
        ).all()
    rows = []
    for c in candidates:
        n = counts.get(c.id, {"web": 0, "sms": 0, "void": 0})
        rows.append(LiveRow(c.number, c.name, n["web"], n["sms"], n["web"] + n["sms"], n["void"]))
    votes = (tally.Vote(0, channel, False, at) for channel, at in recent)
    buckets = tally.per_minute(votes, start, now)
    web, sms = sum(r.web for r in rows), sum(r.sms for r in rows)
    return LiveCount(
        round_id=round_id,
        rows=rows,
        web=web,
        sms=sms,
        total=web + sms,
        void=sum(r.void for r in rows),
        buckets=buckets,
        at=now,
        peak=max((b.web + b.sms for b in buckets), default=0),
    )


def shown(r: Round, now: datetime | None = None) -> bool:
    """Whether the public may see the round's results now."""
    return r.results_live or state(r, now) == "closed"


def _result(s: Session, r: Round) -> tally.Result:
    candidates = _candidates(s, r.id)
    counts = _counts(s, r.id)
    at = r.opens_at
    votes = []
    for c in candidates:
        n = counts.get(c.id, {})
        # The tally needs votes, not rows: repeat one per count instead of reading every ballot.
        votes.append(itertools.repeat(tally.Vote(c.number, "web", False, at), n.get("web", 0)))
        votes.append(itertools.repeat(tally.Vote(c.number, "sms", False, at), n.get("sms", 0)))
        votes.append(itertools.repeat(tally.Vote(c.number, "web", True, at), n.get("void", 0)))
    return tally.tally(
        [tally.Candidate(c.number, c.nominee_id, c.name) for c in candidates],
        itertools.chain.from_iterable(votes),
        tally.Weights(r.weight_jury, r.weight_web, r.weight_sms),
        {c.number: c.jury_score for c in candidates if c.jury_score is not None},
        r.seats,
        r.alternates,
    )


def results(engine: Engine, round_id: int, *, manager: bool = False) -> tally.Result | None:
    """The round's blended result; None for the public while it is hidden."""
    with db.session(engine) as s:
        r = _round(s, round_id)
        if not manager and not shown(r):
            return None
        return _result(s, r)


@dataclass(frozen=True)
class VoteNow:
    """What /vote and /results show at this instant, for pages that only mention it."""

    open_until: datetime | None  # a round is open now, until then
    next_opens_at: datetime | None  # the next round not yet open
    published: bool  # some round's results are public


def vote_now(engine: Engine, campaign_id: int, now: datetime | None = None) -> VoteNow:
    """One query over the campaign's rounds: the home page says what /vote says, whatever the
    phase dates claim (a manager may open a round late, or early)."""
    now = now or db.utcnow()
    with db.session(engine) as s:
        found = list(s.exec(select(Round).where(Round.campaign_id == campaign_id)))
    opened = [r for r in found if state(r, now) == "open"]
    upcoming = [r.opens_at for r in found if state(r, now) == "upcoming"]
    return VoteNow(
        max(r.closes_at for r in opened) if opened else None,
        min(upcoming) if upcoming else None,
        any(shown(r, now) and r.opens_at <= now for r in found),
    )


@dataclass(frozen=True)
class PublicResults:
    round: Round
    result: tally.Result | None  # None: hidden until the close
    final: bool  # closed: the seats and alternates are decided
    timezone: str


def public_results(engine: Engine, campaign_id: int) -> PublicResults | None:
    """For /results: the latest round whose results may be shown, else the latest round (its
    results hidden), else None."""
    with db.session(engine) as s:
        campaign = _campaign(s, campaign_id)
        found = list(
            s.exec(
                select(Round)
                .where(Round.campaign_id == campaign_id, Round.opens_at <= db.utcnow())
                .order_by(col(Round.opens_at).desc(), col(Round.id).desc())
            )
        )
        if not found:
            return None
        visible = next((r for r in found if shown(r)), None)
        r = visible or found[0]
        result = _result(s, r) if visible else None
    return PublicResults(r, result, state(r) == "closed", campaign.timezone)


# --- fraud review -----------------------------------------------------------------------------


def clusters(engine: Engine, round_id: int) -> list[fraud.Cluster]:
    """The round's fraud signals. A vote attempt whose ballot was never made cannot be voided
    and is left out."""
    with db.session(engine) as s:
        _round(s, round_id)
        # A vote's choice is its ballot's: the attempts log keeps none beside the phone's hash.
        rows = s.exec(
            select(VoteAttempt, Candidate.number)
            .outerjoin(Ballot, col(Ballot.id) == VoteAttempt.ballot_id)
            .outerjoin(Candidate, col(Candidate.id) == Ballot.candidate_id)
            .where(VoteAttempt.round_id == round_id)
            .order_by(VoteAttempt.at)
        ).all()
    attempts = [
        fraud.Attempt(
            a.at,
            a.channel,
            number,
            a.phone_hash,
            a.phone_seq,
            a.address,
            a.browser,
            a.kind,
            a.ballot_id,
        )  # fmt: skip
        for a, number in rows
        if a.kind != "vote" or a.ballot_id is not None
    ]
    return fraud.signals(attempts)


def void_cluster(
    engine: Engine,
    actor_id: int,
    round_id: int,
    vote_ids: list[int],
    reason: str,
    kind: str = "",
    key: str = "",
) -> int:
    """Mark the round's ballots ``vote_ids`` void with ``reason`` (never deleted); returns how
    many were voided. Invalid, changing nothing, without a reason, without ids, or when an id is
    not a ballot of this round."""
    reason = " ".join(str(reason).split())
    errors = {}
    if not reason:
        errors["reason"] = N_("Say why.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = N_("At most 500 characters.")
    ids = sorted(set(vote_ids))
    if not ids:
        errors["vote_ids"] = N_("No votes to void.")
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        _round(s, round_id)
        ballots = []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            ballots += s.exec(select(Ballot).where(col(Ballot.id).in_(part))).all()
        if len(ballots) != len(ids) or any(b.round_id != round_id for b in ballots):
            raise Invalid({"vote_ids": N_("Some of these votes are not in this round.")})
        fresh = [b for b in ballots if not b.void]
        if not fresh:
            raise Invalid({"vote_ids": N_("These votes are already void.")})
        for b in fresh:
            b.void, b.void_reason = True, reason
        audit.record(s, actor_id, "round.void", "round", round_id, kind=kind[:40],
                     key=key[:200], reason=reason,
                     ballots=sorted(b.id for b in fresh))  # fmt: skip
    return len(fresh)


# --- exports ----------------------------------------------------------------------------------


def latest_round_id(engine: Engine) -> int:
    with db.session(engine) as s:
        found = s.exec(
            select(Round.id).order_by(col(Round.opens_at).desc(), col(Round.id).desc())
        ).first()
    if found is None:
        raise NotFound(NO_ROUND)
    return found


def tally_json(engine: Engine, round_id: int | None = None) -> dict:
    """The count for the command line (operators see it whether or not the public may)."""
    round_id = latest_round_id(engine) if round_id is None else round_id
    with db.session(engine) as s:
        r = _round(s, round_id)
        candidates = _candidates(s, round_id)
        counts = _counts(s, round_id)
    rows = []
    for c in candidates:
        n = counts.get(c.id, {"web": 0, "sms": 0, "void": 0})
        rows.append({"number": c.number, "name": c.name, "web": n["web"], "sms": n["sms"],
                     "total": n["web"] + n["sms"], "void": n["void"]})  # fmt: skip
    return {
        "round": {
            "id": r.id,
            "title": r.title,
            "opens_at": r.opens_at.isoformat(),
            "closes_at": r.closes_at.isoformat(),
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            "state": state(r),
        },
        "candidates": rows,
    }


def tally_csv(engine: Engine, round_id: int, actor_id: int | None = None) -> Iterator[str]:
    """The blended result as CSV for Excel (UTF-8 BOM, ``;``): candidates and counts only, no
    voter data. Computed and audited at once; the returned iterator only writes."""
    with db.session(engine) as s, s.begin():
        r = _round(s, round_id)
        result = _result(s, r)
        audit.record(s, actor_id, "round.export", "round", round_id, rows=len(result.rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        cells = [row.place, row.number, row.name, row.web, row.sms, row.total, row.void,
                 f"{row.web_share:.4f}", f"{row.sms_share:.4f}", f"{row.jury_share:.4f}",
                 f"{row.blended:.4f}", row.outcome]  # fmt: skip
        writer.writerow([escape_cell(v) for v in cells])
    return iter([BOM + buffer.getvalue()])
