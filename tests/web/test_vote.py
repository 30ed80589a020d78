"""``/vote``: candidates, phone, SMS code, choice and receipt, without JavaScript; and
``/vote/receipt``, which says a vote was counted and nothing else."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlmodel import select
from starlette.testclient import TestClient

from campaign import db
from campaign.models import SmsMessage
from campaign.settings import load_settings
from tests.conftest import post, text_of
from tests.voting.test_ballot_box import E164, PHONE, add_code, ballots, count, make_round
from voting import receipts
from voting.models import VoteCode
from web.app import create_app

EN = {"Accept-Language": "en"}


def _code_sent(engine) -> str:
    with db.session(engine) as s:
        body = s.exec(select(SmsMessage.body).order_by(SmsMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_vote_page_shows_the_ballot_and_how_to_vote(client, engine, campaign):
    make_round(engine, campaign)
    page = text_of(client.get("/vote", headers=EN).text)
    assert "1 A Aminata Goïta Sage-femme, CSCOM de Kalaban Coro Koulikoro" in page
    assert "2 M Moussa Traoré" in page
    assert "3 F Fanta Coulibaly" in page
    # No ICON_SMS_NUMBER in the tests' settings: no SMS instruction without a number to text.
    assert "Vote by SMS" not in page and "Send ICON" not in page
    assert "Your phone number" in page


def test_vote_page_before_the_round_says_when_it_opens(client, engine, campaign):
    make_round(engine, campaign, opens=24, closes=48)
    page = client.get("/vote", headers=EN)
    assert "Voting opens on" in text_of(page.text)
    assert 'action="/vote/code"' not in page.text


def test_vote_page_after_the_round_points_to_the_results(client, engine, campaign):
    make_round(engine, campaign, opens=-48, closes=-24)
    page = client.get("/vote", headers=EN)
    assert "No vote is open right now. See the results" in text_of(page.text)
    assert 'href="/results"' in page.text


def test_vote_by_web_code_choice_and_receipt(client, engine, campaign):
    r = make_round(engine, campaign)
    asked = post(client, "/vote/code", {"round_id": r.id, "phone": PHONE}, headers=EN)
    assert asked.status_code == 200
    assert "We sent a 6-digit code by SMS to +223 •••• 56." in text_of(asked.text)
    assert f'<input type="hidden" name="phone" value="{PHONE}">' in asked.text
    voted = post(
        client,
        "/vote",
        {"round_id": r.id, "phone": PHONE, "code": _code_sent(engine), "candidate": "2"},
        headers=EN,
    )
    [ballot] = ballots(engine)
    code = receipts.format_receipt(ballot.receipt)
    assert voted.status_code == 200
    assert "Thank you! Your vote is counted. You voted for number 2, Moussa Traoré." in text_of(
        voted.text
    )
    assert code in voted.text
    checked = text_of(client.get(f"/vote/receipt?code={code}", headers=EN).text)
    assert "This vote in Premier tour, on " in checked
    assert "is counted." in checked
    for personal in ("Moussa", "Traoré", "76 12", E164, "+223 ••••"):
        assert personal not in checked


def test_vote_code_foreign_number_is_refused_and_nothing_sent(client, engine, campaign):
    r = make_round(engine, campaign)
    response = post(client, "/vote/code", {"round_id": r.id, "phone": "+33612345678"}, headers=EN)
    assert response.status_code == 422
    assert "Only phone numbers from the campaign's country can vote." in text_of(response.text)
    assert 'value="+33612345678"' in response.text
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (0, 0)


def test_vote_code_fourth_request_is_limited_with_the_time(client, engine, campaign):
    r = make_round(engine, campaign)
    for _ in range(3):
        post(client, "/vote/code", {"round_id": r.id, "phone": PHONE})
    response = post(client, "/vote/code", {"round_id": r.id, "phone": PHONE}, headers=EN)
    assert response.status_code == 429
    assert "Three codes were already sent to this number this hour." in text_of(response.text)
    assert "You can ask for a new code at " in text_of(response.text)
    assert count(engine, SmsMessage) == 3


def test_vote_wrong_code_keeps_the_choice_and_counts_nothing(client, engine, campaign):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    form = {"round_id": r.id, "phone": PHONE, "code": "654321", "candidate": "3"}
    response = post(client, "/vote", form, headers=EN)
    assert response.status_code == 422
    assert "This code is not right. Check it and try again." in text_of(response.text)
    assert 'value="3" checked' in response.text
    assert ballots(engine) == []


def test_vote_wrong_code_names_the_number_masked_as_the_code_step_did(client, engine, campaign):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    form = {"round_id": r.id, "phone": PHONE, "code": "654321", "candidate": "3"}
    page = text_of(post(client, "/vote", form, headers=EN).text)
    assert "We sent a 6-digit code by SMS to +223 •••• 56." in page
    assert "76 1" not in page


def test_vote_forged_candidate_is_refused(client, engine, campaign):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    form = {"round_id": r.id, "phone": PHONE, "code": "123456", "candidate": "17"}
    response = post(client, "/vote", form, headers=EN)
    assert response.status_code == 422
    assert "This number is not on the ballot." in text_of(response.text)
    assert ballots(engine) == []


def test_vote_twice_is_refused_and_counts_once(client, engine, campaign):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    form = {"round_id": r.id, "phone": PHONE, "code": "123456", "candidate": "1"}
    post(client, "/vote", form)
    again = post(client, "/vote", form | {"candidate": "2"}, headers=EN)
    assert again.status_code == 409
    assert "This phone number has already voted in this round." in text_of(again.text)
    assert len(ballots(engine)) == 1


def test_vote_after_closing_is_refused(client, engine, campaign):
    r = make_round(engine, campaign, opens=-48, closes=-24)
    add_code(engine, r.id, "123456")
    form = {"round_id": r.id, "phone": PHONE, "code": "123456", "candidate": "1"}
    response = post(client, "/vote", form, headers=EN)
    assert response.status_code == 409
    assert "This vote is not open." in text_of(response.text)
    assert ballots(engine) == []


def test_vote_post_without_csrf_token_changes_nothing(client, engine, campaign):
    r = make_round(engine, campaign)
    response = client.post("/vote/code", data={"round_id": r.id, "phone": PHONE})
    assert response.status_code == 403
    assert count(engine, VoteCode) == 0


def test_receipt_unknown_code_says_not_found(client, campaign):
    page = text_of(client.get("/vote/receipt?code=AAAAA-AAAAA", headers=EN).text)
    assert "We found no vote with this receipt. Check each letter and try again." in page


def test_vote_page_shows_the_number_to_text_when_it_is_set(settings, engine, campaign):
    make_round(engine, campaign)
    app = create_app(replace(settings, sms_number="36 000"), engine)

    page = text_of(TestClient(app).get("/vote", headers=EN).text)

    assert "for example ICON 1. Number to text: 36 000" in page


def test_sms_number_comes_from_icon_sms_number(tmp_path):
    env = {"ICON_ENV": "development", "ICON_SMS_NUMBER": "  36   000 "}
    assert load_settings(env, dev_key_file=tmp_path / "key").sms_number == "36 000"


def test_nominate_form_names_the_sms_number_or_says_nothing_of_sms(settings, engine, campaign):
    pages = []
    for number in ("", "36 000"):
        app = create_app(replace(settings, sms_number=number), engine)
        pages.append(text_of(TestClient(app).get("/nominate", headers=EN).text))

    assert "nominate by SMS" not in pages[0]
    assert (
        "You can also nominate by SMS: send NOM followed by the name, post and town of the "
        "person to 36 000." in pages[1]
    )


def test_vote_receipt_is_a_redirect_so_a_reload_never_votes_again(client, engine, campaign):
    r = make_round(engine, campaign)
    post(client, "/vote/code", {"round_id": r.id, "phone": PHONE}, headers=EN)
    data = {"round_id": r.id, "phone": PHONE, "code": _code_sent(engine), "candidate": "2"}

    voted = post(client, "/vote", data, headers=EN, follow_redirects=False)
    first = client.get("/vote/counted", headers=EN)
    reloaded = client.get("/vote/counted", headers=EN)

    [ballot] = ballots(engine)
    code = receipts.format_receipt(ballot.receipt)
    assert (voted.status_code, voted.headers["location"]) == (303, "/vote/counted")
    assert first.text == reloaded.text
    assert first.headers["cache-control"] == "no-store"
    assert "You voted for number 2, Moussa Traoré." in text_of(first.text) and code in first.text
    assert code not in voted.headers["location"]
    assert count(engine, VoteCode) == 1 and len(ballots(engine)) == 1


def test_vote_counted_without_a_vote_goes_to_the_receipt_check(client, campaign):
    response = client.get("/vote/counted", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/vote/receipt")
