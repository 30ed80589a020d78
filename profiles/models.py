"""Profile: one finalist or winner of one edition, as the public sees them.

The shown fields are copied from the nominee when the profile is made and then edited by managers:
a profile tells the story the campaign publishes, not the raw nominations. Past editions the site
never ran (the hall of fame) have profiles without a nominee.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class Distinction(StrEnum):
    winner = "winner"
    finalist = "finalist"


class Status(StrEnum):
    draft = "draft"
    published = "published"


class Profile(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("campaign_id", "nominee_id", name="uq_profile_nominee"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    nominee_id: int | None = Field(default=None, foreign_key="nominee.id")
    slug: str = Field(max_length=120, unique=True)  # stable: shared links keep working
    year: int  # the edition; the hall of fame groups by it
    distinction: str = Field(default=Distinction.finalist, max_length=10)
    name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    institution: str = Field(default="", max_length=200)
    region: str = Field(default="", max_length=100)
    bio: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    story: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    video_url: str = Field(default="", max_length=500)
    # Content hash of the cleaned photo; its renditions are files named after it in ICON_MEDIA_DIR.
    photo: str = Field(default="", max_length=64)
    status: str = Field(default=Status.draft, max_length=10)
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
