"""RapidPro's External channel: courier's send calls, as its handler builds them from the
channel's body template, reach the site as SMS from the contact; the reply goes back into
RapidPro by courier's receive URL. Shapes from nyaruka/courier handlers/external/handler.go
and handler_test.go; the default body from RapidPro's ExternalType."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from urllib.parse import parse_qs, quote_plus

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from campaign import db, sms_queue
from campaign.gateways import Outgoing, SendFailed
from campaign.gateways.rapidpro_external import RapidProExternal
from campaign.models import InboundSms, SmsMessage
from tests.voting.test_ballot_box import ballots, count, make_round
from web.app import create_app

SECRET = "sms-test-secret"
CHANNEL = "8eb23e93-5ecb-45ba-b726-3b064e0c56ab"  # courier's test channel
RECEIVE = f"https://rapidpro.example.org/c/ex/{CHANNEL}/receive"
# RapidPro's ExternalType.CONFIG_DEFAULT_SEND_BODY, the body a new External channel starts with.
DEFAULT_BODY = (
    "id={{id}}&text={{text}}&to={{to}}&to_no_plus={{to_no_plus}}&from={{from}}"
    "&from_no_plus={{from_no_plus}}&channel={{channel}}"
)
JSON_BODY = (
    '{"id": {{id}}, "text": {{text}}, "to": {{to}}, "from": {{from}}, "channel": {{channel}}}'
)


def courier_body(template: str, text: str, msg_id: str = "10203", to: str = "+22376123456"):
    """What courier's Send puts in the body: each variable escaped for the content type
    (url.QueryEscape, or json.Marshal of the string), then put in the template."""
    variables = {"id": msg_id, "text": text, "to": to, "to_no_plus": to.removeprefix("+"),
                 "from": "36000", "from_no_plus": "36000", "channel": CHANNEL}  # fmt: skip
    encode = json.dumps if template.startswith("{") else quote_plus
    for name, value in variables.items():
        template = template.replace("{{" + name + "}}", encode(value))
    return template


@pytest.fixture
def courier_seen() -> list[httpx.Request]:
    return []


@pytest.fixture
def site(settings, engine, courier_seen):
    configured = replace(
        settings, sms_gateways=("rapidpro-ex",), sms_backend="http", sms_gateway_url=RECEIVE,
        base_url="http://testserver",
    )  # fmt: skip
    app = create_app(configured, engine)
    # The site's own sender thread delivers the queue, to courier's receive URL played here.
    app.state.sms_sender.client = courier(courier_seen)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def settled(engine, timeout: float = 10.0) -> list[tuple[str, str, str]]:
    """The queue once the sender thread has dealt with every row."""
    deadline = time.monotonic() + timeout
    while (rows := queued(engine)) and any(status in sms_queue.OPEN for *_, status in rows):
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)
    return rows


def courier_send(client, text: str, *, token: str = SECRET, template: str = DEFAULT_BODY, **kw):
    content_type = "application/json" if template.startswith("{") else (
        "application/x-www-form-urlencoded")  # fmt: skip
    return client.post(
        f"/sms/rapidpro-ex/{token}", content=courier_body(template, text, **kw),
        headers={"Content-Type": content_type},
    )  # fmt: skip


def queued(engine) -> list[tuple[str, str, str]]:
    with db.session(engine) as s:
        rows = s.exec(select(SmsMessage).order_by(SmsMessage.id))
        return [(m.to, m.pending_body or m.body, m.status) for m in rows]


def courier(seen: list, status: int = 200, body: str | None = None) -> httpx.Client:
    """Courier's receive URL, answering as courier.WriteMsgSuccess does (json.Encoder: compact,
    one line)."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        text = parse_qs(request.content.decode()).get("text", [""])[0]
        accepted = {"message": "Message Accepted", "data": [
            {"type": "msg", "channel_uuid": CHANNEL, "msg_uuid": "5b9a-msg", "text": text,
             "urn": "tel:+22376123456", "received_on": "2026-12-06T21:00:00.5Z"}]}  # fmt: skip
        content = body if body is not None else json.dumps(accepted, separators=(",", ":"))
        return httpx.Response(status, content=content + "\n",
                              headers={"Content-Type": "application/json"})  # fmt: skip

    return httpx.Client(transport=httpx.MockTransport(handle))


