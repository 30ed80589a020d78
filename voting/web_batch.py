"""Web votes (phone + SMS code + choice) written in batches, like SMS votes (see intake.py).

A vote with a live code that matches is spent and counted in the batch's transaction; a code
spent by a concurrent request is not returned by ``UPDATE .. RETURNING``, and the unique
(round, voter) constraint still decides who voted first. Everything else (a wrong, expired or
used code, an unknown candidate, a closed round, an unreadable number) is cast one by one by
``vote_codes.cast_web``, which counts the failed try and says what is wrong. The batch runs it
itself right after its commit, so the next batch sees every try counted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import astuple, dataclass

from sqlalchemy.engine import Engine

from campaign import db, phones
from campaign.errors import DomainError, Invalid
from voting import vote_codes
from voting.batch_sql import ATTEMPT_COLUMNS, BatchSql, open_ballot
from voting.errors import AlreadyVoted
from voting.models import VoteChannel
from voting.receipts import Receipt, new_receipt

log = logging.getLogger("icon.voting")


@dataclass(frozen=True)
class WebVote:
    round_id: int
    phone: str
    code: str
    candidate: str
    address: str
    browser: str


@dataclass(frozen=True)
class _Accepted:
    index: int
    vote: WebVote
    e164: str
    voter_hash: str
    code_id: int
    candidate: object  # the round's Candidate


class WebVoteBatch:
    """One result per vote: a Receipt, an AlreadyVoted to raise, or None (the other path)."""

    def __init__(self, engine: Engine, secret_key: str):
        self.engine, self.secret_key = engine, secret_key

    def __call__(self, votes: Sequence[WebVote]) -> list[Receipt | Exception]:
        results: list = [None] * len(votes)
        now = db.utcnow()
        # A connection's transaction, not an ORM session's: the batch holds no objects, and the
        # session's set-up and commit cost twice the connection's (~100 against ~50 us a batch).
        with self.engine.begin() as conn:
            sql = BatchSql(conn, now)
            ballot = open_ballot(sql, VoteChannel.web)
            if ballot is not None:
                accepted = self._accept(sql, ballot, votes)
                spent = sql.spend_codes([a.code_id for a in accepted])
                accepted = [a for a in accepted if a.code_id in spent]
                self._count(sql, ballot, accepted, results, now)
        # What the batch did not settle is cast one by one, here, before the next batch reads a
        # code: every wrong guess is counted before another guess for that phone is checked.
        return [
            self._alone(vote) if found is None else found
            for vote, found in zip(votes, results, strict=True)
        ]

    def _alone(self, vote: WebVote) -> Receipt | Exception:
        try:
            # Safe to repeat: a spent code is not spent again, the voter is counted once.
            return db.retrying(vote_codes.cast_web, self.engine, self.secret_key, *astuple(vote))
        except Exception as exc:  # noqa: BLE001 - the batch committed: each vote gets its own answer
            if not isinstance(exc, DomainError):
                log.exception("web vote failed")
            return exc

    def _accept(self, sql: BatchSql, ballot, votes: Sequence[WebVote]) -> list[_Accepted]:
        parsed = []
        for i, vote in enumerate(votes):
            if vote.round_id != ballot.round.id:
                continue
            try:
                code = vote_codes.parse_code(vote.code)
                candidate = ballot.candidates.get(vote_codes.parse_number(vote.candidate))
            except Invalid:
                continue
            e164 = phones.national(vote.phone, ballot.country)
            if candidate is None or e164 is None:
                continue
            voter_hash = phones.keyed_hash(self.secret_key, e164, "voter")
            code_hash = vote_codes.code_hash(self.secret_key, ballot.round.id, e164, code)
            parsed.append((i, vote, e164, voter_hash, code_hash, candidate))
        live = sql.live_codes(ballot.round.id, list({p[3] for p in parsed}))
        # A phone with a wrong guess in the batch is cast one by one, in arrival order, so its
        # tries are counted exactly as if the guesses came one at a time.
        guessing = {p[3] for p in parsed if (p[3], p[4]) not in live}
        accepted, claimed = [], set()
        for i, vote, e164, voter_hash, code_hash, candidate in parsed:
            code_id = live.get((voter_hash, code_hash))
            if voter_hash in guessing or code_id in claimed:
                continue  # the same code twice in one batch: the second is cast alone
            claimed.add(code_id)
            accepted.append(_Accepted(i, vote, e164, voter_hash, code_id, candidate))
        return accepted

    def _count(self, sql: BatchSql, ballot, accepted: list[_Accepted], results, now) -> None:
        first: dict[str, int] = {}
        rows = []
        for a in accepted:
            if a.voter_hash in first:
                continue  # two codes of one phone in one batch: the first counts
            first[a.voter_hash] = a.index
            rows.append(
                (
                    ballot.round.id,
                    a.candidate.id,
                    VoteChannel.web.value,
                    a.voter_hash,
                    new_receipt(),
                    sql.now,
                    False,
                    "",
                )
            )
        counted = sql.ballots_of_new_voters(rows)
        attempts = []
        for a in accepted:
            won = counted.get(a.voter_hash) if first[a.voter_hash] == a.index else None
            if won is None:
                results[a.index] = AlreadyVoted()
                continue
            results[a.index] = Receipt(
                won[1], ballot.round.title, now, a.candidate.number, a.candidate.name
            )
            attempts.append(
                (
                    ballot.round.id,
                    sql.now,
                    VoteChannel.web.value,
                    "vote",
                    None,
                    a.voter_hash,
                    phones.run_token(self.secret_key, a.e164),
                    a.vote.address[:64],
                    a.vote.browser[:64],
                    won[0],
                )
            )
        sql.insert("voteattempt", ATTEMPT_COLUMNS, attempts)
