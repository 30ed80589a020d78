"""Kannel's smsbox calling ``GET /sms/kannel/<secret>`` as its get-url does, in process; the same
path through real bearerbox, smsbox and fakesmsc is tests/web/test_kannel_end_to_end.py."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote_from_bytes, urlencode

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from campaign import db
from campaign.models import InboundSms, SmsMessage
from nominations.models import Nomination
from tests.voting.test_ballot_box import ballots, count, make_round
from voting import receipts
from web.app import create_app

SECRET = "sms-test-secret"


@pytest.fixture
def kannel_client(settings, engine):
    app = create_app(replace(settings, sms_gateways=("kannel",)), engine)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def kannel_get(client, sender, message: bytes | str, gw_id="", token=SECRET, **extra):
    raw = message.encode() if isinstance(message, str) else message
    query = urlencode({"sender": sender, "to": "36000", "id": gw_id, **extra})
    return client.get(f"/sms/kannel/{token}?{query}&message={quote_from_bytes(raw)}")


def thanks(engine, number, name):
    receipt = receipts.format_receipt(ballots(engine)[-1].receipt)
    return f"Merci ! Votre vote pour le numéro {number}, {name}, est compté. Référence : {receipt}."


def test_kannel_vote_is_counted_and_the_body_is_the_reply(kannel_client, engine, campaign):
    make_round(engine, campaign)
    response = kannel_get(kannel_client, "+22376123456", "ICON 3", "a1b2")
    assert (response.status_code, response.headers["content-type"]) == (
        200,
        "text/plain; charset=utf-8",
    )
    assert response.text == thanks(engine, 3, "Fanta Coulibaly")
    assert [b.channel for b in ballots(engine)] == ["sms"]


@pytest.mark.parametrize("sender", ["76123456", "22376123456", "0022376123456", "+22376123456"])
def test_kannel_national_and_international_senders_are_one_voter(
    kannel_client, engine, campaign, sender
):
    make_round(engine, campaign)
    kannel_get(kannel_client, "+22376123456", "ICON 1", "first")
    second = kannel_get(kannel_client, sender, "ICON 2", "second")
    assert second.text == "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
    assert count(engine, InboundSms) == 2 and len(ballots(engine)) == 1


def test_kannel_wrong_token_is_200_empty_and_stores_nothing(kannel_client, engine, campaign):
    make_round(engine, campaign)
    wrong = kannel_get(kannel_client, "+22376123456", "ICON 3", "x1", token="guess")
    assert (wrong.status_code, wrong.text, wrong.headers["content-type"]) == (
        200,
        "",
        "text/plain; charset=utf-8",
    )
    assert (ballots(engine), count(engine, InboundSms)) == ([], 0)


def test_kannel_source_outside_allow_list_is_refused(settings, engine, campaign):
    make_round(engine, campaign)
    allowed = replace(settings, sms_gateways=("kannel",), sms_allow_from=("10.1.2.0/24",))
    with TestClient(create_app(allowed, engine), base_url="http://testserver") as client:
        response = kannel_get(client, "+22376123456", "ICON 3", "x1")  # from "testclient"
    assert (response.status_code, response.text) == (200, "")
    assert (ballots(engine), count(engine, InboundSms)) == ([], 0)


def test_kannel_retry_with_same_id_gets_the_stored_reply(kannel_client, engine, campaign):
    make_round(engine, campaign)
    first = kannel_get(kannel_client, "+22376123456", "ICON 2", "same-id")
    again = kannel_get(kannel_client, "+22376123456", "ICON 2", "same-id")
    assert again.text == first.text == thanks(engine, 2, "Moussa Traoré")
    assert (len(ballots(engine)), count(engine, InboundSms)) == (1, 1)


def test_kannel_ucs2_message_with_emoji_is_read(kannel_client, engine, campaign):
    text = "NOM Aïssata Maïga 🙏, infirmière, Gao"
    response = kannel_get(
        kannel_client, "+22376123456", text.encode("utf-16-be"), "u1", coding="2",
        charset="UTF-16BE",
    )  # fmt: skip
    with db.session(engine) as s:
        [n] = s.exec(select(Nomination)).all()
    assert n.nominee_name == "Aïssata Maïga 🙏"
    assert response.text.startswith("Merci ! Nomination enregistrée, code ")


def test_kannel_missing_sender_and_oversized_body_store_nothing(kannel_client, engine, campaign):
    no_sender = kannel_client.get(f"/sms/kannel/{SECRET}?message=NOM+Awa+Diallo&id=n1")
    too_big = kannel_client.request(
        "GET", f"/sms/kannel/{SECRET}?sender=%2B22376123456&message=ICON+1", content=b"x" * 9000
    )
    assert [(r.status_code, r.text) for r in (no_sender, too_big)] == [(200, ""), (200, "")]
    assert count(engine, InboundSms) == 0


def test_kannel_delivery_report_moves_a_message_on(kannel_client, engine, campaign):
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+22376123456", body="Bonjour", backend="kannel", status="sent"))
    base = f"/sms/kannel/{SECRET}/dlr"
    delivered = kannel_client.get(f"{base}?ref=1&type=1&answer=ACK%2F")
    unknown = kannel_client.get(f"{base}?ref=999&type=1")
    nonsense = kannel_client.get(f"{base}?ref=1&type=77")
    wrong_token = kannel_client.get("/sms/kannel/nope/dlr?ref=1&type=16")
    with db.session(engine) as s:
        message = s.get(SmsMessage, 1)
    assert [r.status_code for r in (delivered, unknown, nonsense, wrong_token)] == [200] * 4
    assert (message.status, message.error) == ("delivered", "")
