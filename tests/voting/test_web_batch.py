"""Web votes written in batches: a right code is spent and counted once; the rest go elsewhere."""

from __future__ import annotations

import pytest
from sqlmodel import select

from campaign import db, phones
from campaign.errors import Invalid, NotFound, PhaseClosed
from tests.conftest import SECRET
from tests.voting.test_ballot_box import E164, PHONE, add_code, count, make_round
from voting.errors import AlreadyVoted
from voting.models import Ballot, VoteAttempt, VoteCode
from voting.receipts import Receipt
from voting.web_batch import WebVote, WebVoteBatch

OTHER = "+22366554433"
FOREIGN = "Only phone numbers from the campaign's country can vote."
GONE = "This code has expired or was already used. Ask for a new code."


@pytest.fixture
def batch(engine):
    return WebVoteBatch(engine, SECRET)


def vote(round_id, code="123456", candidate="2", phone=PHONE) -> WebVote:
    return WebVote(round_id, phone, code, candidate, "41.73.96.12", "browser-1")


def codes_used(engine) -> list[bool]:
    with db.session(engine) as s:
        return list(s.exec(select(VoteCode.used).order_by(VoteCode.id)))


def test_right_codes_count_once_each_with_a_receipt(engine, campaign, batch):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    add_code(engine, r.id, "654321", e164=OTHER)

    results = batch([vote(r.id), vote(r.id, "654 321", "3", phone=OTHER)])

    with db.session(engine) as s:
        rows = s.exec(select(Ballot).order_by(Ballot.id)).all()
        attempt = s.exec(select(VoteAttempt).order_by(VoteAttempt.id)).first()
    assert results == [
        Receipt(rows[0].receipt, "Premier tour", results[0].at, 2, "Moussa Traoré"),
        Receipt(rows[1].receipt, "Premier tour", results[1].at, 3, "Fanta Coulibaly"),
    ]
    assert [(b.round_id, b.channel, b.void) for b in rows] == [(r.id, "web", False)] * 2
    assert codes_used(engine) == [True, True]
    assert (attempt.kind, attempt.address, attempt.browser, attempt.phone_seq) == (
        "vote", "41.73.96.12", "browser-1", phones.run_token(SECRET, E164),
    )  # fmt: skip


def test_the_same_code_twice_in_one_batch_counts_once(engine, campaign, batch):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")

    results = batch([vote(r.id), vote(r.id, candidate="3")])

    assert isinstance(results[0], Receipt) and isinstance(results[1], AlreadyVoted)
    assert count(engine, Ballot) == 1


def test_a_phone_that_already_voted_is_told_so(engine, campaign, batch):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    add_code(engine, r.id, "222222")
    batch([vote(r.id)])

    results = batch([vote(r.id, "222222", "1")])

    assert isinstance(results[0], AlreadyVoted)
    assert count(engine, Ballot) == 1 and count(engine, VoteAttempt) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code": "000000"}, ("code", "This code is not right. Check it and try again.")),
        ({"code": "12345"}, ("code", "Enter the 6-digit code we sent you by SMS.")),
        ({"candidate": "9"}, ("candidate", "This number is not on the ballot.")),
        ({"candidate": "x"}, ("candidate", "Choose a candidate.")),
        ({"phone": "+33612345678"}, ("phone", FOREIGN)),
    ],
)
def test_anything_else_is_answered_as_cast_web_answers(engine, campaign, batch, change, error):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    fields = {"round_id": r.id, "code": "123456", "candidate": "2", "phone": PHONE} | change

    [result] = batch([vote(**fields)])

    assert isinstance(result, Invalid) and result.errors == dict([error])
    assert count(engine, Ballot) == 0 and codes_used(engine) == [False]


def test_a_forged_round_is_not_found(engine, campaign, batch):
    make_round(engine, campaign)

    [result] = batch([vote(-1)])

    assert isinstance(result, NotFound) and count(engine, Ballot) == 0


def test_expired_or_worn_codes_are_refused(engine, campaign, batch):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456", minutes=-1)
    add_code(engine, r.id, "222222", e164=OTHER, tries=5)

    results = batch([vote(r.id), vote(r.id, "222222", phone=OTHER)])

    assert [type(e) for e in results] == [Invalid, Invalid]
    assert [e.errors for e in results] == [{"code": GONE}, {"code": GONE}]
    assert count(engine, Ballot) == 0


def test_guesses_in_one_batch_count_their_tries_before_the_right_code(engine, campaign, batch):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    guesses = [vote(r.id, f"{n:06d}") for n in range(60)]

    results = batch([*guesses, vote(r.id)])

    assert count(engine, Ballot) == 0
    assert results[-1].errors == {
        "code": "This code has expired or was already used. Ask for a new code."
    }
    with db.session(engine) as s:
        assert s.exec(select(VoteCode.tries)).all() == [5]


def test_a_round_without_web_voting_is_closed_to_web_votes(engine, campaign, batch):
    r = make_round(engine, campaign, web_enabled=False)
    add_code(engine, r.id, "123456")

    [result] = batch([vote(r.id)])

    assert isinstance(result, PhaseClosed) and codes_used(engine) == [False]
