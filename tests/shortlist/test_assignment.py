"""Review settings, automatic assignment, reassignment and recusal: the services, on a real
database."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from sqlalchemy import event
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound, PhaseClosed
from campaign.models import AuditEvent
from nominations.models import Nomination, Nominee, Status
from shortlist import assignment, criteria, workload
from shortlist.models import Assignment, ReviewConfig
from tests.factories import make_campaign, make_user

_CODES = itertools.count(1)


def make_eligible_nominees(engine, campaign_id: int, count: int, region: str = "Kayes") -> list:
    """``count`` nominees, each with one eligible nomination, written directly (fast enough for
    a thousand): the jury's field as moderation leaves it."""
    with db.session(engine) as s, s.begin():
        nominees = [
            Nominee(campaign_id=campaign_id, name=f"Nominee {i:04d}", region=region,
                    nomination_count=1)
            for i in range(count)
        ]  # fmt: skip
        s.add_all(nominees)
        s.flush()
        for n in nominees:
            s.add(
                Nomination(campaign_id=campaign_id, nominee_id=n.id, channel="paper",
                           tracking_code=f"E{next(_CODES):09d}", status=Status.eligible,
                           nominee_name=n.name, nominee_region=region)
            )  # fmt: skip
    return [n.id for n in nominees]


def make_jurors(engine, count: int) -> list[int]:
    return [make_user(engine, "juror", password=None).id for _ in range(count)]


def readings(engine) -> list[tuple]:
    with db.session(engine) as s:
        rows = s.exec(select(Assignment).order_by(Assignment.id)).all()
        return [(a.id, a.nominee_id, a.juror_id, a.blind, a.status, a.recusal_reason) for a in rows]


def set_status(engine, assignment_id: int, status: str) -> None:
    with db.session(engine) as s, s.begin():
        s.get(Assignment, assignment_id).status = status


def actions(engine) -> list[tuple[str, dict]]:
    with db.session(engine) as s:
        rows = s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(e.action, e.details) for e in rows]


def configure(engine, campaign_id: int, **values) -> None:
    with db.session(engine) as s, s.begin():
        config = criteria.ensure_defaults(s, campaign_id)
        for key, value in values.items():
            setattr(config, key, value)


@pytest.fixture
def manager(engine):
    return make_user(engine, "manager", password=None)


def test_auto_assign_balances_seventy_nominees_over_seven_jurors(engine, campaign, manager):
    jurors = make_jurors(engine, 7)
    nominees = make_eligible_nominees(engine, campaign.id, 70)
    counts = assignment.auto_assign(engine, manager.id, campaign.id)
    rows = readings(engine)
    loads = Counter(juror for _id, _n, juror, _b, _s, _r in rows)
    per_nominee = Counter(nominee for _id, nominee, *_ in rows)
    blind = Counter(nominee for _id, nominee, _j, is_blind, *_ in rows if is_blind)
    assert counts == {"nominees": 70, "jurors": 7, "created": 210, "blind": 70, "short": 0}
    assert loads == {juror: 30 for juror in jurors}
    assert per_nominee == {nominee: 3 for nominee in nominees}
    assert blind == {nominee: 1 for nominee in nominees}
    assert {status for *_, status, _r in rows} == {"assigned"}


def test_auto_assign_never_gives_one_nominee_twice_to_a_juror(engine, campaign, manager):
    make_jurors(engine, 3)
    make_eligible_nominees(engine, campaign.id, 5)
    assignment.auto_assign(engine, manager.id, campaign.id)
    pairs = [(nominee, juror) for _id, nominee, juror, *_ in readings(engine)]
    assert len(pairs) == 15
    assert len(set(pairs)) == 15


def test_auto_assign_twice_creates_nothing_new(engine, campaign, manager):
    make_jurors(engine, 4)
    make_eligible_nominees(engine, campaign.id, 6)
    assignment.auto_assign(engine, manager.id, campaign.id)
    before = readings(engine)
    again = assignment.auto_assign(engine, manager.id, campaign.id)
    assert again == {"nominees": 6, "jurors": 4, "created": 0, "blind": 0, "short": 0}
    assert readings(engine) == before


