"""The campaign edition: reading the current one and changing its settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from campaign import audit, db, phases, presets
from campaign.errors import Archived, Invalid, NotFound, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign

PHASE_FIELDS = (
    "nominations_start",
    "nominations_end",
    "review_start",
    "review_end",
    "voting_start",
    "voting_end",
    "results_at",
)
MAX_REGIONS, MAX_LANGUAGES = 100, 40
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def current_in(s: Session) -> Campaign | None:
    """The edition the site runs now: the latest one."""
    return s.exec(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).first()


def current(engine: Engine) -> Campaign | None:
    with db.session(engine) as s:
        return current_in(s)


def require_current(engine: Engine) -> Campaign:
    campaign = current(engine)
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    return campaign


def ensure_editable(campaign: Campaign) -> None:
    """Refuse any change to an archived edition (a later one has started)."""
    if campaign.archived_at is not None:
        raise Archived(campaign.year)


def local_input(value: datetime, tz: str) -> str:
    """A UTC instant as the ``datetime-local`` value a manager sees, in the campaign's zone."""
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class CampaignSettingsIn:
    """The settings form as typed; ``parse`` validates it into values for the table. A field
    left as None is not on the form and keeps its value."""

    title: str
    phase_dates: dict[str, str]
    regions: str
    languages: str
    country: str | None = None
    phone_country: str | None = None
    timezone: str | None = None
    interface_languages: str | None = None

    def parse(self, tz: str) -> dict:
        errors: dict[str, str] = {}
        place = self._place(errors)
        tz = place.get("timezone", tz)
        title = self.title.strip()
        if not 3 <= len(title) <= 200:
            errors["title"] = N_("Between 3 and 200 characters.")
        dates = {}
        for name in PHASE_FIELDS:
            raw = self.phase_dates.get(name, "").strip()
            try:
                dates[name] = datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(tz))
            except ValueError:
                errors[name] = N_("Enter a date and time.")
        if len(dates) == len(PHASE_FIELDS):
            for name in phases.order_errors(SimpleNamespace(**dates)):
                errors[name] = N_("This date must come after the one before it.")
        regions = _lines(self.regions)
        if not regions or len(regions) > MAX_REGIONS or any(len(r) > 100 for r in regions):
            errors["regions"] = N_("One region per line (at most 100, each under 100 characters).")
        elif len({r.casefold() for r in regions}) != len(regions):
            errors["regions"] = N_("A region is listed twice.")
        languages = []
        for line in _lines(self.languages):
            code, _, name = line.partition(" ")
            if not LANGUAGE_CODE.match(code) or not name.strip() or len(name) > 60:
                errors["languages"] = N_("One language per line: its code, a space, then its name.")
                break
            languages.append({"code": code, "name": name.strip()})
        if not languages or len(languages) > MAX_LANGUAGES:
            errors.setdefault("languages", N_("List at least one language."))
        if errors:
            raise Invalid(errors)
        return {"title": title, "regions": regions, "languages": languages, **dates, **place}

    def _place(self, errors: dict[str, str]) -> dict:
        """Country, phone country, time zone and interface languages, those on the form."""
        values: dict = {}
        if self.country is not None:
            try:
                values["country"] = presets.country_code(self.country)
            except Invalid as exc:
                errors |= exc.errors
        if self.phone_country is not None:
            code = self.phone_country.strip().upper()
            if presets.valid_phone_country(code):
                values["phone_country"] = code
            else:
                errors["phone_country"] = N_("Unknown country code for phone numbers.")
        if self.timezone is not None:
            if presets.valid_timezone(self.timezone.strip()):
                values["timezone"] = self.timezone.strip()
            else:
                errors["timezone"] = N_("This time zone does not exist (e.g. Asia/Kathmandu).")
        if self.interface_languages is not None:
            codes = list(dict.fromkeys(self.interface_languages.replace(",", " ").split()))
            if (
                not codes
                or len(codes) > MAX_LANGUAGES
                or not all(LANGUAGE_CODE.match(c) for c in codes)
            ):
                errors["interface_languages"] = N_(
                    "List the interface languages by code (fr, en, ur...), the default first."
                )
            else:
                values["interface_languages"] = codes
        return values


