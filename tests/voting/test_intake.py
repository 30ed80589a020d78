"""SMS votes written in batches: the same rules as one at a time, in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from campaign import db, phones
from campaign.models import InboundSms, RateEvent
from campaign.sms_inbound import SENDER_LIMIT
from tests.conftest import SECRET
from tests.voting.test_ballot_box import count, make_round
from voting import ballot_box
from voting import sms as voting_sms
from voting.batch_sql import BatchSql
from voting.intake import SmsVote, SmsVoteBatch
from voting.models import Ballot, Round, VoteAttempt
from voting.receipts import format_receipt


def translate(msgid: str, params: dict) -> str:
    return msgid % params


@pytest.fixture
def batch(engine):
    return SmsVoteBatch(engine, SECRET, translate)


def vote(n: int, number: int = 2, gateway_id: str | None = "same") -> SmsVote:
    return SmsVote(f"gw-{n}" if gateway_id == "same" else gateway_id, f"+2237612345{n}", number)


def test_a_batch_counts_each_phone_once_and_replies_to_each(engine, campaign, batch):
    r = make_round(engine, campaign)
    votes = [vote(1), vote(2, 3), SmsVote("gw-9", "+22376123451", 1)]

    replies = batch(votes)

    with db.session(engine) as s:
        rows = s.exec(select(Ballot).order_by(Ballot.id)).all()
    receipts = [f"{b.receipt[:5]}-{b.receipt[5:]}" for b in rows]
    assert replies == [
        f"Thank you! Your vote for number 2, Moussa Traoré, is counted. Receipt: {receipts[0]}.",
        f"Thank you! Your vote for number 3, Fanta Coulibaly, is counted. Receipt: {receipts[1]}.",
        "You have already voted in this round. Your first vote stands.",
    ]
    assert [(b.round_id, b.channel, b.void) for b in rows] == [(r.id, "sms", False)] * 2
    assert rows[0].voter_hash == phones.keyed_hash(SECRET, "+22376123451", "voter")
    assert count(engine, VoteAttempt) == 2
    assert count(engine, InboundSms) == 3
    assert count(engine, RateEvent) == 3


def test_a_retried_gateway_id_gets_the_stored_reply_and_changes_nothing(engine, campaign, batch):
    make_round(engine, campaign)
    first = batch([vote(1)])[0]

    again = batch([vote(1), vote(1)])

    assert again == [first, first]
    assert (count(engine, Ballot), count(engine, InboundSms), count(engine, RateEvent)) == (1, 1, 1)


def test_the_same_id_twice_in_one_batch_is_written_once_with_one_reply(engine, campaign, batch):
    make_round(engine, campaign)

    replies = batch([vote(1), vote(1)])

    assert replies[0] == replies[1] and replies[0].startswith("Thank you!")
    assert (count(engine, Ballot), count(engine, InboundSms), count(engine, RateEvent)) == (1, 1, 1)


def test_a_phone_that_voted_before_the_batch_is_told_so(engine, campaign, batch):
    make_round(engine, campaign)
    batch([vote(1, 1)])

    replies = batch([vote(1, 3, gateway_id="gw-other")])

    assert replies == ["You have already voted in this round. Your first vote stands."]
    assert count(engine, Ballot) == 1 and count(engine, VoteAttempt) == 1


@pytest.mark.parametrize(
    "sms",
    [
        SmsVote("a", "+22376123451", 9),  # no such candidate
        SmsVote("b", "+33612345678", 1),  # another country
        SmsVote("c", "not a phone", 1),
    ],
)
def test_anything_unusual_is_left_to_the_one_at_a_time_path(engine, campaign, batch, sms):
    make_round(engine, campaign)

    assert batch([sms, vote(2)])[0] is None
    assert count(engine, Ballot) == 1 and count(engine, InboundSms) == 1


def test_no_open_round_leaves_every_vote_to_the_other_path(engine, campaign, batch):
    make_round(engine, campaign, opens=1, closes=2)

    assert batch([vote(1), vote(2)]) == [None, None]
    assert count(engine, InboundSms) == 0 and count(engine, RateEvent) == 0


def test_a_round_without_sms_leaves_votes_to_the_other_path(engine, campaign, batch):
    make_round(engine, campaign, sms_enabled=False)

    assert batch([vote(1)]) == [None]
    assert count(engine, Ballot) == 0


def test_a_sender_at_the_limit_is_left_to_the_other_path(engine, campaign, batch):
    make_round(engine, campaign)
    sender_hash = phones.keyed_hash(SECRET, "+22376123451")
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        for _ in range(SENDER_LIMIT - 1):
            s.add(RateEvent(key=f"sms-sender:{sender_hash}", at=now))

    replies = batch([vote(1), SmsVote("gw-again", "+22376123451", 1)])

    assert replies[0].startswith("Thank you!") and replies[1] is None
    assert count(engine, RateEvent) == SENDER_LIMIT


def test_overlapping_rounds_the_latest_opened_takes_the_vote_as_open_round_says(
    engine, campaign, batch
):
    make_round(engine, campaign, opens=-3, title="Premier tour")
    later = make_round(engine, campaign, opens=-1, title="Second tour")

    batch([vote(1)])

    with db.session(engine) as s:
        assert s.exec(select(Ballot.round_id)).all() == [later.id]
        assert ballot_box.open_round(s, campaign).id == later.id


def test_a_round_closed_by_a_manager_takes_no_batched_vote(engine, campaign, batch):
    r = make_round(engine, campaign)
    with db.session(engine) as s, s.begin():
        s.get(Round, r.id).closed_at = db.utcnow()

    assert batch([vote(1)]) == [None]
    assert count(engine, Ballot) == 0


def test_a_batch_beyond_one_statement_counts_every_new_voter_and_refuses_the_rest(
    engine, campaign, batch
):
    """900 votes: three multi-row statements per table (batch_sql.MAX_ROWS); the phones that
    voted before the batch (one in each statement's share) are refused, every other counted."""
    make_round(engine, campaign)
    early = [0, 450, 899]
    before = [SmsVote(f"early-{n}", f"+2237{n:07d}", 1) for n in early]
    assert all(reply.startswith("Thank you!") for reply in batch(before))
    votes = [SmsVote(f"gw-{n}", f"+2237{n:07d}", n % 3 + 1) for n in range(900)]

    replies = batch(votes)

    refused = [n for n, reply in enumerate(replies) if not reply.startswith("Thank you!")]
    assert refused == early
    assert {replies[n] for n in early} == {voting_sms.SMS_ALREADY}
    with db.session(engine) as s:
        receipts = s.exec(select(Ballot.receipt)).all()
    assert len(receipts) == len(set(receipts)) == 900
    assert [r.rsplit("Receipt: ", 1)[1][:-1] for r in replies[1:4]] == [
        format_receipt(code) for code in receipts_of(engine, [f"+2237{n:07d}" for n in (1, 2, 3)])
    ]
    assert (count(engine, VoteAttempt), count(engine, InboundSms)) == (900, 903)
    assert count(engine, RateEvent) == 903


def receipts_of(engine, numbers: list[str]) -> list[str]:
    with db.session(engine) as s:
        by_voter = dict(s.exec(select(Ballot.voter_hash, Ballot.receipt)).all())
    return [by_voter[phones.keyed_hash(SECRET, n, "voter")] for n in numbers]


def test_a_batch_stores_its_time_as_the_orm_stores_it(engine):
    # A whole second: pysqlite's own text for a datetime would drop the ".000000" the ORM keeps,
    # and the text is what SQLite compares.
    at = datetime(2026, 12, 7, 16, 0, 0, tzinfo=UTC)
    with db.session(engine) as s, s.begin():
        sql = BatchSql(s.connection(), at)
        sql.insert("rateevent", ("key", "at"), [("batch", sql.now)])
        s.add(RateEvent(key="orm", at=at))

    with engine.connect() as conn:
        stored = dict(conn.exec_driver_sql("SELECT key, CAST(at AS TEXT) FROM rateevent").all())
    assert stored["batch"] == stored["orm"]
    with db.session(engine) as s:
        assert s.exec(select(RateEvent.at).where(RateEvent.key == "batch")).one() == at


def test_a_driver_error_in_a_batch_statement_is_raised_as_sqlalchemy_raises_it(engine):
    # The statements run on the driver's cursor: its error must still be SQLAlchemy's, so the
    # writer and db.retrying tell a lost connection (connection_invalidated) from a fault.
    at = datetime(2026, 12, 7, 16, 0, 0, tzinfo=UTC)
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        BatchSql(conn, at).insert("rateevent", ("key", "at"), [(None, at)])

    assert caught.value.connection_invalidated is False
    # Its values stay out of its text, which the writer logs, as the engine's own errors do.
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)
    assert "2026-12-07" not in str(caught.value)
    assert isinstance(caught.value.orig, engine.dialect.loaded_dbapi.IntegrityError)
    statement = {
        "postgresql": "INSERT INTO rateevent (key, at) VALUES (%s, %s)",
        "sqlite": "INSERT INTO rateevent (key, at) VALUES (?, ?)",
    }
    assert caught.value.statement == statement[engine.dialect.name]
    with db.session(engine) as s:
        assert s.exec(select(RateEvent)).all() == []