def test_auto_assign_with_too_few_jurors_reports_the_shortfall(engine, campaign, manager):
    make_jurors(engine, 2)
    make_eligible_nominees(engine, campaign.id, 4)
    counts = assignment.auto_assign(engine, manager.id, campaign.id)
    assert counts == {"nominees": 4, "jurors": 2, "created": 8, "blind": 4, "short": 4}
    assert len(readings(engine)) == 8


def test_auto_assign_ignores_inactive_jurors_and_other_roles(engine, campaign, manager):
    active = make_jurors(engine, 3)
    make_user(engine, "juror", password=None, active=False)
    make_user(engine, "volunteer", password=None)
    make_eligible_nominees(engine, campaign.id, 2)
    assignment.auto_assign(engine, manager.id, campaign.id)
    assert {juror for _id, _n, juror, *_ in readings(engine)} == set(active)


def test_auto_assign_leaves_nominees_that_are_not_eligible(engine, campaign, manager):
    make_jurors(engine, 3)
    eligible = make_eligible_nominees(engine, campaign.id, 1)
    with db.session(engine) as s, s.begin():
        s.exec(select(Nomination)).first().status = Status.received
    counts = assignment.auto_assign(engine, manager.id, campaign.id)
    assert (counts["nominees"], counts["created"], readings(engine)) == (0, 0, [])
    assert eligible


def test_auto_assign_follows_the_blind_setting(engine, campaign, manager):
    make_jurors(engine, 5)
    nominees = make_eligible_nominees(engine, campaign.id, 3)
    configure(engine, campaign.id, readings_per_nominee=4, blind_readings=2)
    assignment.auto_assign(engine, manager.id, campaign.id)
    rows = readings(engine)
    assert Counter(n for _id, n, _j, blind, *_ in rows if blind) == {n: 2 for n in nominees}
    assert Counter(n for _id, n, *_ in rows) == {n: 4 for n in nominees}


def test_auto_assign_adds_only_the_missing_reading_when_readings_grow(engine, campaign, manager):
    make_jurors(engine, 4)
    nominees = make_eligible_nominees(engine, campaign.id, 2)
    configure(engine, campaign.id, readings_per_nominee=2)
    assignment.auto_assign(engine, manager.id, campaign.id)
    configure(engine, campaign.id, readings_per_nominee=3)
    counts = assignment.auto_assign(engine, manager.id, campaign.id)
    rows = readings(engine)
    assert (counts["created"], counts["blind"]) == (2, 0)
    assert Counter(n for _id, n, _j, blind, *_ in rows if blind) == {n: 1 for n in nominees}


def test_auto_assign_is_audited_once_with_its_counts(engine, campaign, manager):
    make_jurors(engine, 3)
    make_eligible_nominees(engine, campaign.id, 2)
    assignment.auto_assign(engine, manager.id, campaign.id)
    assert actions(engine) == [
        (
            "assignment.auto",
            {"nominees": 2, "jurors": 3, "created": 6, "blind": 2, "short": 0},
        )
    ]


def test_auto_assign_after_the_review_is_refused(engine, manager):
    campaign = make_campaign(engine, "voting")
    make_jurors(engine, 3)
    make_eligible_nominees(engine, campaign.id, 2)
    with pytest.raises(PhaseClosed):
        assignment.auto_assign(engine, manager.id, campaign.id)
    assert (readings(engine), actions(engine)) == ([], [])


def test_auto_assign_during_the_review_is_allowed(engine, manager):
    campaign = make_campaign(engine, "review")
    make_jurors(engine, 3)
    make_eligible_nominees(engine, campaign.id, 2)
    assert assignment.auto_assign(engine, manager.id, campaign.id)["created"] == 6


def test_auto_assign_query_count_does_not_grow_with_nominees(engine, manager):
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def count(nominees: int) -> int:
        campaign = make_campaign(engine, year=2000 + nominees)  # one edition a year
        make_eligible_nominees(engine, campaign.id, nominees)
        statements.clear()
        assignment.auto_assign(engine, manager.id, campaign.id)
        return len(statements)

    make_jurors(engine, 7)
    assert count(1) == count(30)
    assert len(readings(engine)) == 93


