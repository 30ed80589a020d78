"""What the public pages, the feed and the figures read about spots: finished data, one query each.

Only published spots of published profiles ever leave this module; the media URLs name the spot, so
the server can refuse a draft's file with a 404 before it reads a byte.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from audio_spots.models import AudioSpot
from campaign import db

PUBLISHED = "published"
LIGHT_MIME = "audio/ogg"
ORIGINAL_MIME = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "m4a": "audio/mp4", "wav": "audio/wav"}


@dataclass(frozen=True)
class SpotView:
    id: int
    profile_id: int
    language: str  # code, e.g. "bm"
    title: str
    transcript: str
    duration_s: float
    original_format: str
    original_bytes: int
    light_bytes: int
    published_at: datetime | None

    @property
    def light_url(self) -> str:
        return f"/audio/{self.id}/light.ogg"

    @property
    def original_url(self) -> str:
        return f"/audio/{self.id}/original.{self.original_format}"

    @property
    def original_mime(self) -> str:
        return ORIGINAL_MIME[self.original_format]


def _view(spot: AudioSpot) -> SpotView:
    return SpotView(
        id=spot.id,
        profile_id=spot.profile_id,
        language=spot.language,
        title=spot.title,
        transcript=spot.transcript,
        duration_s=spot.duration_s,
        original_format=spot.original_format,
        original_bytes=spot.original_bytes,
        light_bytes=spot.light_bytes,
        published_at=spot.published_at,
    )


def published_spots(engine: Engine, profile_ids: list[int]) -> dict[int, list[SpotView]]:
    """Published spots by profile id, in the campaign's language order left to the caller."""
    out: dict[int, list[SpotView]] = defaultdict(list)
    if not profile_ids:
        return out
    with db.session(engine) as s:
        rows = s.exec(
            select(AudioSpot)
            .where(AudioSpot.profile_id.in_(profile_ids), AudioSpot.status == PUBLISHED)
            .order_by(AudioSpot.profile_id, AudioSpot.language, AudioSpot.id)
        )
        for spot in rows:
            out[spot.profile_id].append(_view(spot))
    return out


def published_counts_by_language(engine: Engine, campaign_id: int) -> dict[str, int]:
    with db.session(engine) as s:
        rows = s.exec(
            select(AudioSpot.language, func.count())
            .where(AudioSpot.campaign_id == campaign_id, AudioSpot.status == PUBLISHED)
            .group_by(AudioSpot.language)
        )
        return dict(rows.all())
