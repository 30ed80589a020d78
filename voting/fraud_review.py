"""Fraud review of a round: the signals voting.fraud finds in its vote attempts, and the
ballots a manager voids with a reason (never deleted, always audited)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, db
from campaign.errors import Invalid
from campaign.i18n import N_
from voting import fraud
from voting.models import Ballot, Candidate, VoteAttempt
from voting.rounds import load_round

MAX_SEATS, REASON_MAX = 100, 500


def clusters(engine: Engine, round_id: int) -> list[fraud.Cluster]:
    """The round's fraud signals. A vote attempt whose ballot was never made cannot be voided
    and is left out."""
    with db.session(engine) as s:
        load_round(s, round_id)
        # A vote's choice is its ballot's: the attempts log keeps none beside the phone's hash.
        rows = s.exec(
            select(VoteAttempt, Candidate.number)
            .outerjoin(Ballot, col(Ballot.id) == VoteAttempt.ballot_id)
            .outerjoin(Candidate, col(Candidate.id) == Ballot.candidate_id)
            .where(VoteAttempt.round_id == round_id)
            .order_by(VoteAttempt.at)
        ).all()
    attempts = [
        fraud.Attempt(
            a.at,
            a.channel,
            number,
            a.phone_hash,
            a.phone_seq,
            a.address,
            a.browser,
            a.kind,
            a.ballot_id,
        )
        for a, number in rows
        if a.kind != "vote" or a.ballot_id is not None
    ]
    return fraud.signals(attempts)


def void_cluster(
    engine: Engine,
    actor_id: int,
    round_id: int,
    vote_ids: list[int],
    reason: str,
    kind: str = "",
    key: str = "",
) -> int:
    """Mark the round's ballots ``vote_ids`` void with ``reason`` (never deleted); returns how
    many were voided. Invalid, changing nothing, without a reason, without ids, or when an id is
    not a ballot of this round."""
    reason = " ".join(str(reason).split())
    errors = {}
    if not reason:
        errors["reason"] = N_("Say why.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = N_("At most 500 characters.")
    ids = sorted(set(vote_ids))
    if not ids:
        errors["vote_ids"] = N_("No votes to void.")
    if errors:
        raise Invalid(errors)
    with db.session(engine) as s, s.begin():
        load_round(s, round_id)
        ballots = []
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            ballots += s.exec(select(Ballot).where(col(Ballot.id).in_(part))).all()
        if len(ballots) != len(ids) or any(b.round_id != round_id for b in ballots):
            raise Invalid({"vote_ids": N_("Some of these votes are not in this round.")})
        fresh = [b for b in ballots if not b.void]
        if not fresh:
            raise Invalid({"vote_ids": N_("These votes are already void.")})
        for b in fresh:
            b.void, b.void_reason = True, reason
        audit.record(
            s,
            actor_id,
            "round.void",
            "round",
            round_id,
            kind=kind[:40],
            key=key[:200],
            reason=reason,
            ballots=sorted(b.id for b in fresh),
        )
    return len(fresh)