def _assigned(engine, campaign, jurors: int = 4, nominees: int = 2):
    """Readings made by auto_assign, as (id, nominee, juror, blind, status, reason) rows."""
    juror_ids = make_jurors(engine, jurors)
    make_eligible_nominees(engine, campaign.id, nominees)
    assignment.auto_assign(engine, None, campaign.id)
    return juror_ids, readings(engine)


def test_reassign_moves_the_reading_keeps_blind_and_the_old_row(engine, campaign, manager):
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    reading_id, nominee, old_juror, blind, *_ = rows[0]
    spare = next(j for j in jurors if j not in {r[2] for r in rows})
    new = assignment.reassign(engine, manager.id, reading_id, spare)
    after = readings(engine)
    assert blind is True
    assert after[0] == (reading_id, nominee, old_juror, True, "withdrawn", "")
    assert after[-1] == (new.id, nominee, spare, True, "assigned", "")
    assert actions(engine)[-1] == (
        "assignment.reassign",
        {"nominee_id": nominee, "from_juror": old_juror, "to_juror": spare,
         "new_assignment": new.id, "blind": True},
    )  # fmt: skip


def test_reassign_submitted_reading_is_refused(engine, campaign, manager):
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    set_status(engine, rows[0][0], "submitted")
    spare = next(j for j in jurors if j not in {r[2] for r in rows})
    before = readings(engine)
    with pytest.raises(Invalid) as refused:
        assignment.reassign(engine, manager.id, rows[0][0], spare)
    assert refused.value.errors == {"juror": "A submitted reading cannot be moved."}
    assert readings(engine) == before


@pytest.mark.parametrize("target", ["same_nominee", "inactive", "manager", "missing"])
def test_reassign_to_an_unfit_juror_is_refused(engine, campaign, manager, target):
    _jurors, rows = _assigned(engine, campaign, jurors=3, nominees=1)
    target_id = {
        "same_nominee": rows[1][2],
        "inactive": make_user(engine, "juror", password=None, active=False).id,
        "manager": manager.id,
        "missing": 9999,
    }[target]
    before = readings(engine)
    with pytest.raises(Invalid) as refused:
        assignment.reassign(engine, manager.id, rows[0][0], target_id)
    expected = (
        "This juror already has, or declined, this nominee."
        if target == "same_nominee"
        else "Choose an active juror."
    )
    assert refused.value.errors == {"juror": expected}
    assert readings(engine) == before


def test_reassign_after_the_review_is_refused(engine, manager):
    campaign = make_campaign(engine, "review")
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    with db.session(engine) as s, s.begin():
        s.get(type(campaign), campaign.id).review_end = db.utcnow()
    spare = next(j for j in jurors if j not in {r[2] for r in rows})
    with pytest.raises(PhaseClosed):
        assignment.reassign(engine, manager.id, rows[0][0], spare)
    assert readings(engine) == rows


def test_recuse_marks_the_reading_and_gives_it_to_the_least_loaded_juror(engine, campaign):
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=2)
    reading_id, nominee, juror, blind, *_ = rows[0]
    replacement = assignment.recuse(engine, juror, reading_id, "  My   cousin.\n")
    after = readings(engine)
    taken = {r[2] for r in rows if r[1] == nominee}
    loads = Counter(r[2] for r in rows)
    expected = min((j for j in jurors if j not in taken), key=lambda j: (loads[j], j))
    assert after[0] == (reading_id, nominee, juror, blind, "recused", "My cousin.")
    assert after[-1] == (replacement.id, nominee, expected, blind, "assigned", "")
    assert actions(engine)[-1] == (
        "assignment.recuse",
        {"nominee_id": nominee, "reason": "My cousin.", "replacement_juror": expected},
    )


def test_recuse_without_a_free_juror_keeps_the_recusal_only(engine, campaign):
    _jurors, rows = _assigned(engine, campaign, jurors=3, nominees=1)
    reading_id, _nominee, juror, *_ = rows[0]
    assert assignment.recuse(engine, juror, reading_id, "Former colleague") is None
    assert [r[4] for r in readings(engine)] == ["recused", "assigned", "assigned"]


