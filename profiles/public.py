"""What the public pages read: published profiles as finished records, one or two queries each.

A draft is never found here (a 404, as if it did not exist: a 403 would tell that it does),
except through ``preview``, which the managers' pages call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import campaigns, db
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from profiles import photos, slugs
from profiles.models import Profile, Status

NOT_FOUND = N_("No such profile.")


@dataclass(frozen=True)
class ProfileView:
    id: int
    slug: str
    year: int
    distinction: str
    name: str
    position: str
    institution: str
    region: str
    bio: str
    story: str
    video_url: str
    photo: str  # content hash, "" when there is none
    published: bool
    campaign_title: str = ""
    languages: dict[str, str] = field(default_factory=dict)  # the campaign's spot languages

    @property
    def url(self) -> str:
        return f"/finalists/{self.slug}"

    def photo_url(self, rendition: str) -> str:
        # The hash in the query makes a new photo a new URL: caches may keep each for a year.
        return f"{self.url}/photo-{rendition}.jpg?v={self.photo[:16]}"

    @property
    def bio_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.bio.split("\n") if p.strip()]

    @property
    def story_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.story.split("\n") if p.strip()]


@dataclass(frozen=True)
class Finalists:
    campaign: Campaign | None
    profiles: list[ProfileView]


def _view(p: Profile, c: Campaign | None = None) -> ProfileView:
    languages = {lang["code"]: lang["name"] for lang in c.languages} if c else {}
    return ProfileView(
        p.id,
        p.slug,
        p.year,
        p.distinction,
        p.name,
        p.position,
        p.institution,
        p.region,
        p.bio,
        p.story,
        p.video_url,
        p.photo,
        p.status == Status.published,
        c.title if c else "",
        languages,
    )


# "winner" sorts after "finalist": descending puts the winners first.
_ORDER = (col(Profile.distinction).desc(), Profile.name, Profile.id)


def finalists(engine: Engine, campaign: Campaign | None = None) -> Finalists:
    """An edition's published finalists and winner (the current one's when not given): one or
    two queries, however many."""
    with db.session(engine) as s:
        campaign = campaign or campaigns.current_in(s)
        if campaign is None:
            return Finalists(None, [])
        rows = s.exec(
            select(Profile)
            .where(
                Profile.campaign_id == campaign.id,
                Profile.year == campaign.year,
                Profile.status == Status.published,
            )
            .order_by(*_ORDER)
        )
        return Finalists(campaign, [_view(p) for p in rows])


def _one(engine: Engine, condition) -> ProfileView:
    with db.session(engine) as s:
        found = s.exec(
            select(Profile, Campaign)
            .join(Campaign, Campaign.id == Profile.campaign_id)
            .where(condition)
        ).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return _view(*found)


def by_slug(engine: Engine, slug: str) -> ProfileView:
    """A published profile; NotFound for a draft or an unknown slug alike."""
    if not slugs.is_slug(slug):  # no query for what cannot be a slug (PostgreSQL refuses NULs)
        raise NotFound(NOT_FOUND)
    view = _one(engine, Profile.slug == slug)
    if not view.published:
        raise NotFound(NOT_FOUND)
    return view


def preview(engine: Engine, profile_id: int) -> ProfileView:
    """Any profile, drafts included: for the managers' preview only."""
    return _one(engine, Profile.id == profile_id)


def hall_of_fame(engine: Engine) -> list[tuple[int, list[ProfileView]]]:
    """Every published profile of every edition by year, newest first, winners first."""
    with db.session(engine) as s:
        rows = s.exec(
            select(Profile)
            .where(Profile.status == Status.published)
            .order_by(col(Profile.year).desc(), *_ORDER)
        )
        views = [_view(p) for p in rows]
    return [(year, list(group)) for year, group in groupby(views, key=lambda v: v.year)]


def photo_file(media_dir: Path, view: ProfileView, rendition: str) -> Path:
    """The stored rendition of a profile's photo; NotFound without one or for a bad name."""
    if not view.photo or rendition not in photos.RENDITIONS:
        raise NotFound(NOT_FOUND)
    found = photos.path(media_dir, view.photo, rendition)
    if not found.is_file():
        raise NotFound(NOT_FOUND)
    return found
