"""The managers' board: the ranking shown is ranking.rank's, filters keep global ranks, each
nominee's stage, the balance of the view and of each stage, and a constant number of queries."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import event, update
from sqlmodel import select

from campaign import db
from nominations import moderation
from nominations.models import Nomination, Nominee, Status
from shortlist import criteria, ranking
from shortlist.board import BoardFilters, load_board
from shortlist.models import Assignment, AssignmentStatus, Criterion, Decision, Score
from tests.factories import make_campaign, make_nomination, make_user

_CODES = itertools.count(1)
WEIGHTS = [2.0, 1.0, 1.0, 1.0, 1.0]


# --- helpers (shared with test_decisions and tests/web/test_shortlist) --------------------------


def add_nominee(engine, campaign_id: int, name: str, gender: str = "female", region: str = "Kayes"):
    """An eligible nominee with one nomination, inserted directly (as a bench would)."""
    with db.session(engine) as s, s.begin():
        nominee = Nominee(campaign_id=campaign_id, name=name, gender=gender, region=region,
                          position="Agent", institution="Service", nomination_count=1)  # fmt: skip
        s.add(nominee)
        s.flush()
        s.add(
            Nomination(
                campaign_id=campaign_id, nominee_id=nominee.id,
                tracking_code=f"T{next(_CODES):07d}", channel="paper", status=Status.eligible,
                nominee_name=name, nominee_gender=gender, nominee_region=region,
                nominator_name="Fanta Traoré",
                nominator_phone="+22366123456", nominator_email="fanta@example.org",
            )
        )  # fmt: skip
    return nominee.id


def weighted_criteria(engine, campaign_id: int) -> list[int]:
    """The default criteria with weights 2, 1, 1, 1, 1; their ids in order."""
    _config, rows = criteria.load(engine, campaign_id)
    with db.session(engine) as s, s.begin():
        for c, weight in zip(rows, WEIGHTS, strict=True):
            s.exec(update(Criterion).where(Criterion.id == c.id).values(weight=weight))
    return [c.id for c in rows]


def add_reading(engine, campaign_id, nominee_id, juror_id, scores, submitted=True, **extra):
    """A reading with ``scores`` (criterion id -> value); submitted or still a draft."""
    status = AssignmentStatus.submitted if submitted else AssignmentStatus.assigned
    values = {"status": status, "submitted_at": db.utcnow() if submitted else None} | extra
    with db.session(engine) as s, s.begin():
        a = Assignment(campaign_id=campaign_id, nominee_id=nominee_id, juror_id=juror_id, **values)
        s.add(a)
        s.flush()
        for criterion_id, value in scores.items():
            s.add(Score(assignment_id=a.id, criterion_id=criterion_id, value=value))
    return a.id


def flat(ids: list[int], value: float) -> dict[int, float]:
    return {i: value for i in ids}


def add_decision(engine, campaign_id, nominee_id, stage, position=0, withdrawn=False) -> int:
    with db.session(engine) as s, s.begin():
        d = Decision(campaign_id=campaign_id, nominee_id=nominee_id, stage=stage,
                     position=position, justification="test", withdrawn=withdrawn)  # fmt: skip
        s.add(d)
    return d.id


@pytest.fixture
def review(engine):
    return make_campaign(engine, "review")


def build_hand_board(engine, campaign_id: int) -> dict:
    """Four nominees, three jurors; criteria weighted 2, 1, 1, 1, 1. Reading totals:
    J1: A 8, B 6. J2: A 7, B 9, C 5. J3: A 6 (10, 4, 4, 4, 4), C 2, B a draft (ignored)."""
    c = weighted_criteria(engine, campaign_id)
    jurors = [make_user(engine, "juror").id for _ in range(3)]
    a = add_nominee(engine, campaign_id, "Awa Diallo", "female", "Kayes")
    b = add_nominee(engine, campaign_id, "Bakary Koné", "male", "Koulikoro")
    cc = add_nominee(engine, campaign_id, "Coumba Sow", "female", "Kayes")
    d = add_nominee(engine, campaign_id, "Daouda Maïga", "unknown", "Sikasso")
    j1, j2, j3 = jurors
    add_reading(engine, campaign_id, a, j1, flat(c, 8))
    add_reading(engine, campaign_id, b, j1, flat(c, 6))
    add_reading(engine, campaign_id, a, j2, flat(c, 7))
    add_reading(engine, campaign_id, b, j2, flat(c, 9))
    add_reading(engine, campaign_id, cc, j2, flat(c, 5))
    add_reading(engine, campaign_id, a, j3, dict(zip(c, [10, 4, 4, 4, 4], strict=True)))
    add_reading(engine, campaign_id, cc, j3, flat(c, 2))
    add_reading(engine, campaign_id, b, j3, {c[0]: 10}, submitted=False)
    return {"criteria": c, "jurors": jurors, "ids": (a, b, cc, d)}


@pytest.fixture
def hand_board(engine, review):
    return build_hand_board(engine, review.id)


# --- ranking ----------------------------------------------------------------------------------


def test_board_ranks_hand_built_case(engine, review, hand_board):
    a, b, c, d = hand_board["ids"]

    board = load_board(engine, review.id, BoardFilters(), "en")

    assert [(r.nominee_id, r.rank) for r in board.rows] == [(a, 1), (b, 2), (c, 3), (d, None)]
    first, second, third, last = board.rows
    assert (first.readings, first.missing, first.complete) == (3, 0, True)
    assert (first.weighted_mean, first.median, first.spread, first.disagreement) == (
        7.0, 7.0, 2.0, False,
    )  # fmt: skip
    assert first.normalised == 5 + 5 * (2 / 3) / 3  # mean z 2/3: J1 +1, J2 0, J3 +1
    assert (second.readings, second.missing, second.complete) == (2, 1, False)
    assert (second.weighted_mean, second.median, second.spread, second.disagreement) == (
        7.5, 7.5, 3.0, True,
    )  # fmt: skip
    assert (third.weighted_mean, third.spread, third.disagreement) == (3.5, 3.0, True)
    assert (last.readings, last.missing, last.weighted_mean, last.normalised) == (0, 3, None, None)
    assert (board.eligible, board.ranked, board.required_readings) == (4, 3, 3)
    assert [(line.label, line.weight) for line in board.criteria][0] == (
        "Significance of the impact", 2.0,
    )  # fmt: skip


def test_board_matches_ranking_rank_on_the_same_readings(engine, review, hand_board):
    c, (j1, j2, j3) = hand_board["criteria"], hand_board["jurors"]
    a, b, cc, d = hand_board["ids"]
    readings = [
        ranking.Reading(a, j1, flat(c, 8), True),
        ranking.Reading(b, j1, flat(c, 6), True),
        ranking.Reading(a, j2, flat(c, 7), True),
        ranking.Reading(b, j2, flat(c, 9), True),
        ranking.Reading(cc, j2, flat(c, 5), True),
        ranking.Reading(a, j3, dict(zip(c, [10, 4, 4, 4, 4], strict=True)), True),
        ranking.Reading(cc, j3, flat(c, 2), True),
    ]
    expected = ranking.rank(
        [ranking.Criterion(i, w) for i, w in zip(c, WEIGHTS, strict=True)], readings,
        [a, b, cc, d], 3,
    )  # fmt: skip

    board = load_board(engine, review.id, BoardFilters(), "en")

    shown = [
        (r.nominee_id, r.rank, r.readings, r.missing, r.complete, r.weighted_mean, r.median,
         r.normalised, r.spread, r.disagreement)
        for r in board.rows
    ]  # fmt: skip
    assert shown == [
        (e.nominee_id, e.rank, e.readings, e.missing, e.complete, e.weighted_mean, e.median,
         e.normalised, e.spread, e.disagreement)
        for e in expected
    ]  # fmt: skip


def test_board_ignores_recused_and_withdrawn_readings(engine, review):
    c = weighted_criteria(engine, review.id)
    juror = make_user(engine, "juror").id
    other = make_user(engine, "juror").id
    a = add_nominee(engine, review.id, "Awa Diallo")
    add_reading(engine, review.id, a, juror, flat(c, 9), status=AssignmentStatus.recused)
    add_reading(engine, review.id, a, other, flat(c, 4), status=AssignmentStatus.withdrawn)

    board = load_board(engine, review.id, BoardFilters(), "en")

    assert [(r.rank, r.readings, r.weighted_mean) for r in board.rows] == [(None, 0, None)]


def test_board_leaves_out_nominees_not_eligible(engine, review):
    manager = make_user(engine, "manager")
    eligible = make_nomination(engine, nominee_name="Aminata Goïta")
    make_nomination(engine, nominee_name="Moussa Keïta", nominee_region="Kayes",
                    nominee_institution="TGI de Kayes", nominee_position="Greffier")  # fmt: skip
    moderation.set_status(engine, manager.id, [eligible.id], "eligible", "")

    board = load_board(engine, review.id, BoardFilters(), "en")

    assert [r.name for r in board.rows] == ["Aminata Goïta"]
    assert board.eligible == 1


# --- filters, stages, balance -----------------------------------------------------------------


def test_board_filters_keep_global_ranks(engine, review, hand_board):
    a, b, c, d = hand_board["ids"]

    kayes = load_board(engine, review.id, BoardFilters(region="Kayes"), "en")
    men = load_board(engine, review.id, BoardFilters(gender="male"), "en")
    unknown = load_board(engine, review.id, BoardFilters(gender="unknown"), "en")

    assert [(r.nominee_id, r.rank) for r in kayes.rows] == [(a, 1), (c, 3)]
    assert [(r.nominee_id, r.rank) for r in men.rows] == [(b, 2)]
    assert [(r.nominee_id, r.rank) for r in unknown.rows] == [(d, None)]
    assert kayes.eligible == 4


def test_board_stage_filter_and_furthest_stage(engine, review, hand_board):
    a, b, c, d = hand_board["ids"]
    for nominee in (a, b, c):
        add_decision(engine, review.id, nominee, "longlist")
    add_decision(engine, review.id, a, "shortlist")
    add_decision(engine, review.id, b, "shortlist")
    add_decision(engine, review.id, a, "finalist")
    add_decision(engine, review.id, b, "alternate", position=1)
    add_decision(engine, review.id, d, "longlist", withdrawn=True)

    board = load_board(engine, review.id, BoardFilters(), "en")
    longlist = load_board(engine, review.id, BoardFilters(stage="longlist"), "en")
    finals = load_board(engine, review.id, BoardFilters(stage="finalists"), "en")

    assert [(r.nominee_id, r.stage, r.alternate_position) for r in board.rows] == [
        (a, "finalist", 0), (b, "alternate", 1), (c, "longlist", 0), (d, "", 0),
    ]  # fmt: skip
    assert [r.nominee_id for r in longlist.rows] == [a, b, c]
    assert [r.nominee_id for r in finals.rows] == [a, b]


def test_board_balance_of_view_and_of_each_stage(engine, review, hand_board):
    a, b, c, d = hand_board["ids"]
    for nominee in (a, b, d):
        add_decision(engine, review.id, nominee, "longlist")
    add_decision(engine, review.id, b, "shortlist")

    board = load_board(engine, review.id, BoardFilters(), "en")
    kayes = load_board(engine, review.id, BoardFilters(region="Kayes"), "en")

    view = board.balance
    assert (view.total, view.women, view.men, view.unknown) == (4, 2, 1, 1)
    assert view.region_counts == {"Kayes": 2, "Koulikoro": 1, "Sikasso": 1}
    assert len(view.uncovered) == 17
    assert (kayes.balance.total, kayes.balance.women, kayes.balance.regions) == (2, 2, ("Kayes",))
    assert [(s.stage, s.count, s.limit) for s in board.stages] == [
        ("longlist", 3, 30), ("shortlist", 1, 10), ("finalist", 0, 5), ("alternate", 0, 3),
    ]  # fmt: skip
    longlist = board.stages[0].balance
    assert (longlist.women, longlist.men, longlist.unknown) == (1, 1, 1)
    assert longlist.regions == ("Kayes", "Koulikoro", "Sikasso")
    assert board.stage_choices == ["longlist", "shortlist", "finalist", "alternate"]


def test_board_without_jury_finalists_offers_no_final_stages(engine, review, hand_board):
    from shortlist.models import ReviewConfig

    with db.session(engine) as s, s.begin():
        s.exec(update(ReviewConfig).values(jury_picks_finalists=False))

    board = load_board(engine, review.id, BoardFilters(), "en")

    assert board.stage_choices == ["longlist", "shortlist"]
    assert [s.stage for s in board.stages] == ["longlist", "shortlist"]


def test_board_filters_parse_drops_unknown_values():
    parsed = BoardFilters.parse({"region": " Kayes ", "gender": "other", "stage": "winners"})

    assert parsed == BoardFilters(region="Kayes")
    assert BoardFilters(region="Ségou", stage="shortlist").query() == (
        "region=S%C3%A9gou&stage=shortlist"
    )


def test_board_decisions_closed_before_review(engine):
    campaign = make_campaign(engine, "nominations")

    board = load_board(engine, campaign.id, BoardFilters(), "en")

    assert (board.decisions_open, board.rows) == (False, [])


# --- queries ----------------------------------------------------------------------------------


def _count_queries(engine, func) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        func()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _field(engine, campaign_id, size: int) -> None:
    c = weighted_criteria(engine, campaign_id)
    jurors = [make_user(engine, "juror").id for _ in range(3)]
    for i in range(size):
        nominee = add_nominee(engine, campaign_id, f"Nominee {i}", region="Ségou")
        for k, juror in enumerate(jurors):
            add_reading(engine, campaign_id, nominee, juror, flat(c, (i + k) % 11))
        add_decision(engine, campaign_id, nominee, "longlist")


def test_board_query_count_does_not_grow_with_nominees(engine, review):
    other = make_campaign(engine, "review", year=review.year + 1)
    _field(engine, review.id, 1)
    _field(engine, other.id, 30)
    load_board(engine, review.id, BoardFilters(), "en")  # criteria defaults exist from here on
    load_board(engine, other.id, BoardFilters(), "en")

    one = _count_queries(engine, lambda: load_board(engine, review.id, BoardFilters(), "en"))
    many = _count_queries(engine, lambda: load_board(engine, other.id, BoardFilters(), "en"))

    assert one == many == 6
    with db.session(engine) as s:
        assert len(s.exec(select(Decision.id)).all()) == 31
