"""Demo nominations: about 4,000 nominations of about 1,300 people across the regions and
channels (Mali 2020: 3,893 nominations, most on paper through volunteers), so that every page is
tried at real size. Names, posts and institutions vary the way real nominators write them."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db
from campaign.models import Campaign, Role, User
from campaign.phases import Phase
from nominations import demo_people, grouping, intake
from nominations.models import Channel, Gender, Nomination, Status

PEOPLE = 1150
DEFAULTS = {
    "nominee_id": None,
    "pinned": False,
    "submission_key": None,
    "status_reason": "",
    "nominee_town": "",
    "nominee_phone": "",
    "nominator_email": "",
    "region_key": "",
    "name_words": "",
}
VOLUNTEERS = [
    ("volunteer@demo.integrity-icon.org", "Mariam Sanogo"),
    ("ousmane.keita@demo.integrity-icon.org", "Ousmane Keïta"),
    ("kadiatou.toure@demo.integrity-icon.org", "Kadiatou Touré"),
    ("sekou.dembele@demo.integrity-icon.org", "Sékou Dembélé"),
    ("hawa.cisse@demo.integrity-icon.org", "Hawa Cissé"),
]
STORIES = [
    "{name} a refusé l'argent qu'un commerçant lui tendait pour accélérer un dossier, et a traité "
    "la demande dans l'ordre, comme celle de tout le monde. Toute la ville le sait.",
    "Quand des médicaments ont disparu du stock, {name} a tenu un registre public et les ruptures "
    "ont cessé. Les patients paient désormais le prix affiché, sans supplément.",
    "{name} arrive la première et part la dernière. Elle a affiché les tarifs officiels à l'entrée "
    "du service pour que personne ne paie plus qu'il ne doit.",
    "Malgré les pressions, {name} a signalé un marché truqué à sa hiérarchie. Le marché a été "
    "annulé et relancé de façon transparente.",
    "{name} aide les usagers qui ne savent pas lire à remplir leurs formulaires, gratuitement, et "
    "explique chaque étape en bambara.",
]
RELATIONS = ["Usager du service", "Collègue", "Voisin", "Parent d'élève", "Patient", "Commerçant"]
FIRST = ["Adama", "Fanta", "Moussa", "Aminata", "Bakary", "Oumou", "Drissa", "Salimata"]
FAMILY = ["Traoré", "Coulibaly", "Diarra", "Keïta", "Koné", "Sangaré", "Diallo", "Sidibé"]


def _phone(rng: random.Random) -> str:
    return f"+223{rng.choice('679')}{rng.randrange(1000000, 9999999)}"


def _volunteers(engine: Engine) -> list[int]:
    ids = []
    with db.session(engine) as s, s.begin():
        for email, name in VOLUNTEERS:
            user = s.exec(select(User).where(User.email == email)).first()
            if user is None:
                # Volunteers sign in through invitations; these demo accounts have no password.
                user = User(email=email, name=name, role=Role.volunteer)
                s.add(user)
                s.flush()
            ids.append(user.id)
    return ids


def seed(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    volunteer_ids = _volunteers(engine)
    population = demo_people.people(rng, PEOPLE)
    span = (campaign.nominations_end - campaign.nominations_start).total_seconds()
    now = db.utcnow()
    serials: dict[int, int] = {}
    rows = []
    for person in population:
        for _ in range(demo_people.nomination_count(rng)):
            name = demo_people.render_name(rng, person)
            created = campaign.nominations_start + timedelta(seconds=rng.random() * span)
            channel = rng.choices([Channel.paper, Channel.web, Channel.sms], [78, 17, 5])[0]
            volunteer = rng.choice(volunteer_ids) if channel == Channel.paper else None
            serial = None
            if volunteer is not None:
                serials[volunteer] = serials.get(volunteer, 0) + 1
                serial = f"ML-{volunteer:02d}-{serials[volunteer]:05d}"
            nominator = f"{rng.choice(FIRST)} {rng.choice(FAMILY)}"
            rows.append(
                dict(
                    campaign_id=campaign.id,
                    tracking_code=intake.new_tracking_code(),
                    channel=channel,
                    status=_status(rng, phase, channel),
                    nominee_name=name,
                    nominee_gender=Gender.female if person["gender"] == "F" else Gender.male,
                    nominee_position=demo_people.render_position(rng, person),
                    nominee_institution=demo_people.render_institution(rng, person),
                    nominee_region=str(person["region"]),
                    story=rng.choice(STORIES).format(name=name)
                    if channel != Channel.sms
                    else f"NOM {name}, {person.get('role', '')}",
                    referees=[
                        {
                            "name": f"{rng.choice(FIRST)} {rng.choice(FAMILY)}",
                            "phone": _phone(rng),
                            "email": "",
                        }
                        for _ in range(2)
                    ],
                    nominator_name=nominator if channel != Channel.sms else "",
                    nominator_phone=_phone(rng),
                    nominator_relation=rng.choice(RELATIONS) if channel != Channel.sms else "",
                    eligibility={"serving": "yes", "elected": "no"},
                    consent=True,
                    volunteer_id=volunteer,
                    paper_serial=serial,
                    created_at=min(created, now),
                    **DEFAULTS,
                )
            )
    # Core inserts: building 4,000 ORM objects would cost more than grouping them.
    with db.session(engine) as s, s.begin():
        s.execute(insert(Nomination), rows)
    grouping.regroup(engine, campaign.id)


def _status(rng: random.Random, phase: Phase, channel: Channel) -> str:
    if channel == Channel.sms and rng.random() < 0.6:
        return Status.to_complete
    if phase == Phase.nominations:
        return rng.choices([Status.received, Status.eligible, Status.ineligible], [70, 25, 5])[0]
    return rng.choices([Status.eligible, Status.ineligible, Status.spam], [88, 10, 2])[0]