def test_recuse_someone_elses_reading_is_refused_and_changes_nothing(engine, campaign):
    _jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    other = next(r[2] for r in rows if r[2] != rows[0][2])
    with pytest.raises(NotFound, match="No such reading."):  # as a missing one: no leak
        assignment.recuse(engine, other, rows[0][0], "I want it gone")
    assert readings(engine) == rows
    assert [a for a, _d in actions(engine)] == ["assignment.auto"]


def test_recuse_after_submitting_is_refused(engine, campaign):
    _jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    set_status(engine, rows[0][0], "submitted")
    before = readings(engine)
    with pytest.raises(Invalid) as refused:
        assignment.recuse(engine, rows[0][2], rows[0][0], "My cousin")
    assert refused.value.errors == {
        "reason": "This reading is submitted: it can no longer be declined."
    }
    assert readings(engine) == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say what ties you to this nominee."), ("  \n ", "Say what ties you to this nominee."),
     ("x" * 501, "At most 500 characters.")],
)  # fmt: skip
def test_recuse_without_a_fit_reason_is_refused(engine, campaign, reason, message):
    _jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    with pytest.raises(Invalid) as refused:
        assignment.recuse(engine, rows[0][2], rows[0][0], reason)
    assert refused.value.errors == {"reason": message}
    assert readings(engine) == rows


def test_recuse_twice_is_refused(engine, campaign):
    _jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    assignment.recuse(engine, rows[0][2], rows[0][0], "My cousin")
    before = readings(engine)
    with pytest.raises(Invalid) as refused:
        assignment.recuse(engine, rows[0][2], rows[0][0], "My cousin")
    assert refused.value.errors == {"reason": "This reading is no longer assigned to you."}
    assert readings(engine) == before


def test_workload_counts_each_jurors_readings(engine, campaign):
    jurors, rows = _assigned(engine, campaign, jurors=3, nominees=2)
    set_status(engine, rows[0][0], "submitted")
    assignment.recuse(engine, rows[1][2], rows[1][0], "Neighbour")
    loads = {
        j.id: (j.assigned, j.submitted, j.recused) for j in workload.workload(engine, campaign.id)
    }
    expected = {j: [0, 0, 0] for j in jurors}
    for reading_id, _n, juror, *_ in rows:
        column = {rows[0][0]: 1, rows[1][0]: 2}.get(reading_id, 0)
        expected[juror][column] += 1
    assert loads == {j: tuple(v) for j, v in expected.items()}


def test_readings_filter_by_juror_and_status_and_offer_free_jurors(engine, campaign):
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=2)
    first = rows[0]
    page = workload.readings(engine, campaign.id, workload.Filters(juror=first[2]), 1, 50)
    recused = workload.readings(engine, campaign.id, workload.Filters(status="recused"))
    on_nominee = {r[2] for r in rows if r[1] == first[1]}
    row = next(r for r in page.rows if r.id == first[0])
    assert [r.id for r in page.rows] == [r[0] for r in rows if r[2] == first[2]]
    assert (page.total, recused.total, recused.rows) == (len(page.rows), 0, [])
    assert [j.id for j in row.candidates] == [j for j in jurors if j not in on_nominee]
    assert (row.nominee_name, row.region, row.blind) == ("Nominee 0000", "Kayes", first[3])


def test_update_config_saves_and_audits(engine, campaign, manager):
    form = {"readings_per_nominee": "4", "blind_readings": "2", "longlist_size": "20",
            "shortlist_size": "8", "finalists": "4", "alternates": "2"}  # fmt: skip
    config = assignment.update_config(engine, manager.id, campaign.id, form)
    with db.session(engine) as s:
        stored = s.get(ReviewConfig, campaign.id).model_dump()
    assert stored == config.model_dump() == {
        "campaign_id": campaign.id, "readings_per_nominee": 4, "blind_readings": 2,
        "longlist_size": 20, "shortlist_size": 8, "finalists": 4, "alternates": 2,
        "jury_picks_finalists": False,
    }  # fmt: skip
    assert actions(engine)[-1][0] == "review.config"
    assert actions(engine)[-1][1]["changed"]["readings_per_nominee"] == [3, 4]


