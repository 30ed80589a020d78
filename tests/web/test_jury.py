"""The juror's board and scoring pages: htmx fragments, the no-JavaScript form, bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from campaign import db
from campaign.models import Campaign
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.shortlist.test_scoring import (
    assign,
    criterion_ids,
    eligible_nominees,
    give_scores,
    set_values,
    stored,
    stored_scores,
)

EN = {"Accept-Language": "en"}
HX = {"Accept-Language": "en", "HX-Request": "true"}
# The default form's nominator phone (+223 66 12 34 56) and a nominator email and nominee phone.
CONTACTS = ["+22366123456", "66 12 34 56", "fanta.traore@example.org", "+22376000001"]
NUMBER = 'type="number" min="0" max="10" step="0.1" inputmode="decimal" value='
WITH_CONTACTS = {"nominator_email": "fanta.traore@example.org", "nominee_phone": "76 00 00 01"}


@pytest.fixture
def jury(client, engine):
    """A review-phase campaign, its criteria, and a signed-in juror."""
    campaign = make_campaign(engine, "review")
    juror = make_user(engine, "juror", "j@example.org", name="Juror One")
    login(client, "j@example.org", PASSWORD)
    return campaign, juror, criterion_ids(engine, campaign.id)


def _score(client, aid, criterion, value, version=0, **extra):
    data = {"criterion": criterion, f"score_{criterion}": value, "version": version, **extra}
    return post(client, f"/jury/readings/{aid}/score", data, headers=HX)


def _links(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/jury/readings/(\d+)">', html)]


# --- the board -------------------------------------------------------------------------------


def test_board_shows_progress_and_the_jurors_readings(client, engine, jury):
    campaign, juror, crits = jury
    n = eligible_nominees(engine, 3)
    ids = [assign(engine, campaign.id, nominee, juror.id) for nominee in n]
    give_scores(engine, ids[2], dict.fromkeys(crits, 6.0), submitted=True)
    give_scores(engine, ids[1], {crits[0]: 3.0})
    page = client.get("/jury", headers=EN)
    text = text_of(page.text)
    assert "1 of 3 submitted · 1 saved but not submitted: it does not count yet" in text
    assert '<a href="/jury?status=progress">' in page.text
    assert _links(page.text) == [ids[0], ids[1], ids[2]]
    assert "Moussa Traoré Sage-femme CSCOM de Kalaban Coro Sikasso 1 / 5 In progress" in text


def test_board_filter_by_htmx_answers_the_results_block_only(client, engine, jury):
    campaign, juror, _crits = jury
    ids = [assign(engine, campaign.id, n, juror.id) for n in eligible_nominees(engine, 3)]
    page = client.get("/jury?region=Kayes&status=todo", headers=HX)
    assert page.text.startswith('<div id="results">')
    assert (_links(page.text), page.headers["Vary"]) == (
        [ids[0]],
        "HX-Request, Cookie, Accept-Language",
    )
    assert "1 nominee matches" in text_of(page.text)


def test_board_without_readings_says_so(client, jury):
    assert "No nominee is assigned to you yet." in text_of(client.get("/jury", headers=EN).text)


def test_recused_reading_is_off_the_board_and_its_page_refused(client, engine, jury):
    campaign, juror, _crits = jury
    n = eligible_nominees(engine, 2)
    kept = assign(engine, campaign.id, n[0], juror.id)
    recused = assign(engine, campaign.id, n[1], juror.id, status="recused")
    board = client.get("/jury", headers=EN)
    page = client.get(f"/jury/readings/{recused}", headers=EN)
    assert _links(board.text) == [kept]
    assert page.status_code == 403
    assert "You declared a conflict of interest for this nominee." in text_of(page.text)


def test_reading_of_another_juror_is_not_found(client, engine, jury):
    campaign, _juror, _crits = jury
    other = make_user(engine, "juror", "other@example.org")
    theirs = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], other.id)
    page = client.get(f"/jury/readings/{theirs}", headers=EN)
    assert (page.status_code, "No such reading." in text_of(page.text)) == (404, True)


def _page_statements(client, engine, url) -> int:
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


@pytest.mark.usefixtures("languages_every_request")
def test_board_page_query_count_does_not_grow_with_readings(client, engine, jury):
    campaign, juror, crits = jury
    n = eligible_nominees(engine, 31)
    assign(engine, campaign.id, n[0], juror.id)
    one = _page_statements(client, engine, "/jury")
    for nominee in n[1:]:
        give_scores(engine, assign(engine, campaign.id, nominee, juror.id), {crits[0]: 5.0})
    thirty_one = _page_statements(client, engine, "/jury")
    assert len(_links(client.get("/jury").text)) == 31
    assert one == thirty_one


# --- the reading page ------------------------------------------------------------------------


def test_reading_page_has_one_number_input_per_criterion_in_order(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, {crits[1]: 7.5})
    html = client.get(f"/jury/readings/{aid}", headers=EN).text
    inputs = re.findall(r'<input id="score-(\d+)" name="score_\d+" ' + NUMBER + r'"([^"]*)"', html)
    assert inputs == [(str(c), "7.5" if c == crits[1] else "") for c in crits]
    assert f'hx-post="/jury/readings/{aid}/score"' in html
    assert f'action="/jury/assignments/{aid}/recuse"' in html
    text = text_of(html)
    assert "Significance of the impact What the person" in text
    assert "Submit and next Save without submitting" in text
    assert "Save and next" not in text


def test_jury_pages_never_show_nominator_contacts(client, engine, jury):
    campaign, juror, crits = jury
    n = eligible_nominees(engine, 2, **WITH_CONTACTS)
    open_reading = assign(engine, campaign.id, n[0], juror.id)
    blind = assign(engine, campaign.id, n[1], juror.id, blind=True)
    give_scores(engine, open_reading, dict.fromkeys(crits, 5.0), submitted=True)
    pages = [
        client.get(url).text
        for url in ("/jury", f"/jury/readings/{open_reading}", f"/jury/readings/{blind}")
    ]
    for page in pages:
        assert [c in page for c in CONTACTS] == [False] * 4
    # The referees are shown: jurors may call them.
    assert "Oumou Diarra · +22376112233" in text_of(pages[1])
    assert "Fanta Traoré (Patiente)" in text_of(pages[1])


def test_blind_reader_does_not_see_who_nominated(client, engine, jury):
    campaign, juror, _crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, blind=True)
    text = text_of(client.get(f"/jury/readings/{aid}", headers=EN).text)
    assert ("Fanta Traoré" in text, "Patiente" in text, "Blind reading" in text) == (
        False,
        False,
        True,
    )


# --- saving one score with htmx --------------------------------------------------------------


def test_score_by_htmx_saves_and_answers_saved_with_new_version(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    response = _score(client, aid, crits[0], "7,5")
    assert response.status_code == 200
    assert text_of(response.text) == "Saved"
    assert '<input type="hidden" id="version" name="version" value="1" hx-swap-oob="true">' in (
        response.text
    )
    assert stored_scores(engine, aid) == {crits[0]: 7.5}


@pytest.mark.parametrize(
    ("value", "message"),
    [("11", "A score runs from 0 to 10."), ("sept", "Enter a number from 0 to 10.")],
)
def test_score_out_of_range_or_not_a_number_is_refused(client, engine, jury, value, message):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, {crits[0]: 4.0})
    response = _score(client, aid, crits[0], value)
    assert (response.status_code, text_of(response.text)) == (422, message)
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({crits[0]: 4.0}, 0)


def test_score_with_another_jurors_id_in_the_form_scores_only_ones_own(client, engine, jury):
    campaign, juror, crits = jury
    other = make_user(engine, "juror", "other@example.org")
    n = eligible_nominees(engine, 1)[0]
    mine = assign(engine, campaign.id, n, juror.id)
    theirs = assign(engine, campaign.id, n, other.id)
    response = _score(client, mine, crits[0], "6", juror_id=other.id)
    assert (response.status_code, stored_scores(engine, mine)) == (200, {crits[0]: 6.0})
    assert stored_scores(engine, theirs) == {}


def test_score_on_another_jurors_reading_is_not_found(client, engine, jury):
    campaign, _juror, crits = jury
    other = make_user(engine, "juror", "other@example.org")
    theirs = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], other.id)
    response = _score(client, theirs, crits[0], "6", juror_id=other.id)
    assert response.status_code == 404
    assert (stored_scores(engine, theirs), stored(engine, theirs).version) == ({}, 0)


def test_score_on_a_recused_reading_is_refused(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, status="recused")
    response = _score(client, aid, crits[0], "6")
    assert response.status_code == 403
    assert stored_scores(engine, aid) == {}


def test_score_after_submitting_says_it_is_locked(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, dict.fromkeys(crits, 5.0), submitted=True)
    response = _score(client, aid, crits[0], "9")
    assert (response.status_code, text_of(response.text)) == (
        422,
        "Your scores for this nominee are submitted: they can no longer change.",
    )
    assert stored_scores(engine, aid) == dict.fromkeys(crits, 5.0)


def test_score_after_review_closed_says_so(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    set_values(engine, Campaign, campaign.id, review_end=db.utcnow() - timedelta(minutes=1))
    response = _score(client, aid, crits[0], "9")
    page = client.get(f"/jury/readings/{aid}", headers=EN)
    assert (response.status_code, text_of(response.text)) == (
        422,
        "The review is closed: scores can no longer change.",
    )
    assert stored_scores(engine, aid) == {}
    assert 'hx-post="' not in page.text and "Save and next" not in text_of(page.text)


def test_score_from_two_tabs_last_write_wins_and_the_other_tab_learns(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    first = _score(client, aid, crits[0], "6", version=0)
    second = _score(client, aid, crits[0], "8", version=0)
    stale = "Also changed in another tab: reload to see the latest."
    assert (stale in text_of(first.text), stale in text_of(second.text)) == (False, True)
    assert stored_scores(engine, aid) == {crits[0]: 8.0}


def test_comment_by_htmx_saves_and_refuses_too_long(client, engine, jury):
    campaign, juror, _crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    url = f"/jury/readings/{aid}/comment"
    saved = post(client, url, {"comment": "Call the referee.", "version": 0}, headers=HX)
    too_long = post(client, url, {"comment": "x" * 4001, "version": 1}, headers=HX)
    assert (saved.status_code, text_of(saved.text)) == (200, "Saved")
    assert (too_long.status_code, text_of(too_long.text)) == (422, "At most 4,000 characters.")
    assert stored(engine, aid).comment == "Call the referee."


# --- the whole form, without JavaScript ------------------------------------------------------


def _sheet(crits, values, action, comment=""):
    data = {f"score_{c}": v for c, v in zip(crits, values, strict=True)}
    return {**data, "comment": comment, "version": 0, "action": action}


def test_form_save_stores_everything_and_redirects(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    data = _sheet(crits, ["7", "6,5", "", "9", "10"], "save", "Strong.")
    response = post(client, f"/jury/readings/{aid}", data, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/jury/readings/{aid}?notice=saved",
    )
    expected = {crits[0]: 7.0, crits[1]: 6.5, crits[3]: 9.0, crits[4]: 10.0}
    assert (stored_scores(engine, aid), stored(engine, aid).comment) == (expected, "Strong.")
    assert "Saved." in text_of(client.get(response.headers["location"], headers=EN).text)


def test_form_with_bad_values_answers_422_and_changes_nothing(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    data = _sheet(crits, ["7", "12", "", "x", ""], "save")
    response = post(client, f"/jury/readings/{aid}", data, headers=EN)
    text = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was changed: see the marked fields." in text
    assert [m in text for m in ("A score runs from 0 to 10.", "Enter a number from 0 to 10.")] == [
        True,
        True,
    ]
    assert f'name="score_{crits[1]}" {NUMBER}"12"' in response.text
    assert (stored_scores(engine, aid), stored(engine, aid).version) == ({}, 0)


def test_form_save_and_next_opens_the_reading_with_fewest_readings(client, engine, jury):
    campaign, juror, crits = jury
    other = make_user(engine, "juror", "other@example.org")
    n = eligible_nominees(engine, 3)
    current = assign(engine, campaign.id, n[0], juror.id)
    read_once = assign(engine, campaign.id, n[1], juror.id)
    unread = assign(engine, campaign.id, n[2], juror.id)
    give_scores(engine, assign(engine, campaign.id, n[1], other.id), {crits[0]: 5.0}, True)
    data = _sheet(crits, ["7", "", "", "", ""], "next")
    response = post(client, f"/jury/readings/{current}", data, follow_redirects=False)
    assert response.headers["location"] == f"/jury/readings/{unread}"
    assert read_once != unread and stored_scores(engine, current) == {crits[0]: 7.0}


def test_form_save_and_next_on_the_last_open_reading_goes_to_the_board(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    data = _sheet(crits, ["7", "", "", "", ""], "next")
    response = post(client, f"/jury/readings/{aid}", data, follow_redirects=False)
    assert response.headers["location"] == "/jury?done=1"
    board = text_of(client.get("/jury?done=1", headers=EN).text)
    assert "No other nominee is waiting for your scores." in board


def test_form_submit_and_next_hands_in_and_opens_the_next_reading(client, engine, jury):
    campaign, juror, crits = jury
    n = eligible_nominees(engine, 2)
    current = assign(engine, campaign.id, n[0], juror.id)
    following = assign(engine, campaign.id, n[1], juror.id)
    data = _sheet(crits, ["7", "8", "9", "6", "5"], "submit_next")

    response = post(client, f"/jury/readings/{current}", data, follow_redirects=False)

    assert response.headers["location"] == f"/jury/readings/{following}"
    assert stored(engine, current).status == "submitted"
    board = text_of(client.get("/jury", headers=EN).text)
    assert "1 of 2 submitted" in board and "saved but not submitted" not in board


def test_form_submit_and_next_incomplete_saves_stays_and_says_why(client, engine, jury):
    campaign, juror, crits = jury
    n = eligible_nominees(engine, 2)
    current = assign(engine, campaign.id, n[0], juror.id)
    assign(engine, campaign.id, n[1], juror.id)
    data = _sheet(crits, ["7", "8", "", "", ""], "submit_next")

    response = post(client, f"/jury/readings/{current}", data, headers=EN)

    assert response.status_code == 422
    text = text_of(response.text)
    assert "Your scores are not submitted: score every criterion first." in text
    assert text.count("Score this criterion before submitting.") == 3
    assert stored(engine, current).status == "assigned"
    assert stored_scores(engine, current) == {crits[0]: 7.0, crits[1]: 8.0}
    board = text_of(client.get("/jury", headers=EN).text)
    assert "0 of 2 submitted · 1 saved but not submitted: it does not count yet" in board


def test_form_submit_incomplete_saves_but_does_not_submit(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    data = _sheet(crits, ["7", "8", "9", "", ""], "submit")
    response = post(client, f"/jury/readings/{aid}", data, headers=EN)
    text = text_of(response.text)
    assert response.status_code == 422
    assert "Your scores are not submitted: score every criterion first." in text
    assert text.count("Score this criterion before submitting.") == 2
    assert stored(engine, aid).status == "assigned"
    assert stored_scores(engine, aid) == {crits[0]: 7.0, crits[1]: 8.0, crits[2]: 9.0}


def test_form_submit_locks_and_then_shows_other_jurors_scores(client, engine, jury):
    campaign, juror, crits = jury
    awa = make_user(engine, "juror", "awa@example.org", name="Awa Sow")
    nominee = eligible_nominees(engine, 1)[0]
    aid = assign(engine, campaign.id, nominee, juror.id)
    give_scores(engine, assign(engine, campaign.id, nominee, awa.id), dict.fromkeys(crits, 4.0), 1)
    before = text_of(client.get(f"/jury/readings/{aid}", headers=EN).text)
    data = _sheet(crits, ["7", "8", "9", "6", "5"], "submit")
    response = post(client, f"/jury/readings/{aid}", data, follow_redirects=False)
    after = client.get(response.headers["location"], headers=EN)
    assert "Awa Sow" not in before
    assert "The other jurors' scores appear here once you submit yours." in before
    assert response.headers["location"] == f"/jury/readings/{aid}?notice=submitted"
    assert "You 7 8 9 6 5 7.00 Awa Sow 4 4 4 4 4 4.00" in text_of(after.text)
    assert ("Your scores are submitted." in text_of(after.text), 'hx-post="' in after.text) == (
        True,
        False,
    )
    assert stored(engine, aid).status == "submitted"


def test_submit_route_refuses_incomplete_then_submits(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, dict.fromkeys(crits[:4], 6.0))
    refused = post(client, f"/jury/readings/{aid}/submit", headers=EN)
    give_scores(engine, aid, {crits[4]: 6.0})
    done = post(client, f"/jury/readings/{aid}/submit", follow_redirects=False)
    assert refused.status_code == 422
    assert text_of(refused.text).count("Score this criterion before submitting.") == 1
    assert done.headers["location"] == f"/jury/readings/{aid}?notice=submitted"
    assert stored(engine, aid).status == "submitted"


def test_form_after_submit_is_refused_with_a_clear_error(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    give_scores(engine, aid, dict.fromkeys(crits, 5.0), submitted=True)
    data = _sheet(crits, ["9", "9", "9", "9", "9"], "save")
    response = post(client, f"/jury/readings/{aid}", data, headers=EN)
    assert response.status_code == 409
    assert "Your scores for this nominee are submitted: they can no longer change." in text_of(
        response.text
    )
    assert stored_scores(engine, aid) == dict.fromkeys(crits, 5.0)


def test_next_link_goes_to_the_open_reading_or_the_board(client, engine, jury):
    campaign, juror, _crits = jury
    only = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    first = client.get("/jury/next", follow_redirects=False)
    after = client.get(f"/jury/next?after={only}", follow_redirects=False)
    assert (first.headers["location"], after.headers["location"]) == (
        f"/jury/readings/{only}",
        "/jury?done=1",
    )


def test_volunteer_cannot_score(client, engine, jury):
    campaign, juror, crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    client.cookies.clear()
    make_user(engine, "volunteer", "v@example.org")
    login(client, "v@example.org", PASSWORD)
    response = _score(client, aid, crits[0], "7")
    assert (response.status_code, stored_scores(engine, aid)) == (403, {})


def test_manager_on_the_jury_board_sees_only_their_own_readings(client, engine, jury):
    campaign, juror, _crits = jury
    assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    client.cookies.clear()
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    page = client.get("/jury", headers=EN)
    assert (page.status_code, _links(page.text)) == (200, [])
    assert "No nominee is assigned to you yet." in text_of(page.text)


def test_score_for_an_unknown_criterion_is_not_found(client, engine, jury):
    campaign, juror, _crits = jury
    aid = assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)
    response = _score(client, aid, 999, "7")
    assert (response.status_code, stored_scores(engine, aid), stored(engine, aid).version) == (
        404,
        {},
        0,
    )
