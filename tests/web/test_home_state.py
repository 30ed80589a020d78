"""The home page says what /vote and /results say, whatever the phase dates claim; managers are
warned on their pages when a phase is open with nothing in it to act on."""

from __future__ import annotations

from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from campaign import db
from campaign.models import Campaign
from tests.conftest import login, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.shortlist.test_scoring import assign, eligible_nominees
from tests.voting.test_ballot_box import make_round
from web.app import create_app

EN = {"Accept-Language": "en"}
PHASE_DATES = ("nominations_start", "nominations_end", "review_start", "review_end",
               "voting_start", "voting_end", "results_at")  # fmt: skip


def campaign_with_round(engine, phase: str, **hours):
    """A round made while nominations are open (as make_round needs), then the campaign's
    dates moved so that ``phase`` is open now."""
    campaign = make_campaign(engine, "nominations")
    make_round(engine, campaign, **hours)
    moved = make_campaign(engine, phase, year=campaign.year + 1)  # one edition a year
    with db.session(engine) as s, s.begin():
        row = s.get(Campaign, campaign.id)
        for name in PHASE_DATES:
            setattr(row, name, getattr(moved, name))
        s.delete(s.get(Campaign, moved.id))
    return campaign


def _home(client) -> str:
    return text_of(client.get("/", headers=EN).text)


def test_home_in_the_voting_phase_without_a_round_says_no_vote_is_open(client, engine):
    make_campaign(engine, "voting")

    home = client.get("/", headers=EN).text

    assert "Now No vote is open right now." in text_of(home)
    assert 'href="/vote"' not in home
    assert "No vote is open right now." in text_of(client.get("/vote", headers=EN).text)


def test_home_before_the_round_opens_says_when_like_vote(client, engine):
    campaign_with_round(engine, "voting", opens=24, closes=48)

    home = _home(client)

    assert "Now Voting opens on " in home
    assert "Voting is open." not in home
    assert "Voting opens on " in text_of(client.get("/vote", headers=EN).text)


def test_home_with_an_open_round_says_voting_is_open_and_links_the_ballot(client, engine):
    campaign_with_round(engine, "voting")

    home = client.get("/", headers=EN).text

    assert "Now Voting is open. Voting closes on " in text_of(home)
    assert '<a class="button" href="/vote">Vote for your Integrity Icon</a>' in home


def test_home_follows_a_round_opened_before_the_voting_phase(client, engine):
    campaign_with_round(engine, "review")

    assert "Now Voting is open." in _home(client)


def test_home_after_the_results_date_with_the_round_still_open_says_voting_is_open(client, engine):
    campaign_with_round(engine, "results", opens=-24, closes=24)

    home = _home(client)

    assert "Now Voting is open." in home and "The results are out." not in home
    results = text_of(client.get("/results", headers=EN).text)
    assert "The results were expected on " in results
    assert "the vote is still open until " in results


def test_home_after_the_results_date_without_a_round_says_not_out_yet(client, engine):
    make_campaign(engine, "results")

    home = _home(client)

    assert "Now The results are not out yet." in home and "The results are out." not in home
    results = text_of(client.get("/results", headers=EN).text)
    assert "No results have been published yet." in results
    assert "The public vote has not started yet." not in results


def test_home_after_the_results_date_with_a_closed_round_says_they_are_out(client, engine):
    campaign_with_round(engine, "results", opens=-48, closes=-24)

    assert "Now The results are out." in _home(client)


@pytest.fixture
def manager(client, engine):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)


def _warnings(client, path="/manage/campaign") -> str:
    page = client.get(path, headers=EN).text
    start = page.find('<ul class="warnings"')
    return text_of(page[start : page.find("</ul>", start)]) if start >= 0 else ""


def test_manager_is_warned_when_the_voting_phase_has_no_round(client, engine, manager):
    make_campaign(engine, "voting")

    assert "The voting phase is open but no round is" in _warnings(client)
    assert "The voting phase is open but no round is" in _warnings(client, "/manage/rounds")