VALID = {"readings_per_nominee": "3", "blind_readings": "1", "longlist_size": "30",
         "shortlist_size": "10", "finalists": "5", "alternates": "3",
         "jury_picks_finalists": "on"}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"readings_per_nominee": "0"}, {"readings_per_nominee": "A whole number from 1 to 7."}),
        ({"readings_per_nominee": "8"}, {"readings_per_nominee": "A whole number from 1 to 7."}),
        ({"readings_per_nominee": "three"},
         {"readings_per_nominee": "A whole number from 1 to 7."}),
        ({"blind_readings": "4"},
         {"blind_readings": "A whole number, at most the number of readings."}),
        ({"blind_readings": "-1"},
         {"blind_readings": "A whole number, at most the number of readings."}),
        ({"longlist_size": ""}, {"longlist_size": "A whole number from 1 to 500."}),
        ({"shortlist_size": "31"},
         {"shortlist_size": "A whole number, at most the size of the longlist."}),
        ({"finalists": "11"}, {"finalists": "A whole number, at most the size of the shortlist."}),
        ({"alternates": "6"},
         {"alternates": "Finalists and alternates together must fit in the shortlist."}),
    ],
)  # fmt: skip
def test_update_config_refuses_bad_values_and_changes_nothing(
    engine, campaign, manager, changes, errors
):
    with pytest.raises(Invalid) as refused:
        assignment.update_config(engine, manager.id, campaign.id, VALID | changes)
    assert refused.value.errors == errors
    with db.session(engine) as s:
        assert s.get(ReviewConfig, campaign.id) is None
    assert actions(engine) == []


def test_update_config_after_the_review_is_refused(engine, manager):
    campaign = make_campaign(engine, "voting")
    with pytest.raises(PhaseClosed):
        assignment.update_config(engine, manager.id, campaign.id, VALID)
    assert actions(engine) == []


def _criteria_rows(engine, campaign_id: int, **changes) -> list[dict]:
    _config, items = criteria.load(engine, campaign_id)
    rows = [
        {"id": c.id, "name_fr": c.name["fr"], "name_en": c.name["en"],
         "description_fr": c.description["fr"], "description_en": c.description["en"],
         "weight": str(c.weight)}
        for c in items
    ]  # fmt: skip
    rows[0] |= changes
    return rows


def _criteria(engine, campaign_id: int) -> list[tuple]:
    _config, items = criteria.load(engine, campaign_id)
    return [(c.id, c.name, c.weight) for c in items]


def test_criteria_edit_before_the_review_is_saved(engine, campaign, manager):
    rows = _criteria_rows(engine, campaign.id, name_fr="Impact", name_en="Impact", weight="2,5")
    criteria.update(engine, manager.id, campaign.id, rows)
    first = _criteria(engine, campaign.id)[0]
    assert first[1:] == ({"fr": "Impact", "en": "Impact"}, 2.5)


def test_criteria_edit_once_the_review_opened_is_refused(engine, manager):
    campaign = make_campaign(engine, "review")
    rows = _criteria_rows(engine, campaign.id, weight="3")
    before = _criteria(engine, campaign.id)
    with pytest.raises(PhaseClosed):
        criteria.update(engine, manager.id, campaign.id, rows)
    assert _criteria(engine, campaign.id) == before


@pytest.mark.parametrize("weight", ["0", "-1", "101", "heavy", ""])
def test_criteria_bad_weight_is_refused(engine, campaign, manager, weight):
    rows = _criteria_rows(engine, campaign.id, weight=weight)
    before = _criteria(engine, campaign.id)
    with pytest.raises(Invalid) as refused:
        criteria.update(engine, manager.id, campaign.id, rows)
    assert refused.value.errors == {f"weight_{rows[0]['id']}": "A number above 0 and at most 100."}
    assert _criteria(engine, campaign.id) == before
