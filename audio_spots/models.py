"""AudioSpot: one audio file about one finalist in one language; the original (broadcast quality,
for radio partners) and a light mono rendition (for listeners who pay for every megabyte), both
stored by content hash under ICON_MEDIA_DIR."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class AudioSpot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    profile_id: int = Field(foreign_key="profile.id", index=True)
    language: str = Field(max_length=10)  # a code from the campaign's languages ("bm", "fr")
    title: str = Field(max_length=200)
    transcript: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="draft", max_length=10)  # draft | published
    # The original as uploaded: its kind decided by content (mp3, ogg, m4a, wav), never the name.
    original_hash: str = Field(max_length=64)
    original_format: str = Field(max_length=10)
    original_bytes: int
    duration_s: float
    bitrate: int  # bits per second, as read from the file
    # The light rendition: mono Ogg/Opus at about 24 kbit/s.
    light_hash: str = Field(default="", max_length=64)
    light_bytes: int = 0
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
