"""Staged shortlist decisions: longlist, shortlist, then (when the jury picks them) finalists
and ordered alternates. Each pick carries a justification and an audit event; nothing is ever
deleted, a decision is withdrawn with a reason.

Rules
    The stages nest: a shortlist pick must be on the longlist, a finalist or alternate on the
    shortlist (on the longlist when the campaign skips the shortlist). A stage of size 0 is not
    used; finalists and alternates exist only when ``ReviewConfig.jury_picks_finalists``.
    A stage never holds more than its size. A nominee is either a finalist or an alternate.
    Decisions open with the review and stay open afterwards: a finalist may withdraw during the
    public vote. Every call is all or nothing: one bad pick and nothing changes.
Removing
    Removing a pick also withdraws the nominee's later-stage picks (removing a longlist pick
    takes them off the shortlist and the finals too), so the stages always nest. Removing never
    promotes anyone; ``withdraw_finalist`` does: alternate 1 becomes a finalist and the others
    move up. Alternates are renumbered 1..n whenever one leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign, User
from nominations import jury_view
from shortlist import board
from shortlist.criteria import ensure_defaults
from shortlist.models import Decision, ReviewConfig, Stage

JUSTIFICATION_MAX = 2000
REASON_MAX = 500
LATER = {
    Stage.longlist: (Stage.shortlist, Stage.finalist, Stage.alternate),
    Stage.shortlist: (Stage.finalist, Stage.alternate),
    Stage.finalist: (),
    Stage.alternate: (),
}


@dataclass(frozen=True)
class StageEntry:
    decision_id: int
    nominee_id: int
    name: str
    gender: str
    region: str
    position: str
    institution: str
    order: int  # an alternate's place (1 is promoted first); 0 on other stages
    justification: str
    actor: str  # the deciding manager's email
    at: datetime


@dataclass(frozen=True)
class Stages:
    entries: dict[str, list[StageEntry]]  # every stage, used or not
    lines: list[board.StageLine]  # the stages the campaign uses: counts, limits, balance
    decisions_open: bool


def _campaign(s: Session, campaign_id: int) -> Campaign:
    campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    if db.utcnow() < campaign.review_start:
        raise PhaseClosed(N_("Shortlist decisions open with the review."))
    return campaign


def _config(s: Session, campaign_id: int) -> ReviewConfig:
    ensure_defaults(s, campaign_id)
    # Locks the campaign's settings row on PostgreSQL, so two managers deciding at once are
    # serialised and cannot overfill a stage together (SQLite serialises writers anyway).
    query = select(ReviewConfig).where(ReviewConfig.campaign_id == campaign_id)
    return s.exec(query.with_for_update()).one()


def _text(value: str, too_long: str, limit: int, field: str, errors: dict[str, str]) -> str:
    text = str(value).strip()
    if not text:
        errors[field] = N_("Say why.")
    elif len(text) > limit:
        errors[field] = too_long
    return text


def _required_stage(stage: str, limits: dict[str, int]) -> str | None:
    """The stage a pick for ``stage`` must already be on, if the campaign uses one."""
    earlier = {
        Stage.longlist: (),
        Stage.shortlist: (Stage.longlist,),
        Stage.finalist: (Stage.shortlist, Stage.longlist),
        Stage.alternate: (Stage.shortlist, Stage.longlist),
    }[Stage(stage)]
    return next((str(e) for e in earlier if e in limits), None)


def decide(
    engine: Engine,
    actor_id: int,
    campaign_id: int,
    stage: str,
    nominee_ids: list[int],
    justification: str,
) -> list[Decision]:
    """Place ``nominee_ids`` on ``stage`` (alternates in the order given, after any already
    there). Raises Invalid with the field at fault; nothing changes then."""
    errors: dict[str, str] = {}
    if stage not in set(Stage):
        errors["stage"] = N_("Choose a stage.")
    justification = _text(
        justification, N_("At most 2,000 characters."), JUSTIFICATION_MAX, "justification", errors
    )
    ids = list(dict.fromkeys(nominee_ids))
    if not ids:
        errors["nominees"] = N_("Choose at least one nominee.")
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        _campaign(s, campaign_id)
        limits = board.stage_limits(_config(s, campaign_id))
        if stage not in limits:
            if stage in (Stage.finalist, Stage.alternate):
                raise Invalid(
                    {"stage": N_("In this campaign the public vote picks the finalists.")}
                )
            raise Invalid({"stage": N_("This campaign does not use this stage.")})
        live = board.live_decisions(s, campaign_id)
        held: dict[int, set[str]] = {}
        for d in live:
            held.setdefault(d.nominee_id, set()).add(d.stage)
        eligible = set(jury_view.eligible_nominee_ids(s, campaign_id))
        required = _required_stage(stage, limits)
        finals = {Stage.finalist, Stage.alternate}
        if any(i not in eligible for i in ids):
            errors["nominees"] = N_("A chosen nominee is not among the eligible nominees.")
        elif any(stage in held.get(i, ()) for i in ids):
            errors["nominees"] = N_("A chosen nominee is already on this stage.")
        elif stage in finals and any(held.get(i, set()) & finals for i in ids):
            errors["nominees"] = N_("A finalist cannot also be an alternate: remove one first.")
        elif required == Stage.longlist and any(required not in held.get(i, ()) for i in ids):
            errors["nominees"] = N_("A chosen nominee is not on the longlist.")
        elif required == Stage.shortlist and any(required not in held.get(i, ()) for i in ids):
            errors["nominees"] = N_("A chosen nominee is not on the shortlist.")
        elif sum(1 for d in live if d.stage == stage) + len(ids) > limits[stage]:
            errors["nominees"] = N_("This stage cannot hold that many: choose fewer.")
        if errors:
            raise Invalid(errors)
        after = sum(1 for d in live if d.stage == Stage.alternate)
        made = []
        for i, nominee_id in enumerate(ids, start=1):
            decision = Decision(
                campaign_id=campaign_id,
                nominee_id=nominee_id,
                stage=stage,
                position=after + i if stage == Stage.alternate else 0,
                justification=justification,
                actor_id=actor_id,
            )
            s.add(decision)
            made.append(decision)
        s.flush()
        for d in made:
            audit.record(
                s,
                actor_id,
                "shortlist.decide",
                "nominee",
                d.nominee_id,
                decision=d.id,
                stage=stage,
                position=d.position,
                justification=justification,
            )
    return made


def _withdraw(s: Session, actor_id: int, d: Decision, reason: str, action: str) -> None:
    d.withdrawn, d.withdrawn_reason = True, reason[:REASON_MAX]
    audit.record(
        s, actor_id, action, "nominee", d.nominee_id, decision=d.id, stage=d.stage, reason=reason
    )


def _renumber_alternates(s: Session, campaign_id: int) -> None:
    s.flush()
    alternates = [d for d in board.live_decisions(s, campaign_id) if d.stage == Stage.alternate]
    for order, d in enumerate(sorted(alternates, key=lambda d: (d.position, d.id)), start=1):
        d.position = order


def remove(engine: Engine, actor_id: int, decision_id: int, reason: str) -> list[Decision]:
    """Withdraw a decision and the nominee's later-stage ones; returns every one withdrawn."""
    errors: dict[str, str] = {}
    reason = _text(reason, N_("At most 500 characters."), REASON_MAX, "reason", errors)
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        decision = s.get(Decision, decision_id)
        if decision is None or decision.withdrawn:
            raise NotFound(N_("No such decision, or it was already withdrawn."))
        _campaign(s, decision.campaign_id)
        _config(s, decision.campaign_id)
        later = [
            d
            for d in board.live_decisions(s, decision.campaign_id)
            if d.nominee_id == decision.nominee_id and d.stage in LATER[Stage(decision.stage)]
        ]
        _withdraw(s, actor_id, decision, reason, "shortlist.remove")
        for d in later:
            _withdraw(s, actor_id, d, reason, "shortlist.remove")
        _renumber_alternates(s, decision.campaign_id)
    return [decision, *later]


