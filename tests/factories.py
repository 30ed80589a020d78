"""Factories: real rows through real code paths, with defaults a test overrides by keyword."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from campaign import db, people
from campaign.demo import MALI_LANGUAGES, MALI_REGIONS
from campaign.models import Campaign, User

PASSWORD = "correct horse battery"


def make_campaign(engine, phase: str = "nominations", **overrides) -> Campaign:
    """A Mali campaign whose ``phase`` is open now."""
    now = db.utcnow()
    offsets = {"nominations": 10, "review": 50, "voting": 90, "results": 130, "upcoming": -5}
    start = now - timedelta(days=offsets[phase])
    values = dict(
        country="ML",
        year=now.year,
        title=f"Integrity Icon Mali {now.year}",
        timezone="Africa/Bamako",
        regions=list(MALI_REGIONS),
        languages=list(MALI_LANGUAGES),
        nominations_start=start,
        nominations_end=start + timedelta(days=40),
        review_start=start + timedelta(days=40),
        review_end=start + timedelta(days=80),
        voting_start=start + timedelta(days=80),
        voting_end=start + timedelta(days=120),
        results_at=start + timedelta(days=120),
    )
    values.update(overrides)
    with db.session(engine) as s, s.begin():
        campaign = Campaign(**values)
        s.add(campaign)
    return campaign


def make_user(
    engine, role: str = "manager", email: str | None = None, password: str | None = PASSWORD, **kw
) -> User:
    with db.session(engine) as s, s.begin():
        count = len(s.exec(select(User.id)).all())
        user = User(
            email=email or f"{role}{count + 1}@example.org",
            name=kw.pop("name", f"{role.title()} {count + 1}"),
            role=role,
            password_hash=people.hash_password(password) if password else None,
            **kw,
        )
        s.add(user)
    return user
