"""Nominations and nominees. Personal data (nominator and referee contacts, the nominee's phone)
lives only here and is shown to managers only."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class Channel(StrEnum):
    web = "web"
    sms = "sms"
    paper = "paper"


class Status(StrEnum):
    received = "received"
    to_complete = "to_complete"  # an SMS nomination a volunteer must call back
    eligible = "eligible"
    ineligible = "ineligible"
    spam = "spam"


class Gender(StrEnum):
    female = "female"
    male = "male"
    unknown = "unknown"


class Nominee(SQLModel, table=True):
    """One real person, behind one or more nominations. The shown fields come from its
    nominations (the most frequent spelling) and are refreshed when they change."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=200)
    gender: str = Field(default=Gender.unknown, max_length=10)
    position: str = Field(default="", max_length=200)
    institution: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=100)
    nomination_count: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Nomination(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("campaign_id", "volunteer_id", "paper_serial", name="uq_paper_form"),
        Index("ix_nomination_campaign_region_key", "campaign_id", "region_key"),
        Index("ix_nomination_campaign_created", "campaign_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    nominee_id: int | None = Field(default=None, foreign_key="nominee.id", index=True)
    # A manager placed this nomination by hand (merge or split): regrouping never moves it.
    pinned: bool = False
    tracking_code: str = Field(max_length=12, unique=True)
    # The web form's one-time id: a replayed post finds its nomination instead of a duplicate.
    submission_key: str | None = Field(default=None, max_length=64, unique=True)
    channel: str = Field(max_length=10, index=True)
    status: str = Field(default=Status.received, max_length=20, index=True)
    status_reason: str = Field(default="", max_length=500)

    nominee_name: str = Field(max_length=200)
    nominee_gender: str = Field(default=Gender.unknown, max_length=10)
    nominee_position: str = Field(default="", max_length=200)
    nominee_institution: str = Field(default="", max_length=200)
    nominee_region: str = Field(default="", max_length=100)
    nominee_town: str = Field(default="", max_length=100)
    nominee_phone: str = Field(default="", max_length=20)  # E.164
    story: str = Field(default="", sa_column=Column(Text, nullable=False))
    # [{"name": ..., "phone": ..., "email": ...}]
    referees: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    nominator_name: str = Field(default="", max_length=200)
    nominator_phone: str = Field(default="", max_length=20)  # E.164, to send the tracking code
    nominator_email: str = Field(default="", max_length=254)
    nominator_relation: str = Field(default="", max_length=200)
    eligibility: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    consent: bool = False

    volunteer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    paper_serial: str | None = Field(default=None, max_length=40)
    # Grouping keys, derived from the nominee fields: candidates for a new nomination are found
    # by region and shared name words without reading the whole table.
    region_key: str = Field(default="", max_length=100)
    name_words: str = Field(default="", max_length=300)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CallBack(SQLModel, table=True):
    """A volunteer's call to the author of an SMS nomination "to complete". One row per
    nomination: a claim is one UPDATE that only an unclaimed (or abandoned) row satisfies."""

    nomination_id: int = Field(foreign_key="nomination.id", primary_key=True)
    volunteer_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    tries: int = 0  # calls without an answer
    outcome: str = Field(default="", max_length=20)  # "" open | completed | closed
    reason: str = Field(default="", max_length=200)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class DistinctPair(SQLModel, table=True):
    """A manager's answer "different people" to a probable match: the nominations of each side
    when it was given. Regrouping never merges them again."""

    __tablename__ = "nominee_distinct"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    left: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    right: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
