"""Making and changing voting rounds: a new round and its numbered candidates, new settings,
closing, and the names printed on the ballot. Each change is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, campaigns, db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.text import whole
from nominations import jury_view
from shortlist import board, decisions
from voting import counting
from voting.models import Candidate, Round
from voting.round_form import SOURCES, RoundIn
from voting.rounds import load_campaign, load_candidates, load_round, state


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


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
    result = counting.results(engine, previous.id, manager=True)
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
        campaign = load_campaign(s, campaign_id)
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
            s.add(
                Candidate(
                    round_id=r.id,
                    number=number,
                    nominee_id=nominee_id,
                    name=(names or {}).get(nominee_id, people[nominee_id].name)[:200],
                    jury_score=scores.get(nominee_id),
                )
            )
        audit.record(
            s,
            actor_id,
            "round.create",
            "round",
            r.id,
            source=form.source,
            candidates=nominee_ids,
            **{k: _jsonable(v) for k, v in values.items()},
        )
    return r


def update_round(engine: Engine, actor_id: int, round_id: int, form: RoundIn) -> Round:
    """New times and settings while the round is not closed. Candidates stay as made; once the
    round has opened its opening time stays too (ballots were cast under it)."""
    with db.session(engine) as s, s.begin():
        r = load_round(s, round_id)
        if state(r) == "closed":
            raise PhaseClosed(N_("This round is closed: its settings cannot change."))
        campaign = load_campaign(s, r.campaign_id)
        campaigns.ensure_editable(campaign)
        values = form.parse(campaign.timezone)
        if state(r) == "open" and values["opens_at"] != r.opens_at:
            raise Invalid({"opens_at": N_("The round has opened: its opening time stays.")})
        if values["weight_jury"] > 0 and any(
            c.jury_score is None for c in load_candidates(s, round_id)
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
        r = load_round(s, round_id)
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
        r = load_round(s, round_id)
        if state(r) == "closed":
            raise PhaseClosed(N_("This round is closed: its settings cannot change."))
        c = s.exec(
            select(Candidate).where(Candidate.round_id == round_id, Candidate.number == number)
        ).first()
        if c is None:
            raise NotFound(N_("No such candidate."))
        if c.name != name:
            audit.record(
                s,
                actor_id,
                "round.rename",
                "round",
                round_id,
                number=number,
                before=c.name,
                after=name,
            )
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
