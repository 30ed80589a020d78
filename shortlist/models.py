"""The jury's tables: criteria, review settings, assignments (readings), scores, decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class ReviewConfig(SQLModel, table=True):
    """How a campaign narrows its field; one row per campaign, created with defaults."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    readings_per_nominee: int = 3
    blind_readings: int = 1
    longlist_size: int = 30
    shortlist_size: int = 10
    finalists: int = 5
    alternates: int = 3
    # Mali: the jury picks 5 finalists and 3 ordered alternates; the public round picks the winner.
    jury_picks_finalists: bool = True


class Criterion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    position: int = 0
    # {"fr": ..., "en": ...}: criteria are the campaign's words, shown in the juror's language.
    name: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    description: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    weight: float = 1.0


class AssignmentStatus(StrEnum):
    assigned = "assigned"
    submitted = "submitted"
    recused = "recused"
    withdrawn = "withdrawn"  # reassigned by a manager to another juror


class Assignment(SQLModel, table=True):
    """One reading: a juror scoring a nominee."""

    __table_args__ = (
        UniqueConstraint("nominee_id", "juror_id", name="uq_assignment_nominee_juror"),
        Index("ix_assignment_juror_status", "juror_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    nominee_id: int = Field(foreign_key="nominee.id", index=True)
    juror_id: int = Field(foreign_key="user.id")
    # A blind reader sees neither the nominators nor the other readings.
    blind: bool = False
    status: str = Field(default=AssignmentStatus.assigned, max_length=20)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    recusal_reason: str = Field(default="", max_length=500)
    # Bumped on every save: a tab that saved from an older version learns another tab wrote.
    version: int = 0
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Score(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id", name="uq_score_assignment_criterion"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id")
    value: float


class Stage(StrEnum):
    longlist = "longlist"
    shortlist = "shortlist"
    finalist = "finalist"
    alternate = "alternate"


class Decision(SQLModel, table=True):
    """A nominee placed on a stage, with why; withdrawn rather than deleted."""

    __table_args__ = (Index("ix_decision_campaign_stage", "campaign_id", "stage"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    nominee_id: int = Field(foreign_key="nominee.id", index=True)
    stage: str = Field(max_length=20)
    position: int = 0  # the order of alternates (1 is promoted first)
    justification: str = Field(default="", sa_column=Column(Text, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    withdrawn: bool = False
    withdrawn_reason: str = Field(default="", max_length=500)
