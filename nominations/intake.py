"""Nomination intake: one validation for every channel (web form, paper entry, CSV import),
tracking codes, and the limits that stop floods."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from campaign import audit, campaigns, db, phases, phones, ratelimit
from campaign.errors import Invalid, PhaseClosed
from campaign.i18n import N_
from campaign.models import Campaign
from campaign.text import CONTROL, clean, clean_form
from nominations import grouping
from nominations.models import Channel, Gender, Nomination

# Letters and digits nobody confuses on a phone screen or over the telephone (no 0/O, 1/I/L, 2/Z,
# 5/S, 8/B, Q): a code is read aloud to a volunteer and typed on a small keypad.
CODE_ALPHABET = "ACDEFGHJKMNPRTUVWXY34679"
CODE_LENGTH = 8
STORY_MIN, STORY_MAX = 80, 4000
MAX_REFEREES = 3
ADDRESS_LIMIT, ADDRESS_WINDOW = 30, timedelta(hours=1)  # a cybercafe's busy hour
PHONE_LIMIT, PHONE_WINDOW = 5, timedelta(days=1)


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def clean_code(raw: str) -> str:
    """What a person typed (``k7qm 4xpa``, ``K7QM-4XPA``) -> the stored form, or "" if it
    cannot be one of ours."""
    code = re.sub(r"[\s\-.]", "", (raw or "").upper())[:20]
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def _text(form: dict, name: str, errors: dict, *, low: int = 0, high: int = 200) -> str:
    value = CONTROL.sub("", " ".join(str(form.get(name, "") or "").split()))
    if low and not value:
        errors[name] = N_("This field is required.")
    elif len(value) > high:
        errors[name] = N_("This is too long.")
    elif value and len(value) < low:
        errors[name] = N_("This is too short.")
    return value


def _phone(form: dict, name: str, country: str, errors: dict) -> str:
    raw = str(form.get(name, "") or "").strip()
    if not raw:
        return ""
    try:
        return phones.normalise(raw, country, name)
    except Invalid as exc:
        errors.update(exc.errors)
        return ""


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(form: dict, name: str, errors: dict) -> str:
    value = str(form.get(name, "") or "").strip().lower()
    if value and (len(value) > 254 or not EMAIL.match(value)):
        errors[name] = N_("Enter a valid email address.")
        return ""
    return value


@dataclass(frozen=True)
class NominationIn:
    """A nomination as typed on any channel, validated by ``parse`` into table values."""

    form: dict
    channel: Channel = Channel.web
    errors: dict = field(default_factory=dict)

    def parse(self, campaign: Campaign) -> dict:
        f, errors, country = self.form, {}, campaign.phone_country
        values = {
            "nominee_name": _text(f, "nominee_name", errors, low=2),
            "nominee_position": _text(f, "nominee_position", errors, low=2),
            "nominee_institution": _text(f, "nominee_institution", errors),
            "nominee_town": _text(f, "nominee_town", errors, high=100),
            "nominee_phone": _phone(f, "nominee_phone", country, errors),
            "story": _story(f, errors),
            "nominator_name": _text(f, "nominator_name", errors, low=2),
            "nominator_phone": _phone(f, "nominator_phone", country, errors),
            "nominator_email": _email(f, "nominator_email", errors),
            "nominator_relation": _text(f, "nominator_relation", errors, low=2),
        }
        name = values["nominee_name"]
        if name and not any(c.isalpha() for c in name):
            errors["nominee_name"] = N_("Write the person's name.")
        gender = str(f.get("nominee_gender", "") or "")
        if gender not in (Gender.female, Gender.male):
            if self.channel == Channel.web or gender not in ("", Gender.unknown):
                errors["nominee_gender"] = N_("Choose one.")
            gender = Gender.unknown
        values["nominee_gender"] = gender
        region = str(f.get("nominee_region", "") or "").strip()
        if region not in campaign.regions:
            errors["nominee_region"] = N_("Choose a region from the list.")
        values["nominee_region"] = region
        no_contact = not values["nominator_phone"] and not values["nominator_email"]
        if no_contact and "nominator_phone" not in errors and "nominator_email" not in errors:
            errors["nominator_phone"] = N_("Give a phone number or an email address.")
        values["referees"] = _referees(f, country, errors)
        values["eligibility"] = _eligibility(f, campaign, errors)
        values["consent"] = f.get("consent") in ("on", "yes", "1", "true", True)
        if not values["consent"]:
            errors["consent"] = N_("Consent is needed to record the nomination.")
        if errors:
            raise Invalid(errors)
        return values


def _story(form: dict, errors: dict) -> str:
    # Keep the nominator's paragraphs; only strip control characters and trailing space.
    story = CONTROL.sub("", str(form.get("story", "") or "")).strip()
    story = re.sub(r"\r\n?", "\n", story)
    if len(story) < STORY_MIN:
        errors["story"] = N_("Tell us a little more: at least 80 characters.")
    elif len(story) > STORY_MAX:
        errors["story"] = N_("At most 4,000 characters.")
    return story


def _referees(form: dict, country: str, errors: dict) -> list[dict]:
    referees = []
    for i in range(1, MAX_REFEREES + 1):
        name = _text(form, f"referee{i}_name", errors)
        phone = _phone(form, f"referee{i}_phone", country, errors)
        email = _email(form, f"referee{i}_email", errors)
        if not (name or phone or email):
            continue
        if not name:
            errors[f"referee{i}_name"] = N_("This field is required.")
        elif not (phone or email) and f"referee{i}_phone" not in errors:
            errors[f"referee{i}_phone"] = N_("Give a phone number or an email address.")
        referees.append({"name": name, "phone": phone, "email": email})
    if len(referees) < 2 and not any(k.startswith("referee") for k in errors):
        errors["referee2_name"] = N_("Give at least two referees.")
    return referees


def eligibility_problems(campaign: Campaign, answers: dict) -> dict[str, str]:
    """Question key -> why the answer makes the nominee ineligible (or that it is missing)."""
    problems = {}
    for question in campaign.eligibility:
        answer = answers.get(question["key"])
        if answer not in ("yes", "no"):
            problems[question["key"]] = "missing"
        elif (answer == "yes") != bool(question["expected"]):
            problems[question["key"]] = "ineligible"
    return problems


def _eligibility(form: dict, campaign: Campaign, errors: dict) -> dict:
    answers = {q["key"]: str(form.get(f"eligibility_{q['key']}", "")) for q in campaign.eligibility}
    for key, problem in eligibility_problems(campaign, answers).items():
        errors[f"eligibility_{key}"] = (
            N_("Answer this question.") if problem == "missing" else "ineligible"
        )
    return answers


def create(s: Session, campaign: Campaign, values: dict, **extra) -> Nomination:
    for _ in range(5):
        code = new_tracking_code()
        if s.exec(select(Nomination.id).where(Nomination.tracking_code == code)).first() is None:
            break
    nomination = Nomination(campaign_id=campaign.id, tracking_code=code, **values, **extra)
    s.add(nomination)
    s.flush()
    grouping.attach(s, nomination)
    return nomination


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    nominator_phone: str
    created: bool  # False when a replayed post found the nomination it had already made


def submit_web(
    engine: Engine, secret_key: str, form: dict, address: str, submission_key: str
) -> Receipt:
    """The public form. Raises Invalid, PhaseClosed or RateLimited; commits before returning."""
    form, submission_key = clean_form(form), clean(submission_key)
    with db.session(engine) as s, s.begin():
        campaign = _open_campaign(s)
        key = submission_key[:64] if submission_key else None
        if key:
            # Two identical posts at once (a double tap, two workers): the second waits for the
            # first's commit and then finds its nomination, instead of failing on the unique key.
            ratelimit.lock(s, f"nominate-form:{key}")
            done = s.exec(select(Nomination).where(Nomination.submission_key == key)).first()
            if done is not None:
                return Receipt(done.tracking_code, done.nominator_phone, created=False)
        if str(form.get("hp_extra", "")).strip():
            raise Invalid({"hp_extra": N_("Leave the last field empty.")})
        values = NominationIn(form, Channel.web).parse(campaign)
        now = db.utcnow()
        keys = [(f"nominate-address:{address}", ADDRESS_LIMIT, ADDRESS_WINDOW)]
        if values["nominator_phone"]:
            hashed = phones.keyed_hash(secret_key, values["nominator_phone"])
            keys.append((f"nominate-phone:{hashed}", PHONE_LIMIT, PHONE_WINDOW))
        for rate_key, limit, window in keys:
            until = ratelimit.blocked_until(s, rate_key, limit, window, now)
            if until is not None:
                raise RateLimited(until)
        for rate_key, _limit, _window in keys:
            ratelimit.record(s, rate_key, now)
        nomination = create(s, campaign, values, channel=Channel.web, submission_key=key)
        return Receipt(nomination.tracking_code, nomination.nominator_phone, created=True)


def _open_campaign(s: Session) -> Campaign:
    campaign = campaigns.current_in(s)
    if campaign is None or not phases.is_open(campaign, phases.Phase.nominations, db.utcnow()):
        raise PhaseClosed(N_("Nominations are not open."))
    return campaign


class RateLimited(PhaseClosed):
    status = 429

    def __init__(self, until) -> None:
        super().__init__(N_("Too many nominations from here. Try again later."))
        self.until = until


def submit_paper(engine: Engine, volunteer_id: int, form: dict) -> tuple[Nomination, bool]:
    """A paper form typed in by a volunteer; the same serial again returns the first entry."""
    form = clean_form(form)
    serial = str(form.get("paper_serial", "") or "").strip().upper()
    with db.session(engine) as s, s.begin():
        campaign = campaign_for_entry(s)
        errors = {}
        if not serial or len(serial) > 40:
            errors["paper_serial"] = N_("Write the number printed on the form.")
        try:
            values = NominationIn(form, Channel.paper).parse(campaign)
        except Invalid as exc:
            errors |= exc.errors
        if errors:
            raise Invalid(errors)
        existing = s.exec(
            select(Nomination).where(
                Nomination.campaign_id == campaign.id,
                Nomination.volunteer_id == volunteer_id,
                Nomination.paper_serial == serial,
            )
        ).first()
        if existing is not None:
            return existing, False
        nomination = create(
            s,
            campaign,
            values,
            channel=Channel.paper,
            volunteer_id=volunteer_id,
            paper_serial=serial,
        )
        audit.record(
            s, volunteer_id, "nomination.paper", "nomination", nomination.id, serial=serial
        )
        return nomination, True


def campaign_for_entry(s: Session) -> Campaign:
    """Paper forms collected during the nominations phase are typed in until review ends."""
    campaign = campaigns.current_in(s)
    now = db.utcnow()
    if campaign is None or not (campaign.nominations_start <= now < campaign.review_end):
        raise PhaseClosed(
            N_("Paper forms can be entered from the opening of nominations to the end of review.")
        )
    return campaign
