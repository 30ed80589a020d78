"""A juror's readings: the board, the reading, saving scores, submitting, "save and next"."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound, PermissionDenied, PhaseClosed
from campaign.models import AuditEvent, Campaign
from nominations.moderation import set_status
from shortlist import criteria, jury_board, jury_reading, scoring
from shortlist.models import Assignment, Score
from tests.factories import make_campaign, make_nomination, make_user

FIRST = ("Aminata", "Moussa", "Fatoumata", "Ibrahim", "Kadiatou", "Seydou", "Oumou")
LAST = ("Traoré", "Diarra", "Keïta", "Coulibaly", "Sissoko", "Maïga")
NAMES = [f"{first} {last}" for last in LAST for first in FIRST]  # 42 distinct people
REGIONS = ("Kayes", "Sikasso", "Mopti")


# --- helpers shared with tests/web/test_jury.py ----------------------------------------------


def eligible_nominees(engine, count: int, **form) -> list[int]:
    """``count`` nominees with one eligible paper nomination each, regions in turn."""
    volunteer = make_user(engine, "volunteer")
    manager = make_user(engine, "manager")
    nominations = [
        make_nomination(
            engine, volunteer.id, nominee_name=NAMES[i], nominee_region=REGIONS[i % 3], **form
        )
        for i in range(count)
    ]
    set_status(engine, manager.id, [n.id for n in nominations], "eligible", "")
    return [n.nominee_id for n in nominations]


def assign(engine, campaign_id: int, nominee_id: int, juror_id: int, **values) -> int:
    with db.session(engine) as s, s.begin():
        a = Assignment(campaign_id=campaign_id, nominee_id=nominee_id, juror_id=juror_id, **values)
        s.add(a)
    return a.id


def give_scores(engine, assignment_id: int, values: dict[int, float], submitted=False) -> None:
    with db.session(engine) as s, s.begin():
        for criterion_id, value in values.items():
            s.add(Score(assignment_id=assignment_id, criterion_id=criterion_id, value=value))
        if submitted:
            a = s.get(Assignment, assignment_id)
            a.status, a.submitted_at = "submitted", db.utcnow()


def stored_scores(engine, assignment_id: int) -> dict[int, float]:
    with db.session(engine) as s:
        query = select(Score.criterion_id, Score.value).where(Score.assignment_id == assignment_id)
        return dict(s.exec(query).all())


def stored(engine, assignment_id: int) -> Assignment:
    with db.session(engine) as s:
        return s.get(Assignment, assignment_id)


def set_values(engine, model, row_id, **values) -> None:
    with db.session(engine) as s, s.begin():
        row = s.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)


def criterion_ids(engine, campaign_id: int) -> list[int]:
    return [c.id for c in criteria.load(engine, campaign_id)[1]]


@pytest.fixture
def review(engine):
    campaign = make_campaign(engine, "review")
    juror = make_user(engine, "juror", "j@example.org", name="Juror One")
    return campaign, juror, criterion_ids(engine, campaign.id)


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("7", 7.0), ("7.5", 7.5), ("7,5", 7.5), (" 10 ", 10.0), ("0", 0.0), ("6.50", 6.5), ("", None)],
)
def test_parse_score_accepts_point_comma_and_blank(raw, value):
    assert scoring.parse_score(raw) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11", "A score runs from 0 to 10."),
        ("10.1", "A score runs from 0 to 10."),
        ("-1", "Enter a number from 0 to 10."),
        ("abc", "Enter a number from 0 to 10."),
        ("1e1", "Enter a number from 0 to 10."),
        ("nan", "Enter a number from 0 to 10."),
        ("7.25", "Use at most one decimal, as in 7.5."),
    ],
)
def test_parse_score_refuses_bad_input(raw, message):
    with pytest.raises(Invalid) as caught:
        scoring.parse_score(raw)
    assert caught.value.errors == {"score": message}


# --- saving scores ---------------------------------------------------------------------------


def test_save_score_stores_value_and_bumps_version(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    result = scoring.save_score(engine, juror.id, aid, crits[0], "7,5", 0)
    again = scoring.save_score(engine, juror.id, aid, crits[0], "8", 1)
    assert (result.version, result.stale, again.version, again.stale) == (1, False, 2, False)
    assert stored_scores(engine, aid) == {crits[0]: 8.0}
    assert stored(engine, aid).version == 2


def test_save_score_blank_clears_the_score(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, {crits[0]: 6.0, crits[1]: 4.0})
    scoring.save_score(engine, juror.id, aid, crits[0], "", 0)
    assert stored_scores(engine, aid) == {crits[1]: 4.0}


def test_save_score_out_of_range_changes_nothing(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, {crits[0]: 6.0})
    with pytest.raises(Invalid) as caught:
        scoring.save_score(engine, juror.id, aid, crits[0], "12", 0)
    assert caught.value.errors == {"score": "A score runs from 0 to 10."}
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({crits[0]: 6.0}, 0)


def test_save_score_on_another_jurors_reading_is_not_found(engine, review):
    campaign, juror, crits = review
    other = make_user(engine, "juror", "other@example.org")
    theirs = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], other.id)
    with pytest.raises(NotFound) as caught:
        scoring.save_score(engine, juror.id, theirs, crits[0], "7", 0)
    assert caught.value.message == "No such reading."
    assert (stored_scores(engine, theirs), stored(engine, theirs).version) == ({}, 0)


def test_save_score_on_a_missing_reading_is_not_found(engine, review):
    _campaign, juror, crits = review
    with pytest.raises(NotFound) as caught:
        scoring.save_score(engine, juror.id, 999, crits[0], "7", 0)
    assert caught.value.message == "No such reading."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("recused", "You declared a conflict of interest for this nominee."),
        ("withdrawn", "This nominee is no longer assigned to you."),
    ],
)
def test_save_score_on_recused_or_withdrawn_reading_is_refused(engine, review, status, message):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, status=status)
    with pytest.raises(PermissionDenied) as caught:
        scoring.save_score(engine, juror.id, aid, crits[0], "7", 0)
    assert caught.value.message == message
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({}, 0)


def test_save_score_after_review_closed_is_refused(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    set_values(engine, Campaign, campaign.id, review_end=db.utcnow() - timedelta(minutes=1))
    with pytest.raises(PhaseClosed) as caught:
        scoring.save_score(engine, juror.id, aid, crits[0], "7", 0)
    assert caught.value.message == "The review is closed: scores can no longer change."
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({}, 0)


def test_save_score_after_submit_is_refused(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, dict.fromkeys(crits, 5.0), submitted=True)
    with pytest.raises(scoring.Submitted) as caught:
        scoring.save_score(engine, juror.id, aid, crits[0], "9", 0)
    assert caught.value.message == (
        "Your scores for this nominee are submitted: they can no longer change."
    )
    assert stored_scores(engine, aid) == dict.fromkeys(crits, 5.0)


def test_save_score_for_another_campaigns_criterion_is_not_found(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    older = make_campaign(engine, "review", year=campaign.year - 1)
    foreign = criterion_ids(engine, older.id)[0]
    with pytest.raises(NotFound) as caught:
        scoring.save_score(engine, juror.id, aid, foreign, "7", 0)
    assert caught.value.message == "No such criterion."
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({}, 0)


def test_save_score_from_two_tabs_last_write_wins_and_second_tab_learns(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    first = scoring.save_score(engine, juror.id, aid, crits[0], "6", 0)  # tab A, loaded at v0
    second = scoring.save_score(engine, juror.id, aid, crits[0], "9", 0)  # tab B, also at v0
    assert (first.stale, second.stale, second.version) == (False, True, 2)
    assert stored_scores(engine, aid) == {crits[0]: 9.0}


def test_save_score_from_tabs_saving_at_the_same_moment_loses_no_save(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    failures = []

    def tab(value: str) -> None:
        for _ in range(20):
            try:
                scoring.save_score(engine, juror.id, aid, crits[0], value, None)
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(exc))

    tabs = [threading.Thread(target=tab, args=(value,)) for value in ("4", "6", "8")]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    assert (failures, stored(engine, aid).version) == ([], 60)
    assert stored_scores(engine, aid)[crits[0]] in (4.0, 6.0, 8.0)


def test_save_comment_stores_text_and_refuses_too_long(engine, review):
    campaign, juror, _crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    result = scoring.save_comment(engine, juror.id, aid, "  Solid story.\r\nCall the referee. ", 0)
    with pytest.raises(Invalid) as caught:
        scoring.save_comment(engine, juror.id, aid, "x" * 4001, 1)
    assert caught.value.errors == {"comment": "At most 4,000 characters."}
    assert (result.version, stored(engine, aid).comment) == (1, "Solid story.\nCall the referee.")


def test_save_sheet_is_all_or_nothing(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    raw = {crits[0]: "7", crits[1]: "eleven", crits[2]: "7.25"}
    with pytest.raises(Invalid) as caught:
        scoring.save_sheet(engine, juror.id, aid, raw, "note", 0)
    assert caught.value.errors == {
        f"score_{crits[1]}": "Enter a number from 0 to 10.",
        f"score_{crits[2]}": "Use at most one decimal, as in 7.5.",
    }
    assert (stored_scores(engine, aid), stored(engine, aid).comment) == ({}, "")


# --- submitting ------------------------------------------------------------------------------


def test_submit_with_missing_criteria_lists_them_and_changes_nothing(engine, review):
    campaign, juror, crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, {crits[0]: 5.0, crits[1]: 6.0, crits[2]: 7.0})
    with pytest.raises(Invalid) as caught:
        scoring.submit(engine, juror.id, aid)
    missing = "Score this criterion before submitting."
    assert caught.value.errors == {f"score_{crits[3]}": missing, f"score_{crits[4]}": missing}
    after = stored(engine, aid)
    assert (after.status, after.submitted_at, after.version) == ("assigned", None, 0)


def test_submit_locks_the_reading_and_is_audited(engine, review):
    campaign, juror, crits = review
    nominee = eligible_nominees(engine, 1)[0]
    aid = assign(engine, campaign.id, nominee, juror.id)
    give_scores(engine, aid, dict.fromkeys(crits, 8.0))
    scoring.submit(engine, juror.id, aid)
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "reading.submit")).all()
    assert stored(engine, aid).status == "submitted"
    assert stored(engine, aid).submitted_at is not None
    assert [(e.actor_id, e.target_id, e.details["nominee_id"]) for e in events] == [
        (juror.id, str(aid), nominee)
    ]
    with pytest.raises(scoring.Submitted):
        scoring.submit(engine, juror.id, aid)


# --- the board -------------------------------------------------------------------------------


def test_board_lists_open_and_submitted_readings_with_progress(engine, review):
    campaign, juror, crits = review
    n = eligible_nominees(engine, 5)
    todo = assign(engine, campaign.id, n[0], juror.id)
    started = assign(engine, campaign.id, n[1], juror.id, blind=True)
    done = assign(engine, campaign.id, n[2], juror.id)
    assign(engine, campaign.id, n[3], juror.id, status="recused")
    assign(engine, campaign.id, n[4], juror.id, status="withdrawn")
    give_scores(engine, started, {crits[0]: 4.0, crits[1]: 5.0})
    give_scores(engine, done, dict.fromkeys(crits, 6.0), submitted=True)
    result = jury_board.board(engine, juror.id, campaign.id)
    rows = [(r.assignment_id, r.nominee.name, r.blind, r.scored, r.state) for r in result.rows]
    assert rows == [
        (todo, "Aminata Traoré", False, 0, "todo"),
        (started, "Moussa Traoré", True, 2, "progress"),
        (done, "Fatoumata Traoré", False, 5, "submitted"),
    ]
    assert (result.total, result.submitted, result.in_progress, result.criteria_count) == (
        3,
        1,
        1,
        5,
    )


def test_board_filters_by_status_region_and_name(engine, review):
    campaign, juror, crits = review
    n = eligible_nominees(engine, 6)  # regions: Kayes, Sikasso, Mopti, Kayes, Sikasso, Mopti
    ids = [assign(engine, campaign.id, nominee, juror.id) for nominee in n]
    give_scores(engine, ids[3], {crits[0]: 4.0})

    def names(**params):
        filters = jury_board.BoardFilters.parse(params)
        rows = jury_board.board(engine, juror.id, campaign.id, filters).rows
        return [r.nominee.name for r in rows]

    assert names(region="Kayes") == ["Aminata Traoré", "Ibrahim Traoré"]
    assert names(status="progress") == ["Ibrahim Traoré"]
    assert names(status="todo", region="Kayes") == ["Aminata Traoré"]
    assert names(q="fatou") == ["Fatoumata Traoré"]
    assert names(q="KEITA") == []
    assert names(status="bogus", q="seydou") == ["Seydou Traoré"]


def test_board_pages_keep_open_readings_first_in_assignment_order(engine, review):
    campaign, juror, crits = review
    ids = [assign(engine, campaign.id, n, juror.id) for n in eligible_nominees(engine, 5)]
    give_scores(engine, ids[0], dict.fromkeys(crits, 5.0), submitted=True)

    def page(number, **params):
        filters = jury_board.BoardFilters.parse({"page": str(number), **params})
        result = jury_board.board(engine, juror.id, campaign.id, filters, per_page=2)
        return [r.assignment_id for r in result.rows], result.page, result.pages, result.matching

    assert page(1) == ([ids[1], ids[2]], 1, 3, 5)
    assert page(3) == ([ids[0]], 3, 3, 5)
    assert page(9) == ([ids[0]], 3, 3, 5)  # past the end: the last page
    assert page(2, region="Kayes") == ([ids[3], ids[0]], 1, 1, 2)


def test_board_shows_only_the_jurors_own_readings(engine, review):
    campaign, juror, _crits = review
    other = make_user(engine, "juror", "other@example.org")
    n = eligible_nominees(engine, 2)
    mine = assign(engine, campaign.id, n[0], juror.id)
    assign(engine, campaign.id, n[1], other.id)
    result = jury_board.board(engine, juror.id, campaign.id)
    assert ([r.assignment_id for r in result.rows], result.total) == ([mine], 1)


def _statements(engine, action) -> int:
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_board_query_count_does_not_grow_with_readings(engine, review):
    campaign, juror, crits = review
    other = make_user(engine, "juror", "other@example.org")
    n = eligible_nominees(engine, 31)
    assign(engine, campaign.id, n[0], juror.id)
    for i, nominee in enumerate(n[1:]):
        aid = assign(engine, campaign.id, nominee, other.id, blind=i % 3 == 0)
        give_scores(engine, aid, {crits[0]: 5.0}, submitted=False)
    one = _statements(engine, lambda: jury_board.board(engine, juror.id, campaign.id))
    thirty = _statements(engine, lambda: jury_board.board(engine, other.id, campaign.id))
    assert len(jury_board.board(engine, other.id, campaign.id).rows) == 30
    assert one == thirty


# --- one reading -----------------------------------------------------------------------------


def test_reading_of_another_jurors_assignment_is_not_found(engine, review):
    campaign, juror, _crits = review
    other = make_user(engine, "juror", "other@example.org")
    theirs = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], other.id)
    with pytest.raises(NotFound) as caught:
        jury_reading.reading(engine, juror.id, theirs)
    assert caught.value.message == "No such reading."


def test_reading_of_a_recused_assignment_is_refused(engine, review):
    campaign, juror, _crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, status="recused")
    with pytest.raises(PermissionDenied) as caught:
        jury_reading.reading(engine, juror.id, aid)
    assert caught.value.message == "You declared a conflict of interest for this nominee."


def _three_readers(engine, review, *, mine_blind=False):
    campaign, juror, crits = review
    nominee = eligible_nominees(engine, 1)[0]
    awa = make_user(engine, "juror", "awa@example.org", name="Awa Sow")
    ali = make_user(engine, "juror", "ali@example.org", name="Ali Ba")
    mine = assign(engine, campaign.id, nominee, juror.id, blind=mine_blind)
    theirs = assign(engine, campaign.id, nominee, awa.id)
    draft = assign(engine, campaign.id, nominee, ali.id)
    give_scores(engine, theirs, dict(zip(crits, (8.0, 6.0, 7.0, 9.0, 5.0), strict=True)), True)
    give_scores(engine, draft, {crits[0]: 1.0})
    give_scores(engine, mine, dict.fromkeys(crits, 7.0))
    return mine, theirs


def test_reading_hides_other_scores_until_the_juror_submits(engine, review):
    juror, crits = review[1], review[2]
    mine, _theirs = _three_readers(engine, review)
    before = jury_reading.reading(engine, juror.id, mine)
    scoring.submit(engine, juror.id, mine)
    after = jury_reading.reading(engine, juror.id, mine)
    assert (before.others, before.scores) == (None, dict.fromkeys(crits, 7.0))
    assert [(o.juror, o.total, o.scores[crits[0]]) for o in after.others] == [("Awa Sow", 7.0, 8.0)]


def test_reading_blind_never_shows_other_scores_nor_nominators(engine, review):
    juror = review[1]
    mine, _theirs = _three_readers(engine, review, mine_blind=True)
    scoring.submit(engine, juror.id, mine)
    view = jury_reading.reading(engine, juror.id, mine)
    assert view.others is None
    assert [(n.nominator_name, n.nominator_relation) for n in view.dossier] == [("", "")]


def test_reading_shows_the_dossier_to_an_open_reader(engine, review):
    campaign, juror, _crits = review
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    view = jury_reading.reading(engine, juror.id, aid)
    n = view.dossier[0]
    assert (view.nominee.name, n.position, n.region, n.nominator_name) == (
        "Aminata Traoré",
        "Sage-femme",
        "Kayes",
        "Fanta Traoré",
    )
    assert [r["name"] for r in n.referees] == ["Oumou Diarra", "Bakary Koné"]


# --- save and next ---------------------------------------------------------------------------


def test_next_assignment_picks_fewest_submitted_readings_and_skips_current(engine, review):
    campaign, juror, crits = review
    other = make_user(engine, "juror", "other@example.org")
    n = eligible_nominees(engine, 4)
    first = assign(engine, campaign.id, n[0], juror.id)  # nominee read once already
    second = assign(engine, campaign.id, n[1], juror.id)  # nobody read it yet
    third = assign(engine, campaign.id, n[2], juror.id)  # nobody read it yet
    done = assign(engine, campaign.id, n[3], juror.id)
    give_scores(engine, assign(engine, campaign.id, n[0], other.id), {crits[0]: 5.0}, True)
    give_scores(engine, done, dict.fromkeys(crits, 5.0), submitted=True)
    picks = [
        jury_reading.next_assignment(engine, juror.id, campaign.id),
        jury_reading.next_assignment(engine, juror.id, campaign.id, after_id=second),
        jury_reading.next_assignment(engine, juror.id, campaign.id, after_id=third),
    ]
    assert picks == [second, third, second]
    assert first not in picks


def test_next_assignment_is_none_when_nothing_else_is_open(engine, review):
    campaign, juror, _crits = review
    only = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    assert jury_reading.next_assignment(engine, juror.id, campaign.id, after_id=only) is None
