"""Twilio's webhook, signed by the ``twilio`` package's own RequestValidator; TwiML replies; the
REST API call and status callbacks."""

from __future__ import annotations

import json
import threading
from base64 import b64encode
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from sqlmodel import select
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient

from campaign import db
from campaign.gateways import Outgoing, SendFailed
from campaign.gateways.twilio import Twilio
from campaign.models import InboundSms, SmsMessage
from campaign.settings import load_settings
from tests.voting.test_ballot_box import ballots, count, make_round
from web.app import create_app

TOKEN, SID = "twilio-auth-token-0123", "AC0123456789abcdef"
URL = "http://testserver/sms/twilio/sms-test-secret"
HOW = "Envoyez ICON suivi du numéro du candidat, par exemple ICON 1."


@pytest.fixture
def twilio_settings(settings):
    return replace(
        settings, sms_gateways=("twilio",), sms_api_key=TOKEN, sms_username=SID,
        base_url="http://testserver", sms_number="+15005550006",
    )  # fmt: skip


@pytest.fixture
def twilio_client(twilio_settings, engine):
    with TestClient(create_app(twilio_settings, engine), base_url="http://testserver") as c:
        yield c


def twilio_post(client, params: dict, url: str = URL, signed_by: str = TOKEN):
    signature = RequestValidator(signed_by).compute_signature(url, params)
    return client.post(
        url.removeprefix("http://testserver"),
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )


def message(body: str, sender: str = "+22376123456", sid: str = "SM1") -> dict:
    return {"MessageSid": sid, "AccountSid": SID, "From": sender, "To": "+15005550006",
            "Body": body, "NumMedia": "0"}  # fmt: skip


def test_twilio_signed_request_is_accepted_and_answered_in_twiml(twilio_client, engine, campaign):
    make_round(engine, campaign)
    response = twilio_post(twilio_client, message("ICON"))
    assert response.headers["content-type"] == "application/xml"
    assert response.text == (
        f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{HOW}</Message></Response>'
    )
    assert count(engine, InboundSms) == 1


def test_twilio_whatsapp_sender_votes_as_its_number(twilio_client, engine, campaign):
    make_round(engine, campaign)
    twilio_post(twilio_client, message("ICON 2", sender="whatsapp:+22376123456", sid="SM2"))
    again = twilio_post(twilio_client, message("3", sender="+22376123456", sid="SM3"))
    assert len(ballots(engine)) == 1
    assert "Vous avez déjà voté pour ce tour." in again.text


@pytest.mark.parametrize(
    "tamper",
    ["other token", "body changed", "url changed", "no header"],
)
def test_twilio_request_it_did_not_sign_is_403_and_stores_nothing(
    twilio_client, engine, campaign, tamper
):
    make_round(engine, campaign)
    params = message("ICON 1")
    if tamper == "other token":
        response = twilio_post(twilio_client, params, signed_by="someone else")
    elif tamper == "body changed":
        signature = RequestValidator(TOKEN).compute_signature(URL, params)
        response = twilio_client.post(
            "/sms/twilio/sms-test-secret",
            content=urlencode(params | {"Body": "ICON 2"}),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature},
        )  # fmt: skip
    elif tamper == "url changed":
        response = twilio_post(twilio_client, params, url="http://testserver/sms/twilio/other")
    else:
        response = twilio_client.post("/sms/twilio/sms-test-secret", data=params)
    assert (response.status_code, response.text) == (403, "bad token" if tamper == "url changed"
                                                       else "invalid signature")  # fmt: skip
    assert (ballots(engine), count(engine, InboundSms)) == ([], 0)


def test_twilio_send_posts_the_rest_api_and_keeps_the_sid(twilio_settings):
    seen = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"sid": "SM9f", "status": "queued"})

    client = httpx.Client(transport=httpx.MockTransport(api))
    sent = Twilio(twilio_settings).send(client, Outgoing(7, "+22376123456", "Bonjour"))
    [request] = seen
    assert sent.provider_id == "SM9f"
    assert str(request.url) == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
    basic = b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {basic}"
    assert parse_qs(request.content.decode()) == {
        "To": ["+22376123456"], "From": ["+15005550006"], "Body": ["Bonjour"],
        "StatusCallback": ["http://testserver/sms/twilio/sms-test-secret/dlr?ref=7"],
    }  # fmt: skip


