"""Factories: real rows through real code paths, with defaults a test overrides by keyword."""

from __future__ import annotations

import functools
import itertools
from datetime import timedelta

from sqlmodel import select

from campaign import db, people
from campaign.demo import MALI_ELIGIBILITY, MALI_LANGUAGES, MALI_REGIONS
from campaign.models import Campaign, User

PASSWORD = "correct horse battery"
_SERIALS = itertools.count(1)


def phase_dates(phase: str) -> dict:
    """The calendar of an edition whose ``phase`` is open now (40 days each phase)."""
    offsets = {"nominations": 10, "review": 50, "voting": 90, "results": 130, "upcoming": -5}
    start = db.utcnow() - timedelta(days=offsets[phase])
    return dict(
        nominations_start=start,
        nominations_end=start + timedelta(days=40),
        review_start=start + timedelta(days=40),
        review_end=start + timedelta(days=80),
        voting_start=start + timedelta(days=80),
        voting_end=start + timedelta(days=120),
        results_at=start + timedelta(days=120),
    )


def move_to_phase(engine, campaign_id: int, phase: str) -> None:
    """Time passes: the edition's calendar now has ``phase`` open."""
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        for name, value in phase_dates(phase).items():
            setattr(campaign, name, value)


def make_campaign(engine, phase: str = "nominations", **overrides) -> Campaign:
    """A Mali campaign whose ``phase`` is open now."""
    now = db.utcnow()
    values = dict(
        country="ML",
        year=now.year,
        title=f"Integrity Icon Mali {now.year}",
        timezone="Africa/Bamako",
        regions=list(MALI_REGIONS),
        languages=list(MALI_LANGUAGES),
        eligibility=list(MALI_ELIGIBILITY),
        **phase_dates(phase),
    )
    values.update(overrides)
    values.setdefault("phone_country", values["country"])
    with db.session(engine) as s, s.begin():
        campaign = Campaign(**values)
        s.add(campaign)
    return campaign


@functools.cache
def _hash(password: str) -> str:
    # argon2 is slow on purpose; one hash per distinct test password is enough.
    return people.hash_password(password)


def make_user(
    engine, role: str = "manager", email: str | None = None, password: str | None = PASSWORD, **kw
) -> User:
    with db.session(engine) as s, s.begin():
        count = len(s.exec(select(User.id)).all())
        user = User(
            email=email or f"{role}{count + 1}@example.org",
            name=kw.pop("name", f"{role.title()} {count + 1}"),
            role=role,
            password_hash=_hash(password) if password else None,
            **kw,
        )
        s.add(user)
    return user


def nomination_form(**overrides) -> dict:
    """A complete, valid nomination form as a person would fill it in (web field names)."""
    form = {
        "nominee_name": "Aminata Goïta",
        "nominee_gender": "female",
        "nominee_position": "Sage-femme",
        "nominee_institution": "CSCOM de Kalaban Coro",
        "nominee_region": "Koulikoro",
        "nominee_town": "Kalaban Coro",
        "nominee_phone": "",
        "story": "Elle accueille chaque patiente sans rien demander en plus du tarif affiché, "
        "et elle a refusé un cadeau pour passer quelqu'un avant les autres.",
        "referee1_name": "Oumou Diarra",
        "referee1_phone": "76 11 22 33",
        "referee2_name": "Bakary Koné",
        "referee2_email": "bakary.kone@example.org",
        "nominator_name": "Fanta Traoré",
        "nominator_phone": "+223 66 12 34 56",
        "nominator_email": "",
        "nominator_relation": "Patiente",
        "eligibility_serving": "yes",
        "eligibility_elected": "no",
        "consent": "on",
    }
    form.update(overrides)
    return form


def make_nomination(engine, volunteer_id: int | None = None, **overrides):
    """A paper nomination entered by a volunteer (created if not given), grouped like any other."""
    from nominations import intake

    if volunteer_id is None:
        volunteer_id = make_user(engine, "volunteer").id
    serial = overrides.pop("paper_serial", None) or f"T-{next(_SERIALS):05d}"
    nomination, _created = intake.submit_paper(
        engine, volunteer_id, nomination_form(paper_serial=serial, **overrides)
    )
    return nomination
