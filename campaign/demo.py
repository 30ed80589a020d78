"""``icon demo``: a realistic Mali campaign as it stands at a chosen phase.

Each domain package can add its own demo data through the ``icon.demo`` entry point group: a
function ``seed(engine, campaign, phase, rng)`` called after the core is seeded, in the order of the
campaign (``DEMO_ORDER``: each builds on the one before), then any other in name order.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import entry_points

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import audit, db, editions, people, presets
from campaign.models import Campaign, Role, User
from campaign.phases import Phase

# The demo edition is set up by the same service as a real one (campaign/editions.py), from
# Mali's presets; only the spot languages keep the names the Mali team writes them with.
MALI_REGIONS = presets.preset("ML").regions
MALI_LANGUAGES = [
    {"code": "bm", "name": "Bamanankan"},
    {"code": "fr", "name": "Français"},
    {"code": "ses", "name": "Songhay"},
    {"code": "ff", "name": "Fulfulde"},
    {"code": "tmh", "name": "Tamasheq"},
    {"code": "snk", "name": "Soninke"},
]
MALI_ELIGIBILITY = editions.STARTING_ELIGIBILITY
# Seven jurors: with three readings per nominee (one blind), fewer leave readings unassigned.
DEMO_STAFF = [
    ("manager@demo.integrity-icon.org", "Fatoumata Coulibaly", Role.manager),
    ("juror1@demo.integrity-icon.org", "Boubacar Diallo", Role.juror),
    ("juror2@demo.integrity-icon.org", "Aïssata Maïga", Role.juror),
    ("juror3@demo.integrity-icon.org", "Mamadou Sissoko", Role.juror),
    ("juror4@demo.integrity-icon.org", "Nana Kadidia Bocoum", Role.juror),
    ("juror5@demo.integrity-icon.org", "Ibrahim Ag Mohamed", Role.juror),
    ("juror6@demo.integrity-icon.org", "Kadiatou Konaté", Role.juror),
    ("juror7@demo.integrity-icon.org", "Souleymane Dao", Role.juror),
    ("volunteer@demo.integrity-icon.org", "Mariam Sanogo", Role.volunteer),
]
PHASE_OFFSETS_DAYS = {
    # Days from "now" to the start of nominations, so that the asked phase is open today.
    Phase.nominations: -20,
    Phase.review: -50,
    Phase.voting: -95,
    Phase.results: -125,
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str


def phase_dates(phase: Phase) -> dict:
    today = db.utcnow().replace(hour=8, minute=0, second=0, microsecond=0)
    start = today + timedelta(days=PHASE_OFFSETS_DAYS[phase])
    return {
        "nominations_start": start,
        "nominations_end": start + timedelta(days=42),
        "review_start": start + timedelta(days=43),
        "review_end": start + timedelta(days=73),
        "voting_start": start + timedelta(days=80),
        "voting_end": start + timedelta(days=101),
        "results_at": start + timedelta(days=102),
    }


def _wipe(engine: Engine) -> None:
    # The whole schema, not only the tables imported so far: `icon demo --reset` had not
    # imported profiles, so the nominees went first and their profiles' keys failed.
    from campaign.tables import metadata

    with db.session(engine) as s, s.begin():
        for table in reversed(metadata.sorted_tables):
            s.exec(delete(table))


DEMO_ORDER = ("nominations", "shortlist", "voting", "publishing", "spots")


def _demo_order(entry) -> tuple[int, str]:
    known = entry.name in DEMO_ORDER
    return (DEMO_ORDER.index(entry.name) if known else len(DEMO_ORDER), entry.name)


def seed(engine: Engine, phase: Phase = Phase.nominations, reset: bool = False) -> list[DemoLogin]:
    """Seed (or, on an existing demo, move to ``phase`` and renew the staff passwords)."""
    if reset:
        _wipe(engine)
    rng = random.Random(2020)
    with db.session(engine) as s, s.begin():
        campaign = s.exec(select(Campaign).order_by(Campaign.id.desc())).first()
        fresh = campaign is None
        if fresh:
            year = db.utcnow().year
            campaign = editions.create_in(
                s, None, "ML", year, dates=phase_dates(phase), languages=MALI_LANGUAGES
            )
        else:
            for key, value in phase_dates(phase).items():
                setattr(campaign, key, value)
        logins = []
        for email, name, role in DEMO_STAFF:
            user = s.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = User(email=email, name=name, role=role)
                s.add(user)
            password = secrets.token_urlsafe(9)
            user.password_hash = people.hash_password(password)
            user.active = True
            logins.append(DemoLogin(email, role.value, password))
        s.flush()
        audit.record(s, None, "demo.seed", "campaign", campaign.id, phase=phase.value, reset=reset)
    # A fresh demo is seeded by every package; an existing one moved to another phase lets
    # them catch up (``icon.demo.move``: the jury's readings for a review, say).
    group = "icon.demo" if fresh else "icon.demo.move"
    for entry in sorted(entry_points(group=group), key=_demo_order):
        entry.load()(engine, campaign, phase, rng)
    return logins
