"""Round pages: managers make rounds, watch the live count (page and htmx fragment), close,
review fraud clusters and void them, download the tally; the public sees /results as allowed."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from campaign import db
from profiles.models import Profile
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.voting.test_rounds import VOTES, add_ballots, form, shortlist, snapshot
from voting import round_changes
from voting.models import Ballot, Round

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}


@pytest.fixture
def voting(engine):
    return make_campaign(engine, "voting")


@pytest.fixture
def manager(client, engine, voting):
    user = make_user(engine, "manager", "manager@example.org")
    login(client, user.email, PASSWORD)
    return user


@pytest.fixture
def three(engine, voting):
    return shortlist(engine, voting.id, ["Awa Diallo", "Bakary Koné", "Coumba Sow"])


@pytest.fixture
def open_round(engine, voting, manager, three):
    return round_changes.create_round(engine, manager.id, voting.id, form())


def new_round_form(**overrides) -> dict:
    f = form()
    values = {
        "title": f.title, "opens_at": f.opens_at, "closes_at": f.closes_at, "seats": "2",
        "alternates": "1", "channels": ["web", "sms"], "weight_jury": "0", "weight_web": "50",
        "weight_sms": "50", "source": "shortlist",
    }  # fmt: skip
    return values | overrides


def test_create_round_page_redirects_to_the_round(client, engine, manager, three):
    response = post(client, "/manage/rounds", new_round_form(), headers=EN, follow_redirects=False)

    with db.session(engine) as s:
        made = s.exec(select(Round)).one()
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/rounds/{made.id}",
    )
    page = text_of(client.get(f"/manage/rounds/{made.id}", headers=EN).text)
    assert "1 Awa Diallo 0 0 0 0 2 Bakary Koné 0 0 0 0 3 Coumba Sow 0 0 0 0" in page
    assert (made.seats, made.alternates) == (2, 1)


def test_new_round_form_as_shown_makes_a_round_once_titled_dated_and_weighed(
    client, engine, manager, three
):
    page = client.get("/manage/rounds", headers=EN).text
    shown = dict(re.findall(r'<input id="(\w+)" name="\w+" type="[\w-]+" value="([^"]*)"', page))
    f = form()
    # No jury scores yet, so the jury weight must go to 0 (the page says so otherwise).
    typed = {"title": f.title, "opens_at": f.opens_at, "closes_at": f.closes_at, "weight_jury": "0"}
    filled = shown | typed
    filled["channels"] = re.findall(r'name="channels" value="(\w+)" checked', page)

    response = post(client, "/manage/rounds", filled, headers=EN, follow_redirects=False)

    with db.session(engine) as s:
        made = s.exec(select(Round)).one()
    assert response.status_code == 303
    assert (made.seats, made.alternates, made.code_budget) == (5, 0, 60)
    assert (made.web_enabled, made.sms_enabled) == (True, True)
    assert (made.weight_jury, made.weight_web, made.weight_sms) == (0, 25, 25)


def test_create_round_page_keeps_a_bad_form_and_changes_nothing(client, engine, manager, three):
    before = snapshot(engine)

    response = post(client, "/manage/rounds", new_round_form(channels=[], title="Finale"),
                    headers=EN)  # fmt: skip

    assert response.status_code == 422
    assert "Choose at least one channel." in text_of(response.text)
    assert 'value="Finale"' in response.text
    assert snapshot(engine) == before


def test_round_page_live_panel_polls_and_serves_the_fragment(client, engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)

    page = client.get(f"/manage/rounds/{open_round.id}", headers=EN)
    fragment = client.get(f"/manage/rounds/{open_round.id}/live", headers=HTMX)

    assert f'hx-get="/manage/rounds/{open_round.id}/live" hx-trigger="every 5s"' in page.text
    assert 'hx-swap="outerHTML"' in page.text and "Refresh" in text_of(page.text)
    assert fragment.text.lstrip().startswith('<section id="live"')
    assert "<html" not in fragment.text
    assert "All candidates 4 3 7 0" in text_of(fragment.text)
    assert fragment.headers["vary"].startswith("HX-Request")


def test_close_round_shows_seats_and_public_results(client, engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)
    hidden = text_of(client.get("/results", headers=EN).text)

    response = post(client, f"/manage/rounds/{open_round.id}/close", follow_redirects=False)
    shown = text_of(client.get("/results", headers=EN).text)

    assert response.status_code == 303
    assert "The results will be published after the vote closes" in hidden
    assert "Awa Diallo" not in hidden
    assert (
        "1 Awa Diallo Winner 4 votes: 3 on the web, 1 by SMS "
        "2 Bakary Koné Alternate 3 votes: 1 on the web, 2 by SMS "
        "3 Coumba Sow 0 votes: 0 on the web, 0 by SMS 7 votes counted."
    ) in shown
    assert "7 votes counted." in shown


def test_results_page_without_round_says_so(client, voting):
    assert "The public vote has not started yet." in text_of(
        client.get("/results", headers=EN).text
    )


def test_fraud_page_voids_a_cluster_with_reason(client, engine, manager, open_round):
    ids = add_ballots(engine, open_round.id, VOTES)

    response = post(client, f"/manage/rounds/{open_round.id}/void",
                    {"vote_ids": f"{ids[0]},{ids[1]}", "reason": "Même navigateur",
                     "kind": "shared_browser", "key": "b1"}, follow_redirects=False)  # fmt: skip

    with db.session(engine) as s:
        rows = s.exec(select(Ballot.id, Ballot.void, Ballot.void_reason).order_by(Ballot.id)).all()
    assert response.headers["location"] == f"/manage/rounds/{open_round.id}/fraud?voided=2"
    assert [tuple(r) for r in rows][:3] == [
        (ids[0], True, "Même navigateur"), (ids[1], True, "Même navigateur"), (ids[2], False, ""),
    ]  # fmt: skip
    assert len(rows) == 7
    page = text_of(client.get(f"/manage/rounds/{open_round.id}/fraud", headers=EN).text)
    assert "No signal in this round." in page


def test_fraud_void_without_reason_changes_nothing(client, engine, manager, open_round):
    ids = add_ballots(engine, open_round.id, VOTES)
    before = snapshot(engine)

    response = post(client, f"/manage/rounds/{open_round.id}/void",
                    {"vote_ids": str(ids[0]), "reason": " ", "kind": "burst", "key": "k"},
                    headers=EN)  # fmt: skip

    assert response.status_code == 422
    assert "Nothing was changed." in text_of(response.text)
    assert snapshot(engine) == before


def test_fraud_void_of_bad_ids_changes_nothing(client, engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)
    before = snapshot(engine)

    response = post(client, f"/manage/rounds/{open_round.id}/void",
                    {"vote_ids": "1,x", "reason": "Fraude"}, headers=EN)  # fmt: skip

    assert response.status_code == 422
    assert "Some of these votes are not in this round." in text_of(response.text)
    assert snapshot(engine) == before


def test_tally_csv_download_has_bom_and_no_voter_data(client, engine, manager, open_round):
    add_ballots(engine, open_round.id, VOTES)

    response = client.get(f"/manage/rounds/{open_round.id}/tally.csv")

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeffplace;number;name".encode())
    assert (
        response.text.splitlines()[1] == "1;1;Awa Diallo;3;1;4;0;0.7500;0.3333;0.0000;0.5417;seat"
    )
    assert "voter_hash" not in response.text and ";h1;" not in response.text


PATHS = ["/manage/rounds", "/manage/rounds/1", "/manage/rounds/1/live", "/manage/rounds/1/fraud",
         "/manage/rounds/1/tally.csv"]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_round_pages_refuse_a_juror(client, engine, voting, path):
    juror = make_user(engine, "juror", "juror@example.org")
    login(client, juror.email, PASSWORD)

    response = client.get(path, headers=EN)

    assert (response.status_code, "This page is for another role." in response.text) == (403, True)


def test_round_pages_send_anonymous_visitors_to_login(client, voting):
    response = client.get("/manage/rounds", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (
        303, "/login?next=/manage/rounds",
    )  # fmt: skip


def test_close_by_a_juror_changes_nothing(client, engine, voting, three):
    manager = make_user(engine, "manager")
    r = round_changes.create_round(engine, manager.id, voting.id, form())
    juror = make_user(engine, "juror", "juror@example.org")
    login(client, juror.email, PASSWORD)
    before = snapshot(engine)

    response = post(client, f"/manage/rounds/{r.id}/close", headers=EN)

    assert response.status_code == 403
    assert snapshot(engine) == before


def test_results_link_to_published_profiles_by_their_published_name(
    client, engine, manager, voting, three, open_round
):
    add_ballots(engine, open_round.id, VOTES)
    post(client, f"/manage/rounds/{open_round.id}/close")
    with db.session(engine) as s, s.begin():
        for nominee_id, name, status in ((three[0], "Dr Awa Diallo", "published"),
                                         (three[1], "Bakary Koné (draft)", "draft")):  # fmt: skip
            s.add(Profile(campaign_id=voting.id, nominee_id=nominee_id, slug=f"p-{nominee_id}",
                          year=voting.year, name=name, status=status))  # fmt: skip

    page = client.get("/results", headers=EN).text

    assert f'<a href="/finalists/p-{three[0]}">Dr Awa Diallo</a>' in page
    assert "Bakary Koné (draft)" not in page and "2 Bakary Koné Alternate" in text_of(page)
