"""``NOM <text>`` by SMS: a nomination "to complete", for a volunteer to call back."""

from __future__ import annotations

import re

from sqlmodel import Session

from campaign import db, phases, phones, ratelimit
from campaign.i18n import N_
from campaign.models import Campaign
from nominations import intake
from nominations.models import Channel, Status

KEYWORD = re.compile(r"^\s*NOM\b[\s:.,-]*", re.IGNORECASE)


def matches(text: str) -> bool:
    return bool(KEYWORD.match(text or ""))


def record(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """Returns the reply as (msgid, params); the nomination is written in the caller's unit."""
    now = db.utcnow()
    if not phases.is_open(campaign, phases.Phase.nominations, now):
        return N_("Nominations are closed."), {}
    body = " ".join(KEYWORD.sub("", text, count=1).split())
    if len(body) < 5:
        return N_("Send NOM followed by the name, post and town of the civil servant."), {}
    key = f"nominate-phone:{phones.keyed_hash(secret_key, sender)}"
    if ratelimit.blocked_until(s, key, intake.PHONE_LIMIT, intake.PHONE_WINDOW, now):
        return N_("Too many nominations from this number today. Try again tomorrow."), {}
    ratelimit.record(s, key, now)
    # People write "name, post, place": take what is there; the volunteer completes the rest.
    parts = [p.strip() for p in body.split(",")]
    values = {
        "nominee_name": parts[0][:200],
        "nominee_position": parts[1][:200] if len(parts) > 1 else "",
        "nominee_institution": ", ".join(parts[2:])[:200] if len(parts) > 2 else "",
        "story": body,
        "nominator_phone": sender,
    }
    nomination = intake.create(s, campaign, values, channel=Channel.sms, status=Status.to_complete)
    code = intake.format_code(nomination.tracking_code)
    return (
        N_(
            "Thank you! Nomination recorded, code %(code)s. A volunteer will call you back. "
            "Follow it at %(url)s"
        ),
        {"code": code},
    )
