"""``/vote/code`` limits: per number, per address, per browser, and an overall budget per minute
that the manager sees and raises; refused requests show up as a code flood."""

from __future__ import annotations

from sqlmodel import select

from campaign import db
from campaign.models import SmsMessage
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD
from tests.voting.test_ballot_box import count, make_round
from voting import fraud_review, round_form, vote_codes
from voting.models import Round, VoteAttempt

EN = {"Accept-Language": "en"}


def _ask(client, r, phone: str):
    return post(client, "/vote/code", {"round_id": r.id, "phone": phone}, headers=EN)


def test_one_browser_gets_six_codes_an_hour_then_is_refused(client, engine, campaign):
    r = make_round(engine, campaign)
    answers = [_ask(client, r, f"76 00 00 {n:02d}").status_code for n in range(8)]
    refused = _ask(client, r, "76 00 00 99")
    assert answers == [200] * 6 + [429, 429]
    assert "Too many codes were asked from here. Try again later." in text_of(refused.text)
    assert count(engine, SmsMessage) == 6
    with db.session(engine) as s:
        kinds = list(s.exec(select(VoteAttempt.kind)))
    assert (kinds.count("code_sent"), kinds.count("code_refused")) == (6, 3)


def test_the_budget_per_minute_holds_for_everyone_and_says_so(client, engine, campaign):
    r = make_round(engine, campaign)
    with db.session(engine) as s, s.begin():
        s.get(Round, r.id).code_budget = 2
    browsers = [client] + [type(client)(client.app, base_url="http://testserver") for _ in range(2)]
    answers = [_ask(c, r, f"76 00 01 {n:02d}") for n, c in enumerate(browsers)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Many people are asking for a code right now. Try again in a minute." in text_of(
        answers[2].text
    )
    assert count(engine, SmsMessage) == 2


def test_code_floods_are_a_fraud_signal(engine, campaign):
    r = make_round(engine, campaign)
    sent = []
    for n in range(12):
        vote_codes.request_code(engine, "k" * 40, lambda to, body: sent.append(to), r.id,
                                f"76 00 02 {n:02d}", "41.73.96.12", "")  # fmt: skip
    [flood] = [c for c in fraud_review.clusters(engine, r.id) if c.kind == "code_flood"]
    assert (flood.key, flood.evidence["requests"], flood.evidence["phones"]) == (
        "address 41.73.96.12", 12, 12,
    )  # fmt: skip
    assert len(sent) == 12  # 30 an hour from one address: a cybercafe is not refused at 12


def test_manager_sees_and_raises_the_code_budget(client, engine, campaign, manager):
    r = make_round(engine, campaign, weight_jury=0, weight_web=50, weight_sms=50)
    with db.session(engine) as s, s.begin():  # the form shows whole minutes
        r = s.get(Round, r.id)
        r.opens_at = r.opens_at.replace(second=0, microsecond=0)
    login(client, manager.email, PASSWORD)
    page = client.get(f"/manage/rounds/{r.id}", headers=EN)
    assert 'name="code_budget"' in page.text and 'value="60"' in page.text
    form = round_form.form_values(r, campaign.timezone) | {"code_budget": "500"}
    saved = post(client, f"/manage/rounds/{r.id}", form, headers=EN, follow_redirects=False)
    assert saved.status_code in (302, 303)
    with db.session(engine) as s:
        assert s.get(Round, r.id).code_budget == 500
    bad = post(client, f"/manage/rounds/{r.id}", form | {"code_budget": "²"}, headers=EN)
    assert "A whole number from 1 to 100,000." in text_of(bad.text)
    with db.session(engine) as s:
        assert s.get(Round, r.id).code_budget == 500
