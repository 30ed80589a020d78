"""Managers make and edit profiles: from the campaign's finalists and winner, or by hand for a
past edition's hall of fame; then a photo, the bio and the story, and publication.

Who may get a profile is read from the shortlist and voting services, never their tables: the
jury's finalists, the seats of every closed round, and the winner (the one seat of the latest
closed round that had a single seat). Every change is audited; bad input raises Invalid and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign import audit, db
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign
from nominations import jury_view
from profiles import photos, slugs
from profiles.forms import PastIn, ProfileIn
from profiles.models import Distinction, Profile, Status
from shortlist import decisions
from voting import counting, round_changes, rounds

NO_PROFILE = N_("No such profile.")


@dataclass(frozen=True)
class Candidate:
    """A finalist or winner of the campaign, and their profile if one was made."""

    nominee_id: int
    name: str
    position: str
    institution: str
    region: str
    distinction: str
    profile_id: int | None


@dataclass(frozen=True)
class Reason:
    """One nomination's account of the person: the material a manager writes the story from."""

    nomination_id: int
    received_at: datetime
    channel: str
    relation: str
    story: str


@dataclass(frozen=True)
class Editing:
    profile: Profile
    timezone: str  # the campaign's: the dates of the nominations
    reasons: list[Reason]


def _distinctions(engine, campaign_id: int) -> dict[int, str]:
    """Nominee id -> winner or finalist, the winner first, then in the order they were picked."""
    found = {e.nominee_id: "finalist" for e in decisions.stages(engine, campaign_id)["finalist"]}
    winner = None
    for line in reversed(rounds.rounds(engine, campaign_id)):  # oldest round first
        if line.state != "closed":
            continue
        result = counting.results(engine, line.round.id, manager=True)
        seats = [row.nominee_id for row in result.rows if row.outcome == "seat"]
        found |= {i: "finalist" for i in seats if i not in found}
        if line.round.seats == 1 and len(seats) == 1:
            winner = seats[0]
    if winner is None:
        return found
    return {winner: Distinction.winner.value} | {i: d for i, d in found.items() if i != winner}


def candidates(engine, campaign_id: int) -> list[Candidate]:
    distinctions = _distinctions(engine, campaign_id)
    with db.session(engine) as s:
        people = jury_view.summaries(s, distinctions)
        made = dict(
            s.exec(
                select(Profile.nominee_id, Profile.id).where(
                    Profile.campaign_id == campaign_id, col(Profile.nominee_id).in_(distinctions)
                )
            ).all()
        )
    return [
        Candidate(
            i,
            people[i].name,
            people[i].position,
            people[i].institution,
            people[i].region,
            distinction,
            made.get(i),
        )
        for i, distinction in distinctions.items()
        if i in people
    ]


def profiles(engine, campaign_id: int) -> list[Profile]:
    """The campaign's profiles, drafts included: this year's first, winners first, by name."""
    with db.session(engine) as s:
        rows = s.exec(
            select(Profile)
            .where(Profile.campaign_id == campaign_id)
            # "winner" sorts after "finalist": descending puts the winners first.
            .order_by(col(Profile.year).desc(), col(Profile.distinction).desc(), Profile.name)
        )
        return list(rows)


def _slug(s: Session, name: str, year: int, own: str = "") -> str:
    base = slugs.make(name, year, set())
    taken = s.exec(select(Profile.slug).where(col(Profile.slug).startswith(base))).all()
    return slugs.make(name, year, set(taken) - {own})


def _add(s: Session, actor_id: int, profile: Profile, action: str) -> Profile:
    profile.slug = _slug(s, profile.name, profile.year)
    s.add(profile)
    try:
        s.flush()
    except IntegrityError:
        raise Invalid({"nominee_id": N_("This person already has a profile.")}) from None
    audit.record(
        s,
        actor_id,
        action,
        "profile",
        profile.id,
        slug=profile.slug,
        nominee=profile.nominee_id,
        year=profile.year,
    )
    return profile


