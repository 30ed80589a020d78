"""Bad input (issue 13): whatever the one-at-a-time paths refuse, the fast paths (the lean SMS
webhook with its batched intake; the batched web vote) refuse with the same reply."""

from __future__ import annotations

import pytest

from campaign.errors import DomainError
from tests.conftest import SECRET
from tests.voting.test_ballot_box import E164, PHONE, add_code, ballots, make_round
from tests.web.test_lean import _lean, _one_at_a_time, _signed
from voting import vote_codes
from voting.web_batch import WebVote, WebVoteBatch

SMS_REFUSALS = [
    ("+33612345678", "ICON 1"),  # foreign, international form
    ("0033612345678", "ICON 1"),  # foreign, 00 form
    ("+1 202 555 0143", "ICON 2"),  # foreign, spaced
    ("12", "ICON 1"),  # unreadable: too short
    ("76 12 34", "ICON 1"),  # unreadable: a national number cut short
    ("abc", "ICON 1"),  # unreadable: no digits
    ("+22376123456", "ICON 9"),  # unknown candidate
    ("+22376123456", "ICON 0"),  # unknown candidate
    ("+22376123456", "ICON ٩"),  # unknown candidate, in Arabic-Indic digits
    ("+22376123456", "ICON"),  # no number
]


@pytest.mark.parametrize(("sender", "text"), SMS_REFUSALS)
def test_sms_fast_path_refuses_as_the_one_at_a_time_path(
    app, client, engine, campaign, sender, text
):
    make_round(engine, campaign)
    fast = _lean(client, *_signed({"from": sender, "text": text, "id": "fast"}))
    slow = _one_at_a_time(app, sender, text, "slow")
    assert (fast.status_code, fast.text) == (200, slow)
    assert not slow.startswith("Merci")
    assert ballots(engine) == []


@pytest.mark.parametrize(
    ("round_kw", "expected"),
    [
        ({"opens": -48, "closes": -24}, "Aucun vote n'est ouvert en ce moment."),
        ({"opens": 24, "closes": 48}, "Aucun vote n'est ouvert en ce moment."),
        ({"sms_enabled": False}, None),
    ],
    ids=["closed", "not-yet-open", "sms-disabled"],
)
def test_sms_fast_path_refuses_a_round_shut_to_sms_as_the_one_at_a_time_path(
    app, client, engine, campaign, round_kw, expected
):
    make_round(engine, campaign, **round_kw)
    fast = _lean(client, *_signed({"from": E164, "text": "ICON 1", "id": "fast"}))
    slow = _one_at_a_time(app, E164, "ICON 1", "slow")
    assert (fast.status_code, fast.text) == (200, slow)
    if expected is not None:
        assert slow == expected
    assert ballots(engine) == []


def _refusal(call) -> tuple:
    try:
        result = call()
    except DomainError as exc:
        return type(exc).__name__, exc.message, getattr(exc, "errors", {})
    if isinstance(result, DomainError):
        return type(result).__name__, result.message, getattr(result, "errors", {})
    raise AssertionError(f"counted: {result!r}")


WEB_REFUSALS = [
    {"phone": "+33612345678"},
    {"phone": "0033612345678"},
    {"phone": "12"},
    {"phone": "abc"},
    {"candidate": "9"},
    {"candidate": "x"},
    {"candidate": ""},
    {"code": "000000"},
    {"code": "12345"},
    {"code": ""},
    {"round_id": -1},
]


@pytest.mark.parametrize("change", WEB_REFUSALS, ids=lambda c: "-".join(map(str, c.items())))
def test_web_fast_path_refuses_as_the_one_at_a_time_path(engine, campaign, change):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    fields = {"round_id": r.id, "phone": PHONE, "code": "123456", "candidate": "2"} | change
    vote = WebVote(fields["round_id"], fields["phone"], fields["code"], fields["candidate"],
                   "41.73.96.12", "browser-1")  # fmt: skip

    fast = _refusal(lambda: WebVoteBatch(engine, SECRET)([vote])[0])
    slow = _refusal(lambda: vote_codes.cast_web(engine, SECRET, *fields.values(), "a", "b"))

    assert fast == slow
    assert ballots(engine) == []


@pytest.mark.parametrize(
    "round_kw",
    [{"opens": -48, "closes": -24}, {"opens": 24, "closes": 48}, {"web_enabled": False}],
    ids=["closed", "not-yet-open", "web-disabled"],
)
def test_web_fast_path_refuses_a_round_shut_to_web_as_the_one_at_a_time_path(
    engine, campaign, round_kw
):
    r = make_round(engine, campaign, **round_kw)
    add_code(engine, r.id, "123456")
    vote = WebVote(r.id, PHONE, "123456", "2", "41.73.96.12", "browser-1")

    fast = _refusal(lambda: WebVoteBatch(engine, SECRET)([vote])[0])
    slow = _refusal(lambda: vote_codes.cast_web(engine, SECRET, r.id, PHONE, "123456", "2",
                                                "a", "b"))  # fmt: skip

    assert fast == slow == ("PhaseClosed", "This vote is not open.", {})
    assert ballots(engine) == []


def test_web_fast_path_refuses_a_second_vote_as_the_one_at_a_time_path(engine, campaign):
    r = make_round(engine, campaign)
    for code in ("111111", "222222", "333333"):
        add_code(engine, r.id, code)
    vote_codes.cast_web(engine, SECRET, r.id, PHONE, "111111", "1", "a", "b")

    fast = _refusal(
        lambda: WebVoteBatch(engine, SECRET)(
            [WebVote(r.id, PHONE, "222222", "2", "41.73.96.12", "browser-1")]
        )[0]
    )
    slow = _refusal(lambda: vote_codes.cast_web(engine, SECRET, r.id, PHONE, "333333", "2",
                                                "a", "b"))  # fmt: skip

    assert (
        fast == slow == ("AlreadyVoted", "This phone number has already voted in this round.", {})
    )
    assert len(ballots(engine)) == 1