def withdraw_finalist(engine: Engine, actor_id: int, nominee_id: int, reason: str) -> Decision:
    """A finalist steps down: alternate 1 takes the place (the returned new decision)."""
    errors: dict[str, str] = {}
    reason = _text(reason, N_("At most 500 characters."), REASON_MAX, "reason", errors)
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        finalist = s.exec(
            select(Decision).where(
                Decision.nominee_id == nominee_id,
                Decision.stage == Stage.finalist,
                col(Decision.withdrawn).is_(False),
            )
        ).first()
        if finalist is None:
            raise NotFound(N_("This nominee is not a finalist."))
        campaign_id = finalist.campaign_id
        _campaign(s, campaign_id)
        _config(s, campaign_id)
        alternates = [d for d in board.live_decisions(s, campaign_id) if d.stage == Stage.alternate]
        if not alternates:
            raise Invalid({"reason": N_("No alternate is left to take this place.")})
        first = min(alternates, key=lambda d: (d.position, d.id))
        _withdraw(s, actor_id, finalist, reason, "shortlist.withdraw_finalist")
        _withdraw(s, actor_id, first, "promoted: " + reason, "shortlist.remove")
        promoted = Decision(
            campaign_id=campaign_id,
            nominee_id=first.nominee_id,
            stage=Stage.finalist,
            justification="promoted: " + reason,
            actor_id=actor_id,
        )
        s.add(promoted)
        s.flush()
        audit.record(
            s,
            actor_id,
            "shortlist.promote",
            "nominee",
            first.nominee_id,
            decision=promoted.id,
            replaces=nominee_id,
            reason=reason,
        )
        _renumber_alternates(s, campaign_id)
    return promoted


def _entries(s: Session, campaign_id: int) -> tuple[list[Decision], dict[str, list[StageEntry]]]:
    rows = s.exec(
        select(Decision, User.email)
        .join(User, col(User.id) == Decision.actor_id, isouter=True)
        .where(Decision.campaign_id == campaign_id, col(Decision.withdrawn).is_(False))
        .order_by(Decision.position, Decision.at, Decision.id)
    ).all()
    people = jury_view.summaries(s, {d.nominee_id for d, _ in rows})
    entries: dict[str, list[StageEntry]] = {str(stage): [] for stage in Stage}
    for d, email in rows:
        p = people[d.nominee_id]
        entries[d.stage].append(
            StageEntry(
                d.id,
                d.nominee_id,
                p.name,
                p.gender,
                p.region,
                p.position,
                p.institution,
                d.position,
                d.justification,
                email or "",
                d.at,
            )
        )
    return [d for d, _ in rows], entries


def stages(engine: Engine, campaign_id: int) -> dict[str, list[StageEntry]]:
    """Each stage's current picks: alternates by their order, the others oldest first. The
    voting round takes its candidates from here (the shortlist, or the finalists)."""
    with db.session(engine) as s:
        return _entries(s, campaign_id)[1]


def overview(engine: Engine, campaign_id: int) -> Stages:
    """The stages page: every stage's picks, and each used stage's count, limit and balance."""
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        config = ensure_defaults(s, campaign_id)
        decisions, entries = _entries(s, campaign_id)
    people = {e.nominee_id: (e.gender, e.region) for stage in entries.values() for e in stage}
    return Stages(
        entries=entries,
        lines=board.stage_lines(config, decisions, people, list(campaign.regions)),
        decisions_open=db.utcnow() >= campaign.review_start,
    )