def create_from_nominee(engine, actor_id: int, campaign_id: int, nominee_id: int) -> Profile:
    """A draft profile for a finalist or the winner, with the nominee's name, post and place."""
    chosen = next((c for c in candidates(engine, campaign_id) if c.nominee_id == nominee_id), None)
    if chosen is None:
        raise Invalid({"nominee_id": N_("This person is not a finalist of the campaign.")})
    if chosen.profile_id is not None:
        raise Invalid({"nominee_id": N_("This person already has a profile.")})
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        profile = Profile(
            campaign_id=campaign_id,
            nominee_id=nominee_id,
            slug="",
            year=campaign.year,
            distinction=chosen.distinction,
            name=chosen.name,
            position=chosen.position,
            institution=chosen.institution,
            region=chosen.region,
        )
        return _add(s, actor_id, profile, "profile.create")


def add_past(engine, actor_id: int, campaign_id: int, form: PastIn) -> Profile:
    """A hall-of-fame profile of an edition the site did not run: no nominee behind it."""
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        values = form.parse(campaign.year)
        profile = Profile(campaign_id=campaign_id, slug="", **values)
        return _add(s, actor_id, profile, "profile.add_past")


def _profile(s: Session, profile_id: int) -> Profile:
    profile = s.get(Profile, profile_id)
    if profile is None:
        raise NotFound(NO_PROFILE)
    return profile


def editing(engine, profile_id: int) -> Editing:
    """The profile, and its nominee's nominations (spam left out) to draw the story from."""
    with db.session(engine) as s:
        profile = _profile(s, profile_id)
        timezone = s.get(Campaign, profile.campaign_id).timezone
        # Not blind: the nominator's relation ("a patient") tells the story; no contact is kept.
        dossier = (
            jury_view.dossier(s, profile.nominee_id, blind=False) if profile.nominee_id else []
        )
    reasons = [
        Reason(n.id, n.received_at, n.channel, n.nominator_relation, n.story)
        for n in dossier
        if n.story.strip()
    ]
    return Editing(profile, timezone, reasons)


def update(engine, actor_id: int, profile_id: int, form: ProfileIn) -> Profile:
    """New shown fields. Until its first publication the slug follows the name (nominators'
    spellings are often corrected here); once published it stays, so shared links keep working."""
    values = form.parse()
    with db.session(engine) as s, s.begin():
        profile = _profile(s, profile_id)
        changed = {k: v for k, v in values.items() if getattr(profile, k) != v}
        if changed:
            for key, value in changed.items():
                setattr(profile, key, value)
            moved = {}
            if "name" in changed and profile.published_at is None:
                profile.slug = _slug(s, profile.name, profile.year, own=profile.slug)
                moved = {"slug": profile.slug}
            if "name" in changed and profile.nominee_id is not None:
                # The ballot prints the name as corrected here, not the nominators' spelling.
                round_changes.correct_names(s, {profile.nominee_id: profile.name})
            profile.updated_at = db.utcnow()
            audit.record(
                s,
                actor_id,
                "profile.update",
                "profile",
                profile.id,
                fields=sorted(changed),
                **moved,
            )
        return profile


def set_photo(
    engine, actor_id: int, profile_id: int, media_dir: Path, upload: IO[bytes]
) -> Profile:
    """Check and store a new photo; Invalid (nothing written, nothing changed) for a bad one."""
    with db.session(engine) as s:
        _profile(s, profile_id)  # a missing profile is a 404 before any work on the file
    photo = photos.store(upload, media_dir)
    with db.session(engine) as s, s.begin():
        profile = _profile(s, profile_id)
        before, profile.photo, profile.updated_at = profile.photo, photo, db.utcnow()
        audit.record(
            s, actor_id, "profile.photo", "profile", profile.id, before=before, after=photo
        )
        return profile


def set_status(engine, actor_id: int, profile_id: int, status: str) -> Profile:
    """Publish or unpublish; the same status again changes nothing."""
    if status not in set(Status):
        raise Invalid({"status": N_("Choose published or draft.")})
    with db.session(engine) as s, s.begin():
        profile = _profile(s, profile_id)
        if profile.status != status:
            profile.status = status
            if status == Status.published:
                profile.published_at = db.utcnow()
            action = "profile.publish" if status == Status.published else "profile.unpublish"
            audit.record(s, actor_id, action, "profile", profile.id, slug=profile.slug)
        return profile
