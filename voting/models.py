"""Voting tables. A voter's phone number never sits beside a ballot: ballots keep a keyed hash
(one vote per person per round, enforced by a unique constraint); the attempts log keeps what the
fraud signals need (hash, a keyed run token, address, browser id) and never the choice, which
only the ballot holds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class VoteChannel(StrEnum):
    web = "web"
    sms = "sms"


class Round(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    title: str = Field(max_length=200)
    opens_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    closes_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    seats: int = 5  # finalists (or 1: the winner)
    alternates: int = 0
    web_enabled: bool = True
    sms_enabled: bool = True
    # Hidden until the close by default: live results invite stuffing and bandwagons.
    results_live: bool = False
    weight_jury: float = 50.0
    weight_web: float = 25.0
    weight_sms: float = 25.0
    # Voting codes the site sends per minute, all voters together: a flood costs at most this
    # many SMS. The manager sees it on the round and raises it for a broadcast.
    code_budget: int = 60
    previous_round_id: int | None = Field(default=None, foreign_key="round.id")
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Candidate(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("round_id", "number", name="uq_candidate_round_number"),
        UniqueConstraint("round_id", "nominee_id", name="uq_candidate_round_nominee"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    number: int  # the ballot number people text: "ICON 3"
    nominee_id: int = Field(foreign_key="nominee.id")
    name: str = Field(max_length=200)  # as shown on the ballot, fixed when the round is made
    jury_score: float | None = None  # the jury's normalised score, for the blended result


class Ballot(SQLModel, table=True):
    """One counted (or voided) vote. Never deleted: a voided ballot keeps its reason."""

    __table_args__ = (
        UniqueConstraint("round_id", "voter_hash", name="uq_ballot_round_voter"),
        Index("ix_ballot_round_at", "round_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    channel: str = Field(max_length=10)
    voter_hash: str = Field(max_length=64)  # keyed hash of the E.164 number
    receipt: str = Field(max_length=12, unique=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    void: bool = False
    void_reason: str = Field(default="", max_length=500)


class VoteCode(SQLModel, table=True):
    """A 6-digit code sent by SMS to prove a web voter holds the phone (10 minutes, 5 tries)."""

    __table_args__ = (Index("ix_votecode_phone_created", "phone_hash", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    phone_hash: str = Field(max_length=64)
    code_hash: str = Field(max_length=64)  # keyed hash: a database reader cannot vote with it
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    tries: int = 0
    used: bool = False


class VoteAttempt(SQLModel, table=True):
    """What the fraud signals read: one row per vote, code sent, or code failed."""

    __table_args__ = (Index("ix_voteattempt_round_at", "round_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    channel: str = Field(max_length=10)
    kind: str = Field(max_length=20)  # vote | code_sent | code_failed
    candidate: int | None = None  # no longer written: a vote's choice is its ballot's
    phone_hash: str = Field(default="", max_length=64)
    phone_seq: int | None = None  # phones.run_token: consecutive numbers, not their digits
    address: str = Field(default="", max_length=64)
    browser: str = Field(default="", max_length=64)
    ballot_id: int | None = Field(default=None, foreign_key="ballot.id")
