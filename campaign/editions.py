"""Editions: setting one up from a country's presets, and starting next year's from this year's.

One path for every edition: the first-run page, ``icon campaign new`` and ``icon demo`` all call
``create``, so a real install and the demo cannot drift apart. Each domain package carries its
own settings into the next edition through the ``icon.editions`` entry point group: a function
``carry_over(s, old, new)`` called inside the same transaction (it may refuse, and then nothing
changes).
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from importlib.metadata import entry_points
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaign import audit, campaigns, db, presets
from campaign.errors import Archived, Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign, StaffRole, User

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_INVALID = N_("Enter a year between 2000 and 2100.")
YEAR_TAKEN = N_("This country already has an edition for this year.")
YEAR_NOT_LATER = N_("The new edition must come after the current one.")
NOT_CURRENT = N_("Start the next edition from the current one.")
# The questions every edition starts with; managers edit them before nominations open.
STARTING_ELIGIBILITY = [
    {
        "key": "serving",
        "expected": True,
        "text": {
            "fr": "Cette personne est-elle un fonctionnaire ou agent public en activité\u202f?",
            "en": "Is this person a serving civil servant or public employee?",
        },
        "refusal": {
            "fr": "Integrity Icon distingue des agents publics en activité uniquement.",
            "en": "Integrity Icon honours serving public employees only.",
        },
    },
    {
        "key": "elected",
        "expected": False,
        "text": {
            "fr": "Cette personne est-elle un élu (député, maire, conseiller)\u202f?",
            "en": "Is this person an elected official (member of parliament, mayor, councillor)?",
        },
        "refusal": {
            "fr": "Les élus ne peuvent pas être nominés\u202f: la campagne distingue des agents.",
            "en": "Elected officials cannot be nominated: the campaign honours public servants.",
        },
    },
]
# Days from the opening of nominations to each phase: the Mali calendar, a starting point.
SPANS = {
    "nominations_end": 42,
    "review_start": 43,
    "review_end": 73,
    "voting_start": 80,
    "voting_end": 101,
    "results_at": 102,
}


def parse_year(raw: object) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Invalid({"year": YEAR_INVALID})
    return int(text)


def default_dates(year: int, tz: str, now: datetime | None = None) -> dict[str, datetime]:
    """Nominations open on 1 March of ``year`` (or at the next hour, if that has passed in the
    current year); the other phases follow. A past year lands in its results phase."""
    now = now or db.utcnow()
    start = datetime(year, 3, 1, 9, 0, tzinfo=ZoneInfo(tz))
    if start < now and start.year == now.year:
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    dates = {"nominations_start": start}
    dates |= {name: start + timedelta(days=days) for name, days in SPANS.items()}
    return dates


def _add(s: Session, campaign: Campaign) -> Campaign:
    """Insert; the unique (country, year) decides between two concurrent set-ups."""
    taken = s.exec(
        select(Campaign.id).where(
            Campaign.country == campaign.country, Campaign.year == campaign.year
        )
    ).first()
    if taken is not None:
        raise Invalid({"year": YEAR_TAKEN})
    try:
        s.add(campaign)
        s.flush()
    except IntegrityError as exc:  # the session's transaction rolls back with the exception
        raise Invalid({"year": YEAR_TAKEN}) from exc
    return campaign


def check_fields(
    country: str, year: object, title: str = "", reader: str | None = None
) -> tuple[presets.Preset, int, str]:
    """The preset, year and title of a new edition; Invalid naming every bad field."""
    errors: dict[str, str] = {}
    preset = None
    try:
        preset = presets.preset(country, reader)
    except Invalid as exc:
        errors |= exc.errors
    try:
        year = parse_year(year)
    except Invalid as exc:
        errors |= exc.errors
    title = " ".join((title or "").split())
    if title and not 3 <= len(title) <= 200:
        errors["title"] = N_("Between 3 and 200 characters.")
    if errors:
        raise Invalid(errors)
    return preset, year, title


def create_in(
    s: Session,
    actor_id: int | None,
    country: str,
    year: object,
    title: str = "",
    *,
    reader: str | None = None,
    dates: dict[str, datetime] | None = None,
    **overrides,
) -> Campaign:
    """A new edition from the country's presets (``overrides`` replace preset values)."""
    preset, year, title = check_fields(country, year, title, reader)
    values = {
        "country": preset.country,
        "phone_country": preset.phone_country,
        "year": year,
        # The campaign's name is English everywhere ("Integrity Icon Nepal"); managers edit it.
        "title": title or f"Integrity Icon {presets.country_name(preset.country)} {year}",
        "timezone": preset.timezone,
        "interface_languages": preset.interface_languages,
        "regions": preset.regions,
        "languages": preset.languages,
        "eligibility": copy.deepcopy(STARTING_ELIGIBILITY),
        **(dates or default_dates(year, preset.timezone)),
        **overrides,
    }
    campaign = _add(s, Campaign(**values))
    audit.record(
        s,
        actor_id,
        "edition.create",
        "campaign",
        campaign.id,
        country=campaign.country,
        year=campaign.year,
    )
    return campaign


