"""Africa's Talking, RapidPro, SMS Gateway for Android and Orange: each gateway's calls as its
documentation shows them, bad input refused with nothing stored, and each send API's request."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import replace
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from campaign import db, phones
from campaign.gateways import Outgoing, SendFailed
from campaign.gateways.africastalking import AfricasTalking
from campaign.gateways.android import Android
from campaign.gateways.orange import Orange
from campaign.gateways.rapidpro import RapidPro
from campaign.models import InboundSms, SmsMessage
from tests.voting.test_ballot_box import ballots, count, make_round
from web.app import create_app

SECRET = "sms-test-secret"
HOW = "Envoyez ICON suivi du numéro du candidat, par exemple ICON 1."


@pytest.fixture
def gateway_client(settings, engine):
    clients = []

    def make(name: str, **overrides) -> TestClient:
        configured = replace(
            settings, sms_gateways=(name,), sms_backend="http",
            sms_gateway_url="http://127.0.0.1:9/down", base_url="http://testserver", **overrides,
        )  # fmt: skip
        client = TestClient(create_app(configured, engine), base_url="http://testserver")
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def queued(engine) -> list[tuple[str, str, str]]:
    with db.session(engine) as s:
        # What waits for the gateway: the number masked, the text until it is sent.
        rows = s.exec(select(SmsMessage).order_by(SmsMessage.id))
        return [(m.to, m.pending_body or m.body, m.kind) for m in rows]


def transport(answer, seen: list):
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return httpx.Client(transport=httpx.MockTransport(handle))


# Africa's Talking


def at_post(client, data: dict, token: str = SECRET, path: str = ""):
    return client.post(
        f"/sms/africastalking/{token}{path}", content=urlencode(data),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip


AT_MESSAGE = {"date": "2026-12-06 21:00:00", "from": "+22376123456", "id": "at-1",
              "linkId": "l1", "text": "ICON 2", "to": "36000", "networkCode": "61001"}  # fmt: skip


def test_africastalking_vote_counts_and_the_reply_is_queued_once(gateway_client, engine, campaign):
    make_round(engine, campaign)
    client = gateway_client("africastalking")
    first, again = at_post(client, AT_MESSAGE), at_post(client, AT_MESSAGE)
    assert [(r.status_code, r.text) for r in (first, again)] == [(200, ""), (200, "")]
    [(to, body, kind)] = queued(engine)
    assert (to, kind, body.startswith("Merci ! Votre vote pour le numéro 2, ")) == (
        "+223 76 •• •• 56",
        "reply",
        True,
    )
    assert (len(ballots(engine)), count(engine, InboundSms)) == (1, 1)


def test_africastalking_wrong_token_or_no_sender_changes_nothing(gateway_client, engine, campaign):
    make_round(engine, campaign)
    client = gateway_client("africastalking")
    wrong = at_post(client, AT_MESSAGE, token="guess")
    no_sender = at_post(client, {**AT_MESSAGE, "from": ""})
    assert [(r.status_code, r.text) for r in (wrong, no_sender)] == [
        (403, "bad token"),
        (400, "missing from"),
    ]
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)


def test_africastalking_send_posts_the_messaging_api(settings):
    seen = []
    answer = {"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": [
        {"statusCode": 101, "number": "+22376123456", "status": "Success",
         "cost": "XOF 20", "messageId": "ATXid_1"}]}}  # fmt: skip
    client = transport(lambda r: httpx.Response(201, json=answer), seen)
    configured = replace(settings, sms_username="icon", sms_api_key="k", sms_number="36000")
    sent = AfricasTalking(configured).send(client, Outgoing(3, "+22376123456", "Bonjour"))
    [request] = seen
    assert (sent.provider_id, str(request.url)) == (
        "ATXid_1",
        "https://api.africastalking.com/version1/messaging",
    )
    assert (request.headers["apikey"], request.headers["accept"]) == ("k", "application/json")
    assert parse_qs(request.content.decode()) == {
        "username": ["icon"], "to": ["+22376123456"], "message": ["Bonjour"], "from": ["36000"],
    }  # fmt: skip


@pytest.mark.parametrize(("code", "retry"), [(403, False), (405, True), (500, True)])
def test_africastalking_recipient_refused_says_whether_to_retry(settings, code, retry):
    answer = {"SMSMessageData": {"Recipients": [{"statusCode": code, "status": "Nope"}]}}
    client = transport(lambda r: httpx.Response(201, json=answer), [])
    with pytest.raises(SendFailed) as caught:
        AfricasTalking(settings).send(client, Outgoing(3, "+22376123456", "Bonjour"))
    assert (caught.value.reason, caught.value.retry) == (f"Africa's Talking {code} Nope", retry)


def test_africastalking_delivery_report_by_message_id(gateway_client, engine):
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+22376123456", body="x", backend="africastalking", status="sent",
                         provider_id="ATXid_1"))  # fmt: skip
    client = gateway_client("africastalking")
    report = {"id": "ATXid_1", "status": "Failed", "phoneNumber": "+22376123456",
              "failureReason": "AbsentSubscriber", "retryCount": "0"}  # fmt: skip
    ok = at_post(client, report, path="/dlr")
    unknown = at_post(client, {**report, "id": "ATXid_404"}, path="/dlr")
    nonsense = at_post(client, {**report, "status": "Whatever"}, path="/dlr")
    with db.session(engine) as s:
        message = s.get(SmsMessage, 1)
    assert [r.status_code for r in (ok, unknown, nonsense)] == [200, 404, 400]
    assert (message.status, message.error) == ("failed", "AbsentSubscriber")


# RapidPro


def rapidpro_webhook(text: str, urn: str = "tel:+22376123456", uuid: str = "m-1") -> dict:
    return {
        "contact": {"uuid": "c-1", "name": "Awa", "urn": urn},
        "flow": {"uuid": "f-1", "name": "Integrity Icon"},
        "path": [], "results": {}, "run": {"uuid": "r-1", "created_on": "2026-12-06T21:00:00Z"},
        "input": {"uuid": uuid, "urn": urn, "text": text, "attachments": [],
                  "created_on": "2026-12-06T21:00:00Z", "channel": {"uuid": "ch", "name": "SC"}},
        "channel": {"uuid": "ch", "name": "SC"},
    }  # fmt: skip


def test_rapidpro_webhook_answers_the_reply_as_json(gateway_client, engine, campaign):
    make_round(engine, campaign)
    client = gateway_client("rapidpro")
    response = client.post(f"/sms/rapidpro/{SECRET}", json=rapidpro_webhook("ICON"))
    assert (response.headers["content-type"], response.json()) == (
        "application/json",
        {"reply": HOW},
    )


@pytest.mark.parametrize(
    ("token", "body", "expected"),
    [
        ("guess", json.dumps(rapidpro_webhook("ICON 1")), (403, {"error": "bad token"})),
        (SECRET, "{not json", (400, {"error": "not RapidPro's webhook JSON"})),
        (
            SECRET,
            json.dumps(rapidpro_webhook("ICON 1", urn="telegram:1234")),
            (400, {"error": "the contact has no phone number (tel: URN)"}),
        ),
    ],
)
def test_rapidpro_bad_calls_change_nothing(gateway_client, engine, campaign, token, body, expected):
    make_round(engine, campaign)
    client = gateway_client("rapidpro")
    response = client.post(f"/sms/rapidpro/{token}", content=body)
    assert (response.status_code, response.json()) == expected
    assert (ballots(engine), count(engine, InboundSms)) == ([], 0)


def test_rapidpro_send_is_a_broadcast(settings):
    seen = []
    client = transport(lambda r: httpx.Response(201, json={"id": 1234}), seen)
    configured = replace(settings, sms_gateway_url="https://textit.com", sms_api_key="tok")
    sent = RapidPro(configured).send(client, Outgoing(3, "+22376123456", "Bonjour"))
    [request] = seen
    assert (sent.provider_id, str(request.url), request.headers["authorization"]) == (
        "1234",
        "https://textit.com/api/v2/broadcasts.json",
        "Token tok",
    )
    assert json.loads(request.content) == {"urns": ["tel:+22376123456"], "text": "Bonjour"}


# SMS Gateway for Android


def android_post(client, event: dict, *, key: str = SECRET, stamp: int | None = None, path=""):
    body = json.dumps(event).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return client.post(
        f"/sms/android/{SECRET}{path}", content=body,
        headers={"Content-Type": "application/json", "X-Signature": signature,
                 "X-Timestamp": stamp},
    )  # fmt: skip


def android_event(text: str, event: str = "sms:received", event_id: str = "ev-1", **payload):
    return {
        "deviceId": "dev-1", "event": event, "id": event_id, "webhookId": "wh-1",
        "payload": {"messageId": "abc", "message": text, "phoneNumber": "+22376123456",
                    "simNumber": 1, "receivedAt": "2026-12-06T21:00:00.000+00:00", **payload},
    }  # fmt: skip


def test_android_signed_event_votes_and_queues_the_reply(gateway_client, engine, campaign):
    make_round(engine, campaign)
    client = gateway_client("android")
    first = android_post(client, android_event("ICON 3"))
    again = android_post(client, android_event("ICON 3"))  # the app retried the same event
    assert [r.status_code for r in (first, again)] == [200, 200]
    assert [(to, kind) for to, _body, kind in queued(engine)] == [("+223 76 •• •• 56", "reply")]
    assert len(ballots(engine)) == 1


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("other key", (403, "invalid signature")),
        ("an hour old", (403, "timestamp too far from now")),
        ("sent event", (400, "not an sms:received event")),
    ],
)
def test_android_bad_events_change_nothing(gateway_client, engine, campaign, how, expected):
    make_round(engine, campaign)
    client = gateway_client("android")
    if how == "other key":
        response = android_post(client, android_event("ICON 1"), key="not the key")
    elif how == "an hour old":
        response = android_post(client, android_event("ICON 1"), stamp=int(time.time()) - 3600)
    else:
        response = android_post(client, android_event("ICON 1", event="sms:sent"))
    assert (response.status_code, response.text) == expected
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)


def test_android_signature_with_non_ascii_characters_is_refused(gateway_client, engine, campaign):
    # hmac.compare_digest refuses a str with non-ASCII characters (TypeError): it answered 500.
    make_round(engine, campaign)
    body = json.dumps(android_event("ICON 1")).encode()
    headers = {"Content-Type": "application/json", "X-Timestamp": str(int(time.time()))}
    response = gateway_client("android").post(
        f"/sms/android/{SECRET}", content=body, headers=headers | {"X-Signature": "é".encode()}
    )
    assert (response.status_code, response.text) == (403, "invalid signature")
    assert (ballots(engine), count(engine, InboundSms)) == ([], 0)


def test_android_send_and_its_delivery_event(gateway_client, engine, settings):
    seen = []
    client = transport(lambda r: httpx.Response(202, json={"id": "icon-1", "state": "Pending"}),
                       seen)  # fmt: skip
    configured = replace(settings, sms_gateway_url="http://phone:8080/message",
                         sms_username="sms", sms_api_key="pw")  # fmt: skip
    Android(configured).send(client, Outgoing(1, "+22376123456", "Bonjour"))
    assert json.loads(seen[0].content) == {
        "id": "icon-1", "message": "Bonjour", "phoneNumbers": ["+22376123456"],
    }  # fmt: skip
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+22376123456", body="Bonjour", backend="android", status="sent"))
    site = gateway_client("android")
    delivered = android_post(
        site, android_event("", event="sms:delivered", messageId="icon-1"), path="/dlr"
    )
    unknown = android_post(
        site, android_event("", event="sms:delivered", messageId="icon-77"), path="/dlr"
    )
    with db.session(engine) as s:
        assert s.get(SmsMessage, 1).status == "delivered"
    assert [r.status_code for r in (delivered, unknown)] == [200, 404]


# Orange


def orange_api(seen: list, *, expire_first_token: bool = False):
    tokens = iter(["tok-1", "tok-2"])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/v3/token":
            return httpx.Response(
                200, json={"token_type": "Bearer", "access_token": next(tokens),
                           "expires_in": 3600},
            )  # fmt: skip
        if expire_first_token and request.headers["authorization"] == "Bearer tok-1":
            return httpx.Response(401, json={"code": 42, "message": "Expired credentials"})
        return httpx.Response(201, json={"outboundSMSMessageRequest": {
            "resourceURL": "https://api.orange.com/smsmessaging/v1/outbound/tel%3A%2B2230000/"
                           "requests/req-9"}})  # fmt: skip

    return transport(answer, seen)


def orange(settings) -> Orange:
    return Orange(replace(settings, sms_username="client-id", sms_api_key="client-secret",
                          sms_number="+2230000"))  # fmt: skip


def test_orange_client_credentials_then_the_documented_request(settings):
    seen = []
    adapter, client = orange(settings), orange_api(seen)
    first = adapter.send(client, Outgoing(1, "+22376123456", "Bonjour"))
    adapter.send(client, Outgoing(2, "+22376123457", "Bonsoir"))
    token_request, send_request, second_send = seen
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    assert token_request.headers["authorization"].startswith("Basic ")
    assert str(send_request.url) == (
        "https://api.orange.com/smsmessaging/v1/outbound/tel%3A%2B2230000/requests"
    )
    assert json.loads(send_request.content) == {"outboundSMSMessageRequest": {
        "address": "tel:+22376123456", "senderAddress": "tel:+2230000",
        "outboundSMSTextMessage": {"message": "Bonjour"}}}  # fmt: skip
    assert (first.provider_id, second_send.headers["authorization"]) == ("req-9", "Bearer tok-1")


def test_orange_expired_token_is_fetched_again_once(settings):
    seen = []
    adapter = orange(settings)
    sent = adapter.send(orange_api(seen, expire_first_token=True), Outgoing(1, "+22376123456", "x"))
    assert [r.url.raw_path.decode() for r in seen] == [
        "/oauth/v3/token",
        "/smsmessaging/v1/outbound/tel%3A%2B2230000/requests",
        "/oauth/v3/token",
        "/smsmessaging/v1/outbound/tel%3A%2B2230000/requests",
    ]
    assert sent.provider_id == "req-9"


def test_orange_receipt_settles_the_latest_message_to_that_phone(gateway_client, engine, settings):
    # A row keeps the number only masked and hashed: the receipt finds it by the hash.
    to_hash = phones.keyed_hash(settings.secret_key, "+22376123456", "sms-to")
    with db.session(engine) as s, s.begin():
        for body in ("first", "latest"):
            s.add(SmsMessage(to="+223 76 •• •• 56", to_hash=to_hash, body=body, backend="orange",
                             status="sent"))  # fmt: skip
    client = gateway_client("orange")

    def receipt(state: str, data: str = SECRET):
        return {"deliveryInfoNotification": {"callbackData": data, "deliveryInfo": {
            "address": "tel:+22376123456", "deliveryStatus": state}}}  # fmt: skip

    ok = client.post(f"/sms/orange/{SECRET}/dlr", json=receipt("DeliveredToTerminal"))
    wrong_data = client.post(f"/sms/orange/{SECRET}/dlr", json=receipt("DeliveryImpossible", "x"))
    not_json = client.post(f"/sms/orange/{SECRET}/dlr", content=b"<xml/>")
    inbound = client.post(f"/sms/orange/{SECRET}", json={})
    with db.session(engine) as s:
        statuses = [m.status for m in s.exec(select(SmsMessage).order_by(SmsMessage.id))]
    assert [r.status_code for r in (ok, wrong_data, not_json, inbound)] == [200, 403, 400, 404]
    assert statuses == ["sent", "delivered"]


@pytest.mark.parametrize("name", ["africastalking", "rapidpro", "android"])
def test_body_over_the_limit_is_413_and_changes_nothing(gateway_client, engine, campaign, name):
    make_round(engine, campaign)
    client = gateway_client(name)
    response = client.post(f"/sms/{name}/{SECRET}", content=b"text=ICON+1&" + b"x" * 9000)
    assert response.status_code == 413
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)
