"""Staged decisions: the order of the stages, their sizes, justifications, removal, a finalist's
withdrawal with the first alternate promoted, and the audit of each."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.models import AuditEvent
from shortlist import decisions
from shortlist.criteria import ensure_defaults
from shortlist.models import Decision, ReviewConfig
from tests.factories import make_campaign
from tests.shortlist.test_board import add_nominee

WHY = "Strong, consistent readings."


@pytest.fixture
def review(engine):
    return make_campaign(engine, "review")


@pytest.fixture
def field(engine, review):
    """Twelve eligible nominees, in id order."""
    return [add_nominee(engine, review.id, f"Nominee {i}") for i in range(12)]


def _configure(engine, campaign_id, **values) -> None:
    with db.session(engine) as s, s.begin():
        ensure_defaults(s, campaign_id)
    with db.session(engine) as s, s.begin():
        s.exec(update(ReviewConfig).where(ReviewConfig.campaign_id == campaign_id).values(**values))


def _state(engine) -> tuple[list[tuple], int]:
    """Every decision as (nominee, stage, position, withdrawn, reason), and the audit count."""
    with db.session(engine) as s:
        rows = s.exec(
            select(Decision.nominee_id, Decision.stage, Decision.position, Decision.withdrawn,
                   Decision.withdrawn_reason).order_by(Decision.id)
        ).all()  # fmt: skip
        events = len(s.exec(select(AuditEvent.id)).all())
    return [tuple(r) for r in rows], events


def _live(engine, stage: str) -> list[tuple[int, int]]:
    with db.session(engine) as s:
        rows = s.exec(
            select(Decision.nominee_id, Decision.position)
            .where(Decision.stage == stage, Decision.withdrawn == False)  # noqa: E712
            .order_by(Decision.position, Decision.id)
        ).all()
    return [tuple(r) for r in rows]


def _up_to_shortlist(engine, manager, review, ids) -> None:
    decisions.decide(engine, manager.id, review.id, "longlist", ids, WHY)
    decisions.decide(engine, manager.id, review.id, "shortlist", ids, WHY)


def _refused(engine, call, field_name: str, message: str) -> None:
    before = _state(engine)
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.errors == {field_name: message}
    assert _state(engine) == before


# --- deciding ---------------------------------------------------------------------------------


def test_decide_longlist_records_each_pick_with_justification_and_audit(
    engine, review, manager, field
):
    made = decisions.decide(engine, manager.id, review.id, "longlist", field[:2], f"  {WHY}\n")

    assert [(d.nominee_id, d.stage, d.position, d.justification) for d in made] == [
        (field[0], "longlist", 0, WHY), (field[1], "longlist", 0, WHY),
    ]  # fmt: skip
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.action, e.target_type, e.target_id) for e in events] == [
        (manager.id, "shortlist.decide", "nominee", str(field[0])),
        (manager.id, "shortlist.decide", "nominee", str(field[1])),
    ]
    assert events[0].details == {
        "decision": made[0].id, "stage": "longlist", "position": 0, "justification": WHY,
    }  # fmt: skip


def test_decide_alternates_are_ordered_as_given_after_existing_ones(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:5])

    decisions.decide(engine, manager.id, review.id, "alternate", [field[3]], WHY)
    decisions.decide(engine, manager.id, review.id, "alternate", [field[1], field[0]], WHY)

    assert _live(engine, "alternate") == [(field[3], 1), (field[1], 2), (field[0], 3)]


def test_decide_shortlist_pick_must_be_on_longlist(engine, review, manager, field):
    decisions.decide(engine, manager.id, review.id, "longlist", field[:1], WHY)
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "shortlist", field[:2], WHY),
        "nominees", "A chosen nominee is not on the longlist.",
    )  # fmt: skip


def test_decide_finalist_must_be_on_shortlist(engine, review, manager, field):
    decisions.decide(engine, manager.id, review.id, "longlist", field[:2], WHY)
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY),
        "nominees", "A chosen nominee is not on the shortlist.",
    )  # fmt: skip


def test_decide_finalist_needs_longlist_when_campaign_skips_shortlist(
    engine, review, manager, field
):
    _configure(engine, review.id, shortlist_size=0)
    decisions.decide(engine, manager.id, review.id, "longlist", field[:1], WHY)

    made = decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY)

    assert [(d.nominee_id, d.stage) for d in made] == [(field[0], "finalist")]
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[1:2], WHY),
        "nominees", "A chosen nominee is not on the longlist.",
    )  # fmt: skip


def test_decide_more_finalists_than_allowed_is_refused(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:10])
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[:6], WHY),
        "nominees", "This stage cannot hold that many: choose fewer.",
    )  # fmt: skip


def test_decide_limit_counts_finalists_already_chosen(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:10])
    decisions.decide(engine, manager.id, review.id, "finalist", field[:4], WHY)

    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[4:6], WHY),
        "nominees", "This stage cannot hold that many: choose fewer.",
    )  # fmt: skip
    decisions.decide(engine, manager.id, review.id, "finalist", field[4:5], WHY)
    assert len(_live(engine, "finalist")) == 5


def test_decide_longlist_limit_from_config(engine, review, manager, field):
    _configure(engine, review.id, longlist_size=3)
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "longlist", field[:4], WHY),
        "nominees", "This stage cannot hold that many: choose fewer.",
    )  # fmt: skip


def test_decide_finalists_refused_when_public_picks_them(engine, review, manager, field):
    _configure(engine, review.id, jury_picks_finalists=False)
    _up_to_shortlist(engine, manager, review, field[:2])
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY),
        "stage", "In this campaign the public vote picks the finalists.",
    )  # fmt: skip


def test_decide_finalist_cannot_also_be_alternate(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:2])
    decisions.decide(engine, manager.id, review.id, "alternate", field[:1], WHY)
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY),
        "nominees", "A finalist cannot also be an alternate: remove one first.",
    )  # fmt: skip


def test_decide_twice_on_one_stage_is_refused(engine, review, manager, field):
    decisions.decide(engine, manager.id, review.id, "longlist", field[:1], WHY)
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "longlist", field[:2], WHY),
        "nominees", "A chosen nominee is already on this stage.",
    )  # fmt: skip


@pytest.mark.parametrize("nominee", ["not eligible", "missing"])
def test_decide_unknown_nominee_is_refused(engine, review, manager, field, nominee):
    other = make_campaign(engine, "review", year=review.year - 1)
    stranger = add_nominee(engine, other.id, "Elsewhere") if nominee == "not eligible" else 99999
    _refused(
        engine,
        lambda: decisions.decide(engine, manager.id, review.id, "longlist", [stranger], WHY),
        "nominees", "A chosen nominee is not among the eligible nominees.",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("stage", "ids", "justification", "errors"),
    [
        ("longlist", None, "", {"justification": "Say why."}),
        ("longlist", None, "   ", {"justification": "Say why."}),
        ("longlist", None, "x" * 2001, {"justification": "At most 2,000 characters."}),
        ("winner", None, WHY, {"stage": "Choose a stage."}),
        ("longlist", [], WHY, {"nominees": "Choose at least one nominee."}),
    ],
)
def test_decide_bad_input_is_refused(engine, review, manager, field, stage, ids, justification,
                                     errors):  # fmt: skip
    before = _state(engine)
    chosen = field[:1] if ids is None else ids

    with pytest.raises(Invalid) as caught:
        decisions.decide(engine, manager.id, review.id, stage, chosen, justification)

    assert caught.value.errors == errors
    assert _state(engine) == before


def test_decide_justification_of_2000_characters_is_kept(engine, review, manager, field):
    made = decisions.decide(engine, manager.id, review.id, "longlist", field[:1], "x" * 2000)

    assert len(made[0].justification) == 2000


def test_decide_before_review_is_refused(engine, manager):
    early = make_campaign(engine, "nominations")
    nominee = add_nominee(engine, early.id, "Awa Diallo")

    with pytest.raises(PhaseClosed) as caught:
        decisions.decide(engine, manager.id, early.id, "longlist", [nominee], WHY)

    assert caught.value.message == "Shortlist decisions open with the review."
    assert _state(engine) == ([], 0)


def test_decide_after_review_is_allowed(engine, manager):
    later = make_campaign(engine, "voting")
    nominee = add_nominee(engine, later.id, "Awa Diallo")

    made = decisions.decide(engine, manager.id, later.id, "longlist", [nominee], WHY)

    assert [(d.nominee_id, d.stage) for d in made] == [(nominee, "longlist")]


# --- removing ---------------------------------------------------------------------------------


def test_remove_longlist_pick_withdraws_later_stages_and_renumbers(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:4])
    decisions.decide(engine, manager.id, review.id, "alternate", field[:3], WHY)
    longlist = _ids(engine, "longlist", field[1])

    gone = decisions.remove(engine, manager.id, longlist, " Conflict of interest found ")

    assert [(d.nominee_id, d.stage) for d in gone] == [
        (field[1], "longlist"), (field[1], "shortlist"), (field[1], "alternate"),
    ]  # fmt: skip
    assert {d.withdrawn_reason for d in gone} == {"Conflict of interest found"}
    assert _live(engine, "alternate") == [(field[0], 1), (field[2], 2)]
    assert [n for n, _ in _live(engine, "longlist")] == [field[0], field[2], field[3]]
    with db.session(engine) as s:
        actions = s.exec(select(AuditEvent.action, AuditEvent.target_id).order_by(AuditEvent.id))
        removals = [tuple(a) for a in actions if a[0] == "shortlist.remove"]
    assert removals == [("shortlist.remove", str(field[1]))] * 3


def test_remove_finalist_does_not_promote(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:2])
    decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY)
    decisions.decide(engine, manager.id, review.id, "alternate", field[1:2], WHY)

    decisions.remove(engine, manager.id, _ids(engine, "finalist", field[0]), "Error")

    assert (_live(engine, "finalist"), _live(engine, "alternate")) == ([], [(field[1], 1)])


def test_remove_without_reason_is_refused(engine, review, manager, field):
    decisions.decide(engine, manager.id, review.id, "longlist", field[:1], WHY)
    _refused(
        engine,
        lambda: decisions.remove(engine, manager.id, _ids(engine, "longlist", field[0]), " "),
        "reason", "Say why.",
    )  # fmt: skip


def test_remove_twice_is_not_found(engine, review, manager, field):
    decisions.decide(engine, manager.id, review.id, "longlist", field[:1], WHY)
    decision_id = _ids(engine, "longlist", field[0])
    decisions.remove(engine, manager.id, decision_id, "Error")
    before = _state(engine)

    with pytest.raises(NotFound):
        decisions.remove(engine, manager.id, decision_id, "Error")

    assert _state(engine) == before


def _ids(engine, stage: str, nominee_id: int) -> int:
    with db.session(engine) as s:
        return s.exec(
            select(Decision.id).where(
                Decision.stage == stage,
                Decision.nominee_id == nominee_id,
                Decision.withdrawn == False,  # noqa: E712
            )
        ).one()


# --- a finalist withdraws ---------------------------------------------------------------------


def _finals(engine, manager, review, field) -> None:
    _up_to_shortlist(engine, manager, review, field[:8])
    decisions.decide(engine, manager.id, review.id, "finalist", field[:5], WHY)
    decisions.decide(
        engine, manager.id, review.id, "alternate", [field[7], field[5], field[6]], WHY
    )


def test_withdraw_finalist_promotes_first_alternate(engine, review, manager, field):
    _finals(engine, manager, review, field)

    promoted = decisions.withdraw_finalist(engine, manager.id, field[2], "Left the civil service")

    assert (promoted.nominee_id, promoted.stage, promoted.justification) == (
        field[7], "finalist", "promoted: Left the civil service",
    )  # fmt: skip
    assert [n for n, _ in _live(engine, "finalist")] == [
        field[0], field[1], field[3], field[4], field[7],
    ]  # fmt: skip
    assert _live(engine, "alternate") == [(field[5], 1), (field[6], 2)]
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(3)).all()
    assert [(e.action, e.target_id) for e in reversed(events)] == [
        ("shortlist.withdraw_finalist", str(field[2])),
        ("shortlist.remove", str(field[7])),
        ("shortlist.promote", str(field[7])),
    ]
    assert events[0].details == {
        "decision": promoted.id, "replaces": field[2], "reason": "Left the civil service",
    }  # fmt: skip


def test_withdraw_finalist_without_alternates_is_refused(engine, review, manager, field):
    _up_to_shortlist(engine, manager, review, field[:1])
    decisions.decide(engine, manager.id, review.id, "finalist", field[:1], WHY)
    _refused(
        engine,
        lambda: decisions.withdraw_finalist(engine, manager.id, field[0], "Ill"),
        "reason", "No alternate is left to take this place.",
    )  # fmt: skip


def test_withdraw_finalist_of_a_non_finalist_is_not_found(engine, review, manager, field):
    _finals(engine, manager, review, field)
    before = _state(engine)

    with pytest.raises(NotFound) as caught:
        decisions.withdraw_finalist(engine, manager.id, field[7], "Ill")

    assert caught.value.message == "This nominee is not a finalist."
    assert _state(engine) == before


def test_withdraw_finalist_without_reason_is_refused(engine, review, manager, field):
    _finals(engine, manager, review, field)
    _refused(
        engine,
        lambda: decisions.withdraw_finalist(engine, manager.id, field[0], ""),
        "reason", "Say why.",
    )  # fmt: skip


# --- reading the stages -----------------------------------------------------------------------


def test_stages_lists_live_picks_alternates_in_order(engine, review, manager, field):
    _finals(engine, manager, review, field)
    decisions.remove(engine, manager.id, _ids(engine, "finalist", field[4]), "Error")

    found = decisions.stages(engine, review.id)

    assert {stage: len(entries) for stage, entries in found.items()} == {
        "longlist": 8, "shortlist": 8, "finalist": 4, "alternate": 3,
    }  # fmt: skip
    assert [(e.nominee_id, e.order) for e in found["alternate"]] == [
        (field[7], 1), (field[5], 2), (field[6], 3),
    ]  # fmt: skip
    first = found["finalist"][0]
    assert (first.name, first.region, first.justification, first.actor) == (
        "Nominee 0", "Kayes", WHY, manager.email,
    )  # fmt: skip


def test_overview_counts_limits_and_balance(engine, review, manager, field):
    _finals(engine, manager, review, field)

    view = decisions.overview(engine, review.id)

    assert [(line.stage, line.count, line.limit) for line in view.lines] == [
        ("longlist", 8, 30), ("shortlist", 8, 10), ("finalist", 5, 5), ("alternate", 3, 3),
    ]  # fmt: skip
    finalists = view.lines[2].balance
    assert (finalists.women, finalists.men, finalists.regions) == (5, 0, ("Kayes",))
    assert view.decisions_open is True
