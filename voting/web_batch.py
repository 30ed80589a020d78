"""Web votes (phone + SMS code + choice) written in batches, like SMS votes (see intake.py).

A vote with a live code that matches is spent and counted in the batch's transaction; a code
spent by a concurrent request is not returned by ``UPDATE .. RETURNING``, and the unique
(round, voter) constraint still decides who voted first. A wrong, expired or used code, an
unknown candidate, a closed round or an unreadable number is answered ``None``: the
one-at-a-time ``ballot_box.cast_web`` counts the failed try and says what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from campaign import db, phones
from campaign.errors import Invalid
from voting import ballot_box
from voting.ballot_box import AlreadyVoted, Receipt
from voting.batch_sql import ATTEMPT_COLUMNS, BatchSql, open_ballot
from voting.models import VoteChannel


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

    def __call__(self, votes: Sequence[WebVote]) -> list[Receipt | AlreadyVoted | None]:
        results: list[Receipt | AlreadyVoted | None] = [None] * len(votes)
        now = db.utcnow()
        with db.session(self.engine) as s, s.begin():
            sql = BatchSql(s, now)
            ballot = open_ballot(sql, VoteChannel.web)
            if ballot is None:
                return results
            accepted = self._accept(sql, ballot, votes)
            spent = sql.spend_codes([a.code_id for a in accepted])
            accepted = [a for a in accepted if a.code_id in spent]
            self._count(sql, ballot, accepted, results, now)
        return results

    def _accept(self, sql: BatchSql, ballot, votes: Sequence[WebVote]) -> list[_Accepted]:
        parsed = []
        for i, vote in enumerate(votes):
            if vote.round_id != ballot.round.id:
                continue
            try:
                code = ballot_box.parse_code(vote.code)
                candidate = ballot.candidates.get(ballot_box.parse_number(vote.candidate))
            except Invalid:
                continue
            e164 = phones.national(vote.phone, ballot.country)
            if candidate is None or e164 is None:
                continue
            voter_hash = phones.keyed_hash(self.secret_key, e164, "voter")
            code_hash = ballot_box.code_hash(self.secret_key, ballot.round.id, e164, code)
            parsed.append((i, vote, e164, voter_hash, code_hash, candidate))
        live = sql.live_codes(ballot.round.id, list({p[3] for p in parsed}))
        accepted, claimed = [], set()
        for i, vote, e164, voter_hash, code_hash, candidate in parsed:
            code_id = live.get((voter_hash, code_hash))
            if code_id is None or code_id in claimed:
                continue  # a wrong code, or the same code twice in one batch
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
            rows.append((ballot.round.id, a.candidate.id, VoteChannel.web.value, a.voter_hash,
                         ballot_box.new_receipt(), sql.now, False, ""))  # fmt: skip
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
            attempts.append((
                ballot.round.id, sql.now, VoteChannel.web.value, "vote", a.candidate.number,
                a.voter_hash, int(a.e164[-6:]), a.vote.address[:64], a.vote.browser[:64], won[0],
            ))  # fmt: skip
        sql.insert("voteattempt", ATTEMPT_COLUMNS, attempts)