def create(
    engine: Engine, actor_id: int | None, country: str, year: object, title: str = "", **kw
) -> Campaign:
    with db.session(engine) as s, s.begin():
        return create_in(s, actor_id, country, year, title, **kw)


def _shift(value: datetime, years: int) -> datetime:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def role_in(s: Session, campaign_id: int | None, user: User) -> str:
    """The user's role in an edition: its own row, else the account's role."""
    if campaign_id is not None:
        found = s.get(StaffRole, (campaign_id, user.id))
        if found is not None:
            return found.role
    return user.role


def start_next(
    engine: Engine, actor_id: int, from_id: int, year: object = None, title: str = ""
) -> Campaign:
    """Next year's edition from the current one: its settings, criteria and staff (each with
    their role), nothing of the public's. The earlier edition becomes read-only."""
    with db.session(engine) as s, s.begin():
        old = s.get(Campaign, from_id)
        if old is None:
            raise NotFound(N_("No such edition."))
        if old.archived_at is not None:
            raise Archived(old.year)
        if campaigns.current_in(s).id != old.id:
            raise Invalid({"year": NOT_CURRENT})
        year = old.year + 1 if year in (None, "") else parse_year(year)
        if year <= old.year:
            raise Invalid({"year": YEAR_NOT_LATER})
        title = " ".join((title or "").split()) or old.title.replace(str(old.year), str(year))
        if str(year) not in title:
            title = f"{title} {year}"
        new = Campaign(
            country=old.country,
            phone_country=old.phone_country,
            year=year,
            title=title[:200],
            timezone=old.timezone,
            interface_languages=list(old.interface_languages),
            regions=list(old.regions),
            languages=copy.deepcopy(old.languages),
            eligibility=copy.deepcopy(old.eligibility),
            sms_keywords=dict(old.sms_keywords),
            sms_number=old.sms_number,
            **{n: _shift(getattr(old, n), year - old.year) for n in campaigns.PHASE_FIELDS},
        )
        _add(s, new)
        for user in s.exec(select(User).where(User.active == True)):  # noqa: E712
            s.add(StaffRole(campaign_id=new.id, user_id=user.id, role=role_in(s, old.id, user)))
        for entry in sorted(entry_points(group="icon.editions"), key=lambda e: e.name):
            entry.load()(s, old, new)
        old.archived_at = db.utcnow()
        audit.record(
            s, actor_id, "edition.start_next", "campaign", new.id, previous=old.id, year=year
        )
    return new


def all_editions(engine: Engine) -> list[Campaign]:
    """Every edition, newest first."""
    with db.session(engine) as s:
        return list(s.exec(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())))


def edition(engine: Engine, campaign_id: int) -> Campaign:
    with db.session(engine) as s:
        found = s.get(Campaign, campaign_id)
    if found is None:
        raise NotFound(N_("No such edition."))
    return found