@pytest.mark.parametrize(("status", "retry"), [(400, False), (429, True), (503, True)])
def test_twilio_refusal_says_whether_to_retry(twilio_settings, status, retry):
    client = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: httpx.Response(status, json={"code": 21211, "message": "Invalid 'To'"})
        )
    )
    with pytest.raises(SendFailed) as caught:
        Twilio(twilio_settings).send(client, Outgoing(7, "+22376123456", "Bonjour"))
    assert (caught.value.retry, caught.value.reason[:8]) == (retry, f"HTTP {status}")


def test_twilio_status_callback_marks_delivered_and_failed(twilio_client, engine):
    with db.session(engine) as s, s.begin():
        for _ in range(2):
            s.add(SmsMessage(to="+22376123456", body="x", backend="twilio", status="sent"))
    url = f"{URL}/dlr?ref=1"
    ok = twilio_post(twilio_client, {"MessageSid": "SM1", "MessageStatus": "delivered"}, url)
    failed = twilio_post(
        twilio_client,
        {"MessageSid": "SM2", "MessageStatus": "undelivered", "ErrorCode": "30003"},
        f"{URL}/dlr?ref=2",
    )
    unknown = twilio_post(
        twilio_client, {"MessageSid": "SM3", "MessageStatus": "delivered"}, f"{URL}/dlr?ref=99"
    )
    unsigned = twilio_client.post(f"{URL}/dlr?ref=2", data={"MessageStatus": "delivered"})
    with db.session(engine) as s:
        rows = [(m.status, m.error) for m in s.exec(select(SmsMessage).order_by(SmsMessage.id))]
    assert [r.status_code for r in (ok, failed, unknown, unsigned)] == [200, 200, 404, 403]
    assert rows == [("delivered", ""), ("failed", "Twilio error 30003")]


@pytest.fixture
def fake_twilio_api():
    """A local server answering Twilio's Messages endpoint as Twilio documents it, noting each
    request's path, basic auth and form."""
    seen: list[tuple[str, str, dict]] = []

    class Api(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            seen.append((self.path, self.headers["Authorization"], form))
            body = json.dumps({"sid": f"SM{len(seen):032d}", "status": "queued",
                               "account_sid": SID, "to": form["To"][0]}).encode()  # fmt: skip
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_whatsapp_sends_as_twilios_own_client_does(twilio_settings, fake_twilio_api):
    base, seen = fake_twilio_api
    official = TwilioClient(SID, TOKEN)
    official.api.base_url = base
    official.messages.create(
        to="whatsapp:+22376123456", from_="whatsapp:+14155238886", body="Bonjour"
    )
    ours = replace(twilio_settings, sms_gateway_url=base, sms_whatsapp_number="+14155238886")
    sent = Twilio(ours).send(httpx.Client(), Outgoing(7, "+22376123456", "Bonjour"))
    (their_path, their_auth, theirs), (our_path, our_auth, our_form) = seen
    assert sent.provider_id == f"SM{2:032d}"
    assert (our_path, our_auth) == (their_path, their_auth)
    assert our_path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert theirs == {"To": ["whatsapp:+22376123456"], "From": ["whatsapp:+14155238886"],
                      "Body": ["Bonjour"]}  # fmt: skip
    assert our_form == theirs | {
        "StatusCallback": ["http://testserver/sms/twilio/sms-test-secret/dlr?ref=7"]
    }


def test_without_a_whatsapp_number_twilio_sends_sms(twilio_settings, fake_twilio_api):
    base, seen = fake_twilio_api
    ours = replace(twilio_settings, sms_gateway_url=base)
    Twilio(ours).send(httpx.Client(), Outgoing(8, "+22376123456", "Bonjour"))
    [(_, _, form)] = seen
    assert (form["To"], form["From"]) == (["+22376123456"], ["+15005550006"])


def test_whatsapp_number_setting(tmp_path):
    env = {"ICON_ENV": "development", "ICON_SMS_WHATSAPP_NUMBER": " +1 415 523 8886 "}
    settings = load_settings(env, dev_key_file=tmp_path / "key")
    assert settings.sms_whatsapp_number == "+14155238886"


def test_a_whatsapp_message_signed_by_twilio_is_answered_in_twiml(twilio_client, engine, campaign):
    make_round(engine, campaign)
    response = twilio_post(twilio_client, message("ICON 2", sender="whatsapp:+22376123457"))
    [ballot] = ballots(engine)
    assert response.status_code == 200 and ballot.candidate_id == 2
    assert response.text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Merci ! Votre vote pour le '
        "numéro 2, "
    )