def test_manager_is_warned_when_the_next_round_opens_after_the_phase_did(client, engine, manager):
    campaign_with_round(engine, "voting", opens=24, closes=48)

    assert "the next round only opens on " in _warnings(client)


def test_manager_is_not_warned_about_the_vote_while_a_round_is_open(client, engine, manager):
    campaign_with_round(engine, "voting")

    assert "round" not in _warnings(client)


def test_manager_is_warned_when_results_are_due_but_no_round_closed(client, engine, manager):
    campaign_with_round(engine, "results", opens=-24, closes=24)

    assert "The results date has passed but no round's results are public" in _warnings(client)


def test_manager_is_warned_when_the_review_is_open_without_readings(client, engine, manager):
    campaign = make_campaign(engine, "review")
    assert "no reading has been given to a juror" in _warnings(client)

    juror = make_user(engine, "juror", "j@example.org")
    assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id)

    assert "no reading has been given to a juror" not in _warnings(client)


def test_jurors_and_the_public_never_see_the_managers_warnings(client, engine):
    make_campaign(engine, "voting")
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)

    assert '<ul class="warnings"' not in client.get("/jury", headers=EN).text
    assert '<ul class="warnings"' not in client.get("/", headers=EN).text


NO_NUMBER = (
    "No SMS number is set: the public pages hide every SMS instruction until one is. Enter it as "
    '"Short code or number to text" on the SMS page, or set ICON_SMS_NUMBER on the server.'
)


def test_manager_is_warned_until_the_sms_number_is_set_either_way(settings, engine):
    campaign = make_campaign(engine, "nominations")
    make_user(engine, "manager", "boss@example.org")
    seen = []
    # Unset; ICON_SMS_NUMBER on the server; the edition's own number (POST /manage/sms/keywords).
    for env_number, edition_number in (("", ""), ("36 000", ""), ("", "36 111")):
        with db.session(engine) as s, s.begin():
            s.get(Campaign, campaign.id).sms_number = edition_number
        configured = replace(settings, sms_number=env_number)
        with TestClient(create_app(configured, engine)) as client:
            login(client, "boss@example.org", PASSWORD)
            seen.append(NO_NUMBER in _warnings(client))

    assert seen == [True, False, False]


def test_vote_before_any_round_says_when_the_voting_phase_opens(client, engine):
    start = make_campaign(engine, "nominations").voting_start

    page = text_of(client.get("/vote", headers=EN).text)

    assert f"Voting opens on {start.day} {start:%B %Y}." in page
    assert "No vote is open right now." not in page


def test_manager_is_not_told_to_assign_readings_the_jury_has_handed_in(client, engine, manager):
    # Once the jurors had handed in every reading, the managers were told the review had no
    # reading and to assign them, as on the first day.
    campaign = make_campaign(engine, "review")
    juror = make_user(engine, "juror", "j@example.org")
    assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, status="submitted")

    assert "assign the readings" not in _warnings(client)


def test_manager_is_told_to_assign_when_every_reading_was_declined(client, engine, manager):
    campaign = make_campaign(engine, "review")
    juror = make_user(engine, "juror", "j@example.org")
    assign(engine, campaign.id, eligible_nominees(engine, 1)[0], juror.id, status="recused")

    assert (
        "The jury review is open but no reading has been given to a juror: assign the readings "
        "on the Readings and jurors page." in _warnings(client)
    )


def test_home_with_a_round_open_before_the_voting_dates_names_the_results_next(client, engine):
    # A round opened during the review: the home page said "Voting is open." then "Next: Public
    # vote, from ...", the dates' next phase, which the open round has already brought.
    campaign_with_round(engine, "review", opens=-1, closes=24)

    home = _home(client)

    assert "Now Voting is open." in home
    assert "Next: Public vote" not in home
    assert "Next: Results, from " in home
