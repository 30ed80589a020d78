"""The managers' review pages (settings, criteria, readings) and a juror's recusal, over HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from campaign import db
from shortlist import assignment, criteria
from shortlist.models import Assignment, ReviewConfig
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_nomination, make_user
from tests.shortlist.test_assignment import make_eligible_nominees, make_jurors, readings

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}
SETTINGS = {"section": "settings", "readings_per_nominee": "4", "blind_readings": "2",
            "longlist_size": "20", "shortlist_size": "8", "finalists": "4",
            "alternates": "2", "jury_picks_finalists": "on"}  # fmt: skip
MANAGE_GETS = ["/manage/review", "/manage/review/assignments"]
MANAGE_POSTS = ["/manage/review", "/manage/review/assign", "/manage/review/assignments/1/reassign"]


def _as(client, engine, role: str):
    user = make_user(engine, role, f"{role}@example.org")
    login(client, f"{role}@example.org", PASSWORD)
    return user


def _config(engine, campaign_id: int) -> dict | None:
    with db.session(engine) as s:
        config = s.get(ReviewConfig, campaign_id)
        return config.model_dump() if config else None


def _assigned(engine, campaign, jurors: int = 4, nominees: int = 2):
    juror_ids = make_jurors(engine, jurors)
    make_eligible_nominees(engine, campaign.id, nominees)
    assignment.auto_assign(engine, None, campaign.id)
    return juror_ids, readings(engine)


@pytest.mark.parametrize("role", ["juror", "volunteer"])
def test_review_pages_refuse_other_roles(client, engine, campaign, role):
    _as(client, engine, role)
    gets = [client.get(url, headers=EN) for url in MANAGE_GETS]
    posts = [post(client, url, SETTINGS, headers=EN) for url in MANAGE_POSTS]
    assert [r.status_code for r in gets + posts] == [403] * 5
    assert "This page is for another role." in text_of(gets[0].text)
    assert (_config(engine, campaign.id), readings(engine)) == (None, [])


def test_review_pages_send_visitors_to_login(client, engine, campaign):
    responses = [client.get(url, follow_redirects=False) for url in MANAGE_GETS]
    assert [(r.status_code, r.headers["location"]) for r in responses] == [
        (303, "/login?next=/manage/review"),
        (303, "/login?next=/manage/review/assignments"),
    ]


def test_settings_page_shows_settings_and_criteria_form(client, engine, campaign):
    _as(client, engine, "manager")
    page = client.get("/manage/review", headers=EN)
    text = text_of(page.text)
    assert (
        'name="readings_per_nominee" type="number" min="1" max="7" required value="3"' in page.text
    )
    assert "Criterion 1 Name in French" in text
    assert 'value="Significance of the impact"' in page.text
    assert page.text.count('name="criterion"') == 5


def test_settings_form_saves_and_redirects(client, engine, campaign):
    _as(client, engine, "manager")
    response = post(client, "/manage/review", SETTINGS, follow_redirects=False)
    saved = client.get(response.headers["location"], headers=EN)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/manage/review?saved=settings",
    )
    assert "Saved." in text_of(saved.text)
    assert _config(engine, campaign.id) == {
        "campaign_id": campaign.id, "readings_per_nominee": 4, "blind_readings": 2,
        "longlist_size": 20, "shortlist_size": 8, "finalists": 4, "alternates": 2,
        "jury_picks_finalists": True,
    }  # fmt: skip


def test_settings_form_with_errors_shows_them_in_the_fragment(client, engine, campaign):
    _as(client, engine, "manager")
    client.get("/manage/review")
    before = _config(engine, campaign.id)
    response = post(client, "/manage/review", SETTINGS | {"blind_readings": "5"}, headers=HTMX)
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form method="post" action="/manage/review"')
    assert "A whole number, at most the number of readings." in text_of(response.text)
    assert 'value="5"' in response.text
    assert _config(engine, campaign.id) == before


def test_criteria_form_saves_names_and_weights(client, engine, campaign):
    _as(client, engine, "manager")
    _config_row, items = criteria.load(engine, campaign.id)
    form = {"section": "criteria", "criterion": [str(c.id) for c in items]}
    for c in items:
        form |= {f"name_fr_{c.id}": c.name["fr"], f"name_en_{c.id}": c.name["en"],
                 f"description_fr_{c.id}": "", f"description_en_{c.id}": "",
                 f"weight_{c.id}": "1"}  # fmt: skip
    form |= {f"name_en_{items[0].id}": "Impact", f"weight_{items[0].id}": "2.5"}
    response = post(client, "/manage/review", form, follow_redirects=False)
    _config_row, after = criteria.load(engine, campaign.id)
    assert response.headers["location"] == "/manage/review?saved=criteria"
    assert (after[0].name["en"], after[0].weight, after[0].description) == (
        "Impact",
        2.5,
        {"fr": "", "en": ""},
    )


def test_criteria_form_bad_weight_shows_the_error(client, engine, campaign):
    _as(client, engine, "manager")
    _config_row, items = criteria.load(engine, campaign.id)
    first = items[0]
    form = {"section": "criteria", "criterion": str(first.id), f"name_fr_{first.id}": "Impact",
            f"weight_{first.id}": "lourd"}  # fmt: skip
    response = post(client, "/manage/review", form, headers=EN)
    assert response.status_code == 422
    assert "A number above 0 and at most 100." in text_of(response.text)
    assert criteria.load(engine, campaign.id)[1][0].weight == 1.0


def test_criteria_are_read_only_once_the_review_opened(client, engine):
    campaign = make_campaign(engine, "review")
    _as(client, engine, "manager")
    _config_row, items = criteria.load(engine, campaign.id)
    page = client.get("/manage/review", headers=EN)
    form = {"section": "criteria", "criterion": str(items[0].id),
            f"name_fr_{items[0].id}": "Autre", f"weight_{items[0].id}": "9"}  # fmt: skip
    refused = post(client, "/manage/review", form, headers=EN)
    assert "The review has opened: the criteria can no longer change" in text_of(page.text)
    assert 'name="criterion"' not in page.text
    assert "Significance of the impact" in text_of(page.text)
    assert refused.status_code == 409
    assert "Criteria cannot change once the review has opened." in text_of(refused.text)
    assert criteria.load(engine, campaign.id)[1][0].weight == 1.0


def _assign(client):
    """The manager presses "Assign readings": the answer, and the page it leads to."""
    response = post(client, "/manage/review/assign", follow_redirects=False)
    return response, client.get(response.headers["location"], headers=EN)


def test_assign_button_assigns_and_shows_the_counts(client, engine, campaign):
    _as(client, engine, "manager")
    make_jurors(engine, 2)
    make_eligible_nominees(engine, campaign.id, 2)
    response, page = _assign(client)
    text = text_of(page.text)
    assert response.headers["location"] == (
        "/manage/review/assignments?nominees=2&jurors=2&created=4&blind=2&short=2"
    )
    assert "Eligible nominees: 2. New readings: 4, of which blind: 2." in text
    assert "2 readings could not be assigned" in text
    assert len(readings(engine)) == 4


def test_assign_with_no_eligible_nominee_says_to_mark_nominations_eligible(
    client, engine, campaign
):
    # A fresh team's nominations all start "Received": "Eligible nominees: 0" alone left them
    # pressing the button again, not knowing the jury reads only what a manager marked eligible.
    _as(client, engine, "manager")
    make_jurors(engine, 1)
    make_nomination(engine)
    response, page = _assign(client)
    assert "Eligible nominees: 0. New readings: 0, of which blind: 0." in text_of(page.text)
    assert (
        "No nominee is eligible yet: the jury reads only nominees with a nomination marked "
        "“Eligible”. Mark the nominations that meet the rules as eligible, then assign the "
        "readings again. The nominations received" in text_of(page.text)
    )
    assert '<a href="/manage/nominations?status=received">' in page.text
    assert readings(engine) == []


def test_assign_with_eligible_nominees_gives_no_such_advice(client, engine, campaign):
    _as(client, engine, "manager")
    make_jurors(engine, 1)
    make_eligible_nominees(engine, campaign.id, 1)
    response, page = _assign(client)
    assert "Eligible nominees: 1." in text_of(page.text)
    assert "No nominee is eligible yet" not in text_of(page.text)


def test_assignments_page_lists_workload_and_filters_readings(client, engine, campaign):
    _as(client, engine, "manager")
    jurors, rows = _assigned(engine, campaign, jurors=3, nominees=2)
    page = client.get("/manage/review/assignments", headers=EN)
    mine = client.get(f"/manage/review/assignments?juror={jurors[0]}", headers=HTMX)
    assert "Juror 2 2 0 0 Juror 3 2 0 0 Juror 4 2 0 0" in text_of(page.text)
    assert "6 readings" in text_of(page.text)
    assert mine.text.lstrip().startswith('<div id="results">')
    assert "2 readings" in text_of(mine.text)
    assert re.findall(r"/manage/review/assignments/(\d+)/reassign", page.text) == []


def test_reassign_form_moves_a_reading(client, engine, campaign):
    _as(client, engine, "manager")
    jurors, rows = _assigned(engine, campaign, jurors=4, nominees=1)
    page = client.get("/manage/review/assignments?status=assigned", headers=EN)
    spare = next(j for j in jurors if j not in {r[2] for r in rows})
    back = re.search(r'name="back" value="([^"]*)"', page.text).group(1)
    response = post(
        client,
        f"/manage/review/assignments/{rows[0][0]}/reassign",
        {"juror": str(spare), "back": back},
        follow_redirects=False,
    )
    moved = client.get(response.headers["location"], headers=EN)
    assert (
        response.headers["location"] == "/manage/review/assignments?status=assigned&page=1&moved=1"
    )
    assert "Reading moved." in text_of(moved.text)
    assert [(r[2], r[4]) for r in readings(engine)][0] == (rows[0][2], "withdrawn")
    assert readings(engine)[-1][2:5] == (spare, True, "assigned")


def test_reassign_form_refused_shows_why_and_changes_nothing(client, engine, campaign):
    _as(client, engine, "manager")
    _jurors, rows = _assigned(engine, campaign, jurors=3, nominees=1)
    response = post(
        client, f"/manage/review/assignments/{rows[0][0]}/reassign", {"juror": str(rows[1][2])},
        headers=EN,
    )  # fmt: skip
    assert response.status_code == 422
    assert "Nothing was changed. This juror already has, or declined, this nominee." in text_of(
        response.text
    )
    assert readings(engine) == rows


@pytest.mark.usefixtures("languages_every_request")
def test_assignments_page_query_count_does_not_grow_with_nominees(client, engine, campaign):
    _as(client, engine, "manager")
    make_jurors(engine, 7)
    make_eligible_nominees(engine, campaign.id, 1)
    assignment.auto_assign(engine, None, campaign.id)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def count() -> int:
        statements.clear()
        response = client.get("/manage/review/assignments")
        assert response.status_code == 200
        return len(statements)

    with_one = count()
    make_eligible_nominees(engine, campaign.id, 29)
    assignment.auto_assign(engine, None, campaign.id)
    with_thirty = count()
    assert len(re.findall(r"/reassign", client.get("/manage/review/assignments").text)) == 50
    assert with_one == with_thirty


def _reader_with_reading(client, engine, campaign):
    """A signed-in juror holding the first reading of the only nominee, and every reading."""
    reader = make_user(engine, "juror", "reader@example.org")
    make_jurors(engine, 3)
    make_eligible_nominees(engine, campaign.id, 1)
    assignment.auto_assign(engine, None, campaign.id)
    login(client, "reader@example.org", PASSWORD)
    rows = readings(engine)
    return next(r for r in rows if r[2] == reader.id), rows


def test_recuse_form_names_the_nominee(client, engine, campaign):
    mine, _rows = _reader_with_reading(client, engine, campaign)
    page = client.get(f"/jury/assignments/{mine[0]}/recuse", headers=EN)
    assert "If you know Nominee 0000, or have an interest in the outcome" in text_of(page.text)
    assert f'action="/jury/assignments/{mine[0]}/recuse"' in page.text


def test_recuse_declines_the_reading_and_returns_to_the_jury_board(client, engine, campaign):
    mine, rows = _reader_with_reading(client, engine, campaign)
    response = post(
        client, f"/jury/assignments/{mine[0]}/recuse", {"reason": "My uncle"},
        follow_redirects=False,
    )  # fmt: skip
    after = readings(engine)
    assert (response.status_code, response.headers["location"]) == (303, "/jury")
    assert after[0] == (*mine[:4], "recused", "My uncle")
    assert len(after) == len(rows) + 1
    assert after[-1][2] not in {r[2] for r in rows}


def test_recuse_with_htmx_answers_with_a_redirect_header(client, engine, campaign):
    mine, _rows = _reader_with_reading(client, engine, campaign)
    response = post(client, f"/jury/assignments/{mine[0]}/recuse", {"reason": "Neighbour"},
                    headers=HTMX)  # fmt: skip
    assert (response.status_code, response.headers["HX-Redirect"]) == (204, "/jury")


def test_recuse_someone_elses_reading_answers_as_a_missing_one(client, engine, campaign):
    mine, rows = _reader_with_reading(client, engine, campaign)
    other = next(r for r in rows if r[0] != mine[0])
    response = post(client, f"/jury/assignments/{other[0]}/recuse", {"reason": "x"}, headers=EN)
    form = client.get(f"/jury/assignments/{other[0]}/recuse", headers=EN)
    missing = post(client, "/jury/assignments/999999/recuse", {"reason": "x"}, headers=EN)
    assert (response.status_code, form.status_code, missing.status_code) == (404, 404, 404)
    assert "No such reading." in text_of(response.text)
    assert text_of(response.text) == text_of(missing.text)
    assert readings(engine) == rows


def test_recuse_without_a_reason_shows_the_error(client, engine, campaign):
    mine, rows = _reader_with_reading(client, engine, campaign)
    response = post(client, f"/jury/assignments/{mine[0]}/recuse", {"reason": " "}, headers=EN)
    assert response.status_code == 422
    text = text_of(response.text)
    assert text.count("Nothing was changed.") == 1
    assert "Say what ties you to this nominee." in text
    assert readings(engine) == rows


def test_recuse_after_submitting_shows_why_it_is_refused(client, engine, campaign):
    mine, _rows = _reader_with_reading(client, engine, campaign)
    with db.session(engine) as s, s.begin():
        s.get(Assignment, mine[0]).status = "submitted"
    before = readings(engine)
    response = post(client, f"/jury/assignments/{mine[0]}/recuse", {"reason": "Cousin"},
                    headers=EN)  # fmt: skip
    assert response.status_code == 422
    assert "This reading is submitted: it can no longer be declined." in text_of(response.text)
    assert 'name="reason"' not in response.text
    assert readings(engine) == before


def test_recuse_is_for_jurors_only(client, engine, campaign):
    _as(client, engine, "manager")
    _jurors, rows = _assigned(engine, campaign)
    response = post(client, f"/jury/assignments/{rows[0][0]}/recuse", {"reason": "x"}, headers=EN)
    assert response.status_code == 403
    assert "This page is for another role." in text_of(response.text)
    assert readings(engine) == rows
