"""What the public pages, the feed and the figures read about spots: finished data, one query each.

Only published spots of published profiles ever leave this module; the media URLs name the spot, so
the server can refuse a draft's file with a 404 before it reads a byte.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from audio_spots import storage
from audio_spots.models import AudioSpot
from campaign import db
from campaign.errors import NotFound
from campaign.i18n import N_
from profiles import directory

PUBLISHED = "published"
LIGHT_MIME = "audio/ogg"
ORIGINAL_MIME = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "m4a": "audio/mp4", "wav": "audio/wav"}
NO_SPOT = N_("No such audio spot.")


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
    """Published spots of published profiles, per language (the public figures)."""
    spots, _profiles = newest_published(engine, campaign_id)
    return dict(Counter(spot.language for spot in spots))


def newest_published(
    engine: Engine, campaign_id: int, language: str | None = None
) -> tuple[list[SpotView], dict[int, directory.ProfileRef]]:
    """The campaign's published spots of published profiles, newest first (the feed's order),
    with those profiles by id."""
    query = select(AudioSpot).where(
        AudioSpot.campaign_id == campaign_id, AudioSpot.status == PUBLISHED
    )
    if language:
        query = query.where(AudioSpot.language == language)
    with db.session(engine) as s:
        rows = s.exec(query.order_by(AudioSpot.published_at.desc(), AudioSpot.id.desc()))
        spots = [_view(spot) for spot in rows]
    profiles = directory.by_ids(engine, sorted({spot.profile_id for spot in spots}))
    profiles = {i: p for i, p in profiles.items() if p.published}
    return [spot for spot in spots if spot.profile_id in profiles], profiles


@dataclass(frozen=True)
class MediaFile:
    """One spot file to serve: its path, validator and headers' values."""

    path: Path
    etag: str  # the content hash, quoted: a strong validator
    size: int
    mime: str
    download_name: str  # for the original: what a radio partner's browser saves it as


def download_name(title: str, spot_id: int, ext: str) -> str:
    """The spot title as a safe ASCII file name: no path parts, no quotes, nothing odd."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80].strip("-").lower()
    return f"{stem or 'spot'}-{spot_id}.{ext}"


def media_file(
    engine: Engine, media_dir: Path, spot_id: int, kind: str, ext: str, *, drafts: bool = False
) -> MediaFile:
    """The light or original file of a spot; NotFound unless the spot and its profile are
    published (``drafts``: a manager listening before publishing) and ``ext`` is its own."""
    with db.session(engine) as s:
        spot = s.get(AudioSpot, spot_id)
    if spot is None or (not drafts and spot.status != PUBLISHED):
        raise NotFound(NO_SPOT)
    if not drafts:
        profile = directory.by_ids(engine, [spot.profile_id]).get(spot.profile_id)
        if profile is None or not profile.published:
            raise NotFound(NO_SPOT)
    if kind == "light" and ext == "ogg" and spot.light_hash:
        digest, size, mime = spot.light_hash, spot.light_bytes, LIGHT_MIME
    elif kind == "original" and ext == spot.original_format:
        digest, size, mime = spot.original_hash, spot.original_bytes, ORIGINAL_MIME[ext]
    else:
        raise NotFound(NO_SPOT)
    path = storage.path_for(media_dir, digest, ext)
    return MediaFile(path, f'"{digest}"', size, mime, download_name(spot.title, spot.id, ext))
