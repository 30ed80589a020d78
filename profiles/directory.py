"""What other packages may read about profiles (audio spots, the feed, the figures): small finished
records, never the table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db
from profiles.models import Profile, Status


@dataclass(frozen=True)
class ProfileRef:
    id: int
    campaign_id: int
    slug: str
    name: str
    year: int
    published: bool

    @property
    def url(self) -> str:
        return f"/finalists/{self.slug}"


def _ref(p: Profile) -> ProfileRef:
    return ProfileRef(p.id, p.campaign_id, p.slug, p.name, p.year, p.status == Status.published)


def choices(engine: Engine, campaign_id: int) -> list[ProfileRef]:
    """The campaign's profiles, drafts included, by name: what a manager may attach spots to."""
    with db.session(engine) as s:
        rows = s.exec(
            select(Profile).where(Profile.campaign_id == campaign_id).order_by(Profile.name)
        )
        return [_ref(p) for p in rows]


def by_ids(engine: Engine, ids: list[int]) -> dict[int, ProfileRef]:
    if not ids:
        return {}
    with db.session(engine) as s:
        return {p.id: _ref(p) for p in s.exec(select(Profile).where(Profile.id.in_(ids)))}


def published_by_nominee(
    engine: Engine, campaign_id: int, nominee_ids: list[int]
) -> dict[int, ProfileRef]:
    """The published profiles of these nominees in this campaign, by nominee id: the results
    link to them and show the name as the campaign publishes it."""
    if not nominee_ids:
        return {}
    query = select(Profile).where(
        Profile.campaign_id == campaign_id,
        Profile.nominee_id.in_(nominee_ids),
        Profile.status == Status.published,
    )
    with db.session(engine) as s:
        return {p.nominee_id: _ref(p) for p in s.exec(query)}


def names_by_nominee(engine: Engine, campaign_id: int) -> dict[int, str]:
    """Nominee id -> the profile's name (drafts included: a manager corrected it there), for
    the ballot of a new round."""
    query = select(Profile.nominee_id, Profile.name).where(
        Profile.campaign_id == campaign_id, Profile.nominee_id.is_not(None)
    )
    with db.session(engine) as s:
        return dict(s.exec(query).all())