@pytest.mark.parametrize("template", [DEFAULT_BODY, JSON_BODY], ids=["urlencoded", "json"])
def test_external_send_votes_and_the_reply_is_posted_to_courier(
    site, engine, campaign, courier_seen, template
):
    make_round(engine, campaign)
    response = courier_send(site, "ICON 2", template=template)
    assert (response.status_code, response.text) == (200, "Accepted")
    assert len(ballots(engine)) == 1
    [(to, _erased, status)] = settled(engine)
    assert (to, status) == ("+223 76 •• •• 56", "sent")
    [request] = courier_seen
    reply = parse_qs(request.content.decode())["text"][0]
    assert reply.startswith("Merci ! Votre vote pour le numéro 2, ")
    # Courier's receiveMessage reads the form's ``from`` and ``text``.
    assert (request.method, str(request.url), request.headers["content-type"]) == (
        "POST",
        RECEIVE,
        "application/x-www-form-urlencoded",
    )
    assert parse_qs(request.content.decode()) == {"from": ["+22376123456"], "text": [reply]}
    with db.session(engine) as s:
        row = s.get(SmsMessage, 1)
    assert (row.provider_id, row.pending_to, row.pending_body) == ("5b9a-msg", "", "")


def test_external_get_send_url_with_the_variables_in_the_query(site, engine, campaign):
    make_round(engine, campaign)
    query = courier_body("id={{id}}&text={{text}}&to={{to}}", "ICON 3")
    response = site.get(f"/sms/rapidpro-ex/{SECRET}?{query}")
    assert (response.status_code, len(ballots(engine))) == (200, 1)


def test_external_wrong_token_is_403_and_nothing_is_stored(site, engine, campaign):
    make_round(engine, campaign)
    response = courier_send(site, "ICON 2", token="guess")
    assert (response.status_code, response.text) == (403, "bad token")
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)


def test_external_replayed_id_counts_once_and_sends_one_reply(site, engine, campaign, courier_seen):
    # Courier sends a message again with the same id after a 5xx or a timeout.
    make_round(engine, campaign)
    first = courier_send(site, "ICON 2")
    settled(engine)
    again = courier_send(site, "ICON 2")
    assert [(r.status_code, r.text) for r in (first, again)] == [(200, "Accepted")] * 2
    assert (len(settled(engine)), len(ballots(engine)), count(engine, InboundSms)) == (1, 1, 1)
    assert len(courier_seen) == 1


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        ("text=ICON+2&to=%2B22376123456", "application/x-www-form-urlencoded",
         "not courier's send request: id and to are required"),
        ("id=10203&text=ICON+2", "application/x-www-form-urlencoded",
         "not courier's send request: id and to are required"),
        ('{"id": "10203", "text": ', "application/json",
         "not courier's send request: the JSON does not parse"),
        ('["ICON 2"]', "application/json", "not courier's send request: JSON object expected"),
        (courier_body(DEFAULT_BODY, "NOM " + "x" * 1600), "application/x-www-form-urlencoded",
         "text over 1600 characters"),
    ],
    ids=["no id", "no to", "broken json", "json list", "text too long"],
)  # fmt: skip
def test_external_malformed_send_is_400_and_changes_nothing(
    site, engine, campaign, content, content_type, expected
):
    make_round(engine, campaign)
    response = site.post(
        f"/sms/rapidpro-ex/{SECRET}", content=content, headers={"Content-Type": content_type}
    )
    assert (response.status_code, response.text) == (400, expected)
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)


def test_external_body_over_the_limit_is_413_and_changes_nothing(site, engine, campaign):
    make_round(engine, campaign)
    response = site.post(
        f"/sms/rapidpro-ex/{SECRET}", content=courier_body(DEFAULT_BODY, "x" * 9000),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert (response.status_code, response.text) == (413, "body too large")
    assert (queued(engine), ballots(engine), count(engine, InboundSms)) == ([], [], 0)


def test_courier_refusing_the_reply_fails_without_retry(settings):
    # courier.WriteAndLogRequestError's 400 for a number it cannot parse.
    refusal = '{"message":"Error","data":[{"type":"error","error":"not a possible number"}]}'
    adapter = RapidProExternal(replace(settings, sms_gateway_url=RECEIVE))
    with pytest.raises(SendFailed) as caught:
        adapter.send(courier([], 400, refusal), Outgoing(1, "MTN", "Merci"))
    assert (caught.value.retry, caught.value.reason) == (False, f"HTTP 400: {refusal}\n")
