"""Votes at voting-night rates: well-formed SMS and web votes are written in batches (group
commit); web votes in web_batch.py, the shared statements in batch_sql.py.

After a TV or radio episode thousands of "ICON 3" arrive within minutes. One transaction per
vote (with its idempotency record, rate-limit event, ballot and fraud-signal row) caps the rate
at what one writer can commit one by one. Here a well-formed vote joins a batch that one thread
writes in one transaction with a few set-based statements; each sender still gets their own
reply, and only after the batch committed.

The rules stay where they were: the unique (round, voter) constraint decides who voted first
(``INSERT .. ON CONFLICT DO NOTHING RETURNING`` says which rows went in), the gateway id makes a
retry get the stored reply, and the sender limit counts the same events. Anything unusual (no open
round, a foreign or unreadable number, an unknown candidate, a sender over the limit, a failed
batch) is answered ``None``: the caller takes the one-at-a-time path, which has every reply and
every refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from campaign import db, phones, ratelimit, sms_inbound
from campaign.batching import BatchWriter
from campaign.sms_inbound import GATEWAY_ID_KEPT, SENDER_LIMIT, SENDER_WINDOW
from voting.batch_sql import ATTEMPT_COLUMNS, INBOUND_COLUMNS, BatchSql, open_ballot
from voting.models import VoteChannel
from voting.receipts import Receipt, format_receipt, new_receipt
from voting.sms import SMS_ALREADY, SMS_THANKS
from voting.web_batch import WebVote, WebVoteBatch

KEYWORD = "VOTE"  # as the one-at-a-time path records a vote SMS


@dataclass(frozen=True)
class SmsVote:
    gateway_id: str | None
    sender: str
    number: int  # the candidate's ballot number, as the webhook parsed it from the text


class SmsVoteBatch:
    """Writes a batch of SMS votes in one transaction; one reply (or None) per vote."""

    def __init__(self, engine: Engine, secret_key: str, translate: Callable[[str, dict], str]):
        self.engine, self.secret_key, self.translate = engine, secret_key, translate

    def __call__(self, votes: Sequence[SmsVote]) -> list[str | None]:
        replies: list[str | None] = [None] * len(votes)
        now = db.utcnow()
        # A connection's transaction, not an ORM session's: the batch holds no objects, and the
        # session's set-up and commit cost twice the connection's (~100 against ~50 us a batch).
        with self.engine.begin() as conn:
            sql = BatchSql(conn, now)
            ballot = open_ballot(sql, VoteChannel.sms)
            if ballot is None:
                return replies
            # How a retry finds its reply: the gateway's id and the sender (sms_inbound).
            keys = [sms_inbound.reply_key(self.secret_key, v.gateway_id, v.sender) for v in votes]
            stored = sql.stored_replies([key for key in keys if key])
            accepted = self._accept(sql, ballot, votes, keys, stored, replies, now)
            self._write(sql, ballot, accepted, keys, replies)
        self._copy_repeats(keys, replies, stored)
        return replies

    def _accept(self, sql, ballot, votes, keys, stored, replies, now) -> list[tuple]:
        """The votes this batch writes: (index, vote, e164, sender hash, voter hash, candidate)."""
        country, seen_ids, parsed = ballot.country, set(), []
        for i, vote in enumerate(votes):
            if keys[i] in stored:
                replies[i] = stored[keys[i]]
                continue
            if keys[i] is not None and keys[i] in seen_ids:
                continue  # a retry within the batch: it gets the first one's reply
            candidate = ballot.candidates.get(vote.number)
            e164 = phones.national(vote.sender, country) if candidate is not None else None
            if e164 is None:
                continue
            seen_ids.add(keys[i])
            sender_hash = phones.keyed_hash(self.secret_key, e164)
            voter_hash = phones.keyed_hash(self.secret_key, e164, "voter")
            parsed.append((i, vote, e164, sender_hash, voter_hash, candidate))
        keys = list({f"sms-sender:{p[3]}" for p in parsed})
        ratelimit.lock(sql.conn, *keys)  # as the one-at-a-time path: counted and recorded as one
        counts = sql.sent_recently(keys, now - SENDER_WINDOW)
        accepted = []
        for entry in parsed:
            key = f"sms-sender:{entry[3]}"
            if counts.get(key, 0) >= SENDER_LIMIT:
                continue  # the one-at-a-time path says "too many messages"
            counts[key] = counts.get(key, 0) + 1
            accepted.append(entry)
        return accepted

    def _write(self, sql, ballot, accepted, keys, replies) -> None:
        round_id, channel = ballot.round.id, VoteChannel.sms.value  # read once, not per row
        first_by_voter: dict[str, int] = {}
        rows = []
        for i, _vote, _e164, _sender, voter_hash, candidate in accepted:
            if voter_hash in first_by_voter:
                continue  # the same phone twice in one batch: the first counts
            first_by_voter[voter_hash] = i
            rows.append(
                (
                    round_id,
                    candidate.id,
                    channel,
                    voter_hash,
                    new_receipt(),
                    sql.now,
                    False,
                    "",
                )
            )
        counted = sql.ballots_of_new_voters(rows)
        attempts, inbound, events = [], [], []
        for i, vote, e164, sender_hash, voter_hash, candidate in accepted:
            won = counted.get(voter_hash) if first_by_voter[voter_hash] == i else None
            if won is None:
                replies[i] = self.translate(SMS_ALREADY, {})
            else:
                replies[i] = self.translate(
                    SMS_THANKS,
                    {
                        "number": candidate.number,
                        "name": candidate.name,
                        "receipt": format_receipt(won[1]),
                    },
                )
                attempts.append(
                    (
                        round_id,
                        sql.now,
                        channel,
                        "vote",
                        None,
                        voter_hash,
                        phones.run_token(self.secret_key, e164),
                        "",
                        "",
                        won[0],
                    )
                )
            shown_id = (vote.gateway_id or "").strip()[:GATEWAY_ID_KEPT] or None
            inbound.append((shown_id, keys[i], KEYWORD, replies[i], sql.now))
            events.append((f"sms-sender:{sender_hash}", sql.now))
        sql.insert("voteattempt", ATTEMPT_COLUMNS, attempts)
        sql.insert("inboundsms", INBOUND_COLUMNS, inbound)
        sql.insert("rateevent", ("key", "at"), events)

    @staticmethod
    def _copy_repeats(keys, replies, stored) -> None:
        first: dict[str, str | None] = {}
        for i in range(len(keys)):
            if keys[i] is None or keys[i] in stored:
                continue
            if keys[i] in first:
                replies[i] = first[keys[i]]
            else:
                first[keys[i]] = replies[i]


class VoteIntake:
    """The app's vote writers: one batching thread per channel, stopped with the app."""

    def __init__(self, engine: Engine, secret_key: str, translate: Callable[[str, dict], str]):
        self.sms_writer = BatchWriter(SmsVoteBatch(engine, secret_key, translate), name="sms-votes")
        self.web_writer = BatchWriter(WebVoteBatch(engine, secret_key), name="web-votes")

    async def sms(self, gateway_id: str | None, sender: str, number: int) -> str | None:
        """The reply to an SMS vote for ballot ``number`` (the webhook parsed the text once)
        once committed, or None: take the other path (also when its batch failed: nothing of
        it was committed)."""
        try:
            return await self.sms_writer.submit(SmsVote(gateway_id, sender, number))
        except Exception:  # noqa: BLE001 - logged by the writer; the other path answers
            return None

    async def web(self, vote: WebVote) -> Receipt:
        """The receipt of a web vote once committed; raises what ``cast_web`` would raise
        (AlreadyVoted, Invalid, PhaseClosed, ...)."""
        result = await self.web_writer.submit(vote)
        if isinstance(result, Exception):
            raise result
        return result

    def close(self) -> None:
        self.sms_writer.close()
        self.web_writer.close()