# Where the campaign is and its clock: fixed once the public has started to take part.
PLACE_FIELDS = ("country", "phone_country", "timezone")


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def update_settings(
    engine: Engine, actor_id: int, campaign_id: int, form: CampaignSettingsIn
) -> Campaign:
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        ensure_editable(campaign)
        values = form.parse(campaign.timezone)
        if db.utcnow() >= campaign.nominations_start:
            fixed = {
                k: N_("Fixed once nominations have opened.")
                for k in PLACE_FIELDS
                if k in values and values[k] != getattr(campaign, k)
            }
            if fixed:
                raise Invalid(fixed)
        if (
            values.get("country", campaign.country) != campaign.country
            and s.exec(
                select(Campaign.id).where(
                    Campaign.country == values["country"], Campaign.year == campaign.year
                )
            ).first()
        ):
            raise Invalid({"country": N_("This country already has an edition for this year.")})
        changed = {}
        for key, value in values.items():
            if getattr(campaign, key) != value:
                old = getattr(campaign, key)
                changed[key] = [_jsonable(old), _jsonable(value)]
                setattr(campaign, key, value)
        if changed:
            audit.record(s, actor_id, "campaign.update", "campaign", campaign.id, changed=changed)
    return campaign


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


ELIGIBILITY_KEY = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
MAX_QUESTIONS = 8


def parse_eligibility(rows: list[dict]) -> list[dict]:
    """The eligibility questions as managers typed them (blank rows dropped), validated."""
    questions, errors, seen = [], {}, set()
    for i, row in enumerate(rows):
        texts = {
            k: " ".join(str(row.get(k, "")).split())
            for k in ("key", "text_fr", "text_en", "refusal_fr", "refusal_en")
        }
        if not any(texts.values()):
            continue
        key = texts["key"].lower()
        if not ELIGIBILITY_KEY.match(key) or key in seen:
            errors[f"key_{i}"] = N_("A short unique code: lowercase letters, digits and _.")
        seen.add(key)
        for name in ("text_fr", "refusal_fr"):
            if not 3 <= len(texts[name]) <= 300:
                errors[f"{name}_{i}"] = N_("Between 3 and 300 characters.")
        for name in ("text_en", "refusal_en"):
            if len(texts[name]) > 300:
                errors[f"{name}_{i}"] = N_("Between 3 and 300 characters.")
        expected = str(row.get("expected", ""))
        if expected not in ("yes", "no"):
            errors[f"expected_{i}"] = N_("Choose the answer that makes a person eligible.")
        questions.append(
            {
                "key": key,
                "expected": expected == "yes",
                "text": {"fr": texts["text_fr"], "en": texts["text_en"]},
                "refusal": {"fr": texts["refusal_fr"], "en": texts["refusal_en"]},
            }
        )
    if len(questions) > MAX_QUESTIONS:
        errors["eligibility"] = N_("At most 8 questions.")
    if errors:
        raise Invalid(errors)
    return questions


def update_eligibility(
    engine: Engine, actor_id: int, campaign_id: int, rows: list[dict]
) -> Campaign:
    """Change the eligibility questions; only before nominations open, so that every
    nomination of a campaign answered the same questions."""
    questions = parse_eligibility(rows)
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        ensure_editable(campaign)
        if db.utcnow() >= campaign.nominations_start:
            raise PhaseClosed(
                N_("Eligibility questions cannot change once nominations have opened.")
            )
        old = campaign.eligibility
        campaign.eligibility = questions
        audit.record(
            s,
            actor_id,
            "campaign.eligibility",
            "campaign",
            campaign.id,
            before=old,
            after=questions,
        )
    return campaign


def showing(engine: Engine, raw_year: str | None) -> tuple[Campaign | None, list[int]]:
    """The edition a public page shows (the current one, or an earlier one of its country by
    ``?year=``) and the years of all of them, newest first, for the links between them.
    NotFound for a year without an edition. Two queries (three for an earlier year)."""
    with db.session(engine) as s:
        current = current_in(s)
        if current is None:
            return None, []
        query = select(Campaign.year).where(Campaign.country == current.country)
        years = list(s.exec(query.order_by(Campaign.year.desc())))
        if not raw_year or raw_year == str(current.year):
            return current, years
        if not (raw_year.isdigit() and int(raw_year) in years):
            raise NotFound(N_("There is no edition for that year."))
        found = s.exec(
            select(Campaign).where(
                Campaign.country == current.country, Campaign.year == int(raw_year)
            )
        ).one()
    return found, years
