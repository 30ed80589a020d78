"""Managing audio spots: upload (validated, probed, rendered, stored), text edits, publication.

Every change is one unit of work with its audit event. A refused upload leaves nothing: no row,
no file (files move into place inside the unit of work, so a failed move rolls the row back).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from audio_spots import probe, rendition, storage
from audio_spots.catalogue import NO_SPOT, PUBLISHED
from audio_spots.models import AudioSpot
from campaign import audit, db, text
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from campaign.text import whole
from profiles import directory
from profiles.directory import ProfileRef

DRAFT = "draft"
TITLE_MIN, TITLE_MAX, TRANSCRIPT_MAX = 3, 200, 20_000


def _title(raw: str, errors: dict[str, str]) -> str:
    title = text.one_line(raw)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = N_("Between 3 and 200 characters.")
    return title


def _transcript(raw: str, errors: dict[str, str]) -> str:
    transcript = text.paragraphs(raw)
    if len(transcript) > TRANSCRIPT_MAX:
        errors["transcript"] = N_("At most 20,000 characters.")
    return transcript


@dataclass(frozen=True)
class SpotTextIn:
    title: str = ""
    transcript: str = ""

    def parse(self) -> dict:
        errors: dict[str, str] = {}
        values = {
            "title": _title(self.title, errors),
            "transcript": _transcript(self.transcript, errors),
        }
        if errors:
            raise Invalid(errors)
        return values


@dataclass(frozen=True)
class SpotIn:
    """The upload form's text fields as typed; ``parse`` validates them for the table."""

    profile_id: str = ""
    language: str = ""
    title: str = ""
    transcript: str = ""

    def parse(self, languages: list[str], profile_ids: set[int]) -> dict:
        errors: dict[str, str] = {}
        raw_profile = self.profile_id.strip()
        profile_id = whole(raw_profile, 1, 10**9, 0)
        if profile_id not in profile_ids:
            errors["profile_id"] = N_("Choose a finalist.")
        if self.language not in languages:
            errors["language"] = N_("Choose one of the campaign's languages.")
        title = _title(self.title, errors)
        transcript = _transcript(self.transcript, errors)
        if errors:
            raise Invalid(errors)
        return {
            "profile_id": profile_id,
            "language": self.language,
            "title": title,
            "transcript": transcript,
        }


def _campaign(engine: Engine, campaign_id: int) -> Campaign:
    with db.session(engine) as s:
        campaign = s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    return campaign


def _checked(engine: Engine, campaign_id: int, form: SpotIn, upload) -> dict:
    """The form's values, or Invalid with every field's problem at once (the file's included)."""
    campaign = _campaign(engine, campaign_id)
    profiles = {p.id for p in directory.choices(engine, campaign_id)}
    try:
        values = form.parse([lang["code"] for lang in campaign.languages], profiles)
    except Invalid as exc:
        errors = exc.errors
    else:
        errors = {}
    if upload is None:
        errors["file"] = N_("Choose an audio file.")
    if errors:
        raise Invalid(errors)
    return values


def create_spot(
    engine: Engine,
    media_dir: Path,
    actor_id: int,
    campaign_id: int,
    form: SpotIn,
    upload: storage.Pending | None,
    filename: str = "",
) -> AudioSpot:
    """A draft spot from a received upload; Invalid or AudioRefused and nothing kept otherwise.
    The upload's temporary file is consumed either way."""
    light = None
    try:
        values = _checked(engine, campaign_id, form, upload)
        probed = probe.probe(upload.path, upload.size)
        light = rendition.make_light(upload.path, probed, media_dir)
        with db.session(engine) as s, s.begin():
            spot = AudioSpot(
                campaign_id=campaign_id,
                **values,
                status=DRAFT,
                original_hash=upload.hash,
                original_format=probed.format,
                original_bytes=upload.size,
                duration_s=probed.duration_s,
                bitrate=probed.bitrate,
                light_hash=light.hash,
                light_bytes=light.size,
            )
            s.add(spot)
            s.flush()
            audit.record(
                s,
                actor_id,
                "spot.create",
                "audiospot",
                spot.id,
                profile_id=spot.profile_id,
                language=spot.language,
                title=spot.title,
                format=probed.format,
                bytes=upload.size,
                sha256=upload.hash,
                filename=filename[:200],
            )
            upload.keep(media_dir, probed.format)
            light.keep(media_dir, "ogg")
    finally:
        if upload is not None:
            upload.discard()
        if light is not None:
            light.discard()
    return spot


def _spot(s: Session, spot_id: int) -> AudioSpot:
    spot = s.get(AudioSpot, spot_id)
    if spot is None:
        raise NotFound(NO_SPOT)
    return spot


def update_text(engine: Engine, actor_id: int, spot_id: int, form: SpotTextIn) -> AudioSpot:
    values = form.parse()
    with db.session(engine) as s, s.begin():
        spot = _spot(s, spot_id)
        before = {"title": spot.title, "transcript": spot.transcript}
        changed = [k for k, v in values.items() if before[k] != v]
        for name in changed:
            setattr(spot, name, values[name])
        if changed:
            audit.record(s, actor_id, "spot.edit", "audiospot", spot.id, fields=changed)
    return spot


def set_published(engine: Engine, actor_id: int, spot_id: int, published: bool) -> AudioSpot:
    """Publish (a transcript is required: deaf visitors read it) or take back to draft."""
    with db.session(engine) as s, s.begin():
        spot = _spot(s, spot_id)
        if published and not spot.transcript:
            raise Invalid({"transcript": N_("Add the transcript before publishing.")})
        if (spot.status == PUBLISHED) == published:
            return spot
        spot.status = PUBLISHED if published else DRAFT
        spot.published_at = db.utcnow() if published else None
        action = "spot.publish" if published else "spot.unpublish"
        audit.record(s, actor_id, action, "audiospot", spot.id)
    return spot


@dataclass(frozen=True)
class ProfileSpots:
    profile: ProfileRef
    spots: list[AudioSpot]


@dataclass(frozen=True)
class SpotDetail:
    spot: AudioSpot
    profile: ProfileRef
    language_name: str


def manager_list(engine: Engine, campaign_id: int) -> list[ProfileSpots]:
    """Every spot of the campaign, drafts included, grouped by profile (by name)."""
    with db.session(engine) as s:
        rows = list(
            s.exec(
                select(AudioSpot)
                .where(AudioSpot.campaign_id == campaign_id)
                .order_by(AudioSpot.language, AudioSpot.id)
            )
        )
    by_profile: dict[int, list[AudioSpot]] = defaultdict(list)
    for spot in rows:
        by_profile[spot.profile_id].append(spot)
    profiles = directory.by_ids(engine, sorted(by_profile))
    ordered = sorted(profiles.values(), key=lambda p: (p.name, p.id))
    return [ProfileSpots(p, by_profile[p.id]) for p in ordered]


def detail(engine: Engine, spot_id: int) -> SpotDetail:
    with db.session(engine) as s:
        spot = _spot(s, spot_id)
        campaign = s.get(Campaign, spot.campaign_id)
    profile = directory.by_ids(engine, [spot.profile_id])[spot.profile_id]
    names = {lang["code"]: lang["name"] for lang in campaign.languages}
    return SpotDetail(spot, profile, names.get(spot.language, spot.language))
