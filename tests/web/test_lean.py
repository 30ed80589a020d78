"""The SMS webhook's lean path (web/lean.py, with the batched intake and the quick phone check)
refuses what the full stack and the one-at-a-time path refuse, with the same reply."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

import pytest

from tests.conftest import run_async
from tests.voting.test_ballot_box import ballots, make_round
from tests.web.test_lean_vote import Stream, asgi_post
from tests.web.test_sms_inbound import SECRET
from web.app import create_app
from web.lean import LeanWebhook
from web.routes import sms as sms_routes

HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def _signed(data: dict) -> tuple[bytes, dict]:
    body = urlencode(data).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, HEADERS | {"X-Icon-Signature": sig}


def _lean(client, body: bytes, headers: dict):
    """With a Content-Length: the lean path takes it."""
    return client.post("/sms/inbound", content=body, headers=headers)


def _full(client, body: bytes, headers: dict):
    """Chunked, no Content-Length: the lean path leaves it to the full stack."""
    return client.post("/sms/inbound", content=iter([body]), headers=headers)


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return response.status_code, headers, response.text


def _one_at_a_time(app, sender: str, text: str, gateway_id: str) -> str:
    return run_async(sms_routes.one_at_a_time(app, gateway_id, sender, text))


def test_lean_path_answers_a_vote_with_the_full_stacks_headers(client, engine, campaign):
    make_round(engine, campaign)
    lean = _lean(client, *_signed({"from": "76 12 34 56", "text": "ICON 3", "id": "a"}))
    full = _full(client, *_signed({"from": "76 12 34 57", "text": "ICON 3", "id": "b"}))
    assert [b.channel for b in ballots(engine)] == ["sms", "sms"]
    assert lean.status_code == full.status_code == 200
    assert dict(lean.headers) | {"content-length": "0"} == dict(full.headers) | {
        "content-length": "0"
    }
    assert lean.text.split("Référence")[0] == full.text.split("Référence")[0]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"from=%2B22376123456&text=ICON+1", HEADERS | {"X-Icon-Signature": "sha256=00"}),
        (b"from=%2B22376123456&text=ICON+1", HEADERS),
        (b"from=%2B22376123456&text=" + b"x" * 9000, HEADERS),
        _signed({"from": "+22376123456", "text": "ICON " + "1" * 9000}),
        _signed({"text": "ICON 1"}),
        _signed({"from": "", "text": "ICON 1"}),
    ],
    ids=["bad-signature", "no-signature", "oversized", "oversized-signed", "no-sender", "empty"],
)
def test_lean_path_refuses_as_the_full_stack(client, engine, campaign, body, headers):
    make_round(engine, campaign)
    lean, full = _lean(client, body, headers), _full(client, body, headers)
    assert _answer(lean) == _answer(full)
    assert lean.status_code in (400, 403, 413)
    assert ballots(engine) == []


@pytest.mark.parametrize(
    ("sender", "text", "expected"),
    [
        ("+33612345678", "ICON 1", "Seuls les numéros de téléphone du pays de la campagne"),
        ("12", "ICON 1", "Nous n'avons pas pu lire votre numéro"),
        ("+22376123456", "ICON 9", "Il n'y a pas de candidat numéro 9."),
        ("+22376123456", "ICON", "Envoyez ICON suivi du numéro du candidat"),
    ],
)
def test_lean_path_refuses_a_vote_as_the_one_at_a_time_path(
    app, client, engine, campaign, sender, text, expected
):
    make_round(engine, campaign)
    lean = _lean(client, *_signed({"from": sender, "text": text, "id": "lean"}))
    slow = _one_at_a_time(app, sender, text, "slow")
    assert (lean.status_code, lean.text) == (200, slow)
    assert slow.startswith(expected)
    assert ballots(engine) == []


def test_lean_path_refuses_a_closed_round_as_the_one_at_a_time_path(app, client, engine, campaign):
    make_round(engine, campaign, opens=-48, closes=-24)
    lean = _lean(client, *_signed({"from": "+22376123456", "text": "ICON 1", "id": "lean"}))
    slow = _one_at_a_time(app, "+22376123456", "ICON 1", "slow")
    assert (lean.status_code, lean.text) == (200, slow)
    assert slow == "Aucun vote n'est ouvert en ce moment."


def test_lean_path_refuses_a_sender_over_the_limit_as_the_one_at_a_time_path(
    app, client, engine, campaign
):
    make_round(engine, campaign)
    replies = [
        _lean(client, *_signed({"from": "+22376123456", "text": "ICON 1", "id": f"g{i}"})).text
        for i in range(20)
    ]
    lean = _lean(client, *_signed({"from": "+22376123456", "text": "ICON 2", "id": "lean"}))
    slow = _one_at_a_time(app, "+22376123456", "ICON 2", "slow")
    assert replies[1:] == ["Vous avez déjà voté pour ce tour. Votre premier vote est retenu."] * 19
    assert (lean.status_code, lean.text) == (200, slow)
    assert slow.startswith("Trop de messages.")
    assert len(ballots(engine)) == 1


def test_lean_path_retry_gets_the_stored_reply(client, engine, campaign):
    make_round(engine, campaign)
    data = {"from": "+22376123456", "text": "ICON 2", "id": "gw-7"}
    first, retried = _lean(client, *_signed(data)), _full(client, *_signed(data))
    assert retried.text == first.text
    assert len(ballots(engine)) == 1


def test_lean_path_reads_a_body_longer_than_declared_no_further_than_the_cap(
    client, settings, engine
):
    """8 KB is the webhook's cap: the lean path stops at the ninth 1 KB chunk of a thousand, and
    the full stack's 413 follows, as it answers the same stream on its own."""
    full = create_app(settings, engine)
    full.user_middleware = [m for m in full.user_middleware if m.cls is not LeanWebhook]
    body, headers = _signed({"from": "76 12 34 56", "text": "ICON 3"})
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", b"100"))
    lean, alone = Stream(body), Stream(body)

    fast = asgi_post(client.app, raw, lean, "/sms/inbound")
    slow = asgi_post(full, raw, alone, "/sms/inbound")

    assert (lean.read, alone.read) == (9, 9)
    assert fast == slow and fast[0] == 413
