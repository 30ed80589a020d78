"""The edition's SMS settings: its keywords and the number the public texts."""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import audit, db, sms_commands
from campaign.campaigns import ensure_editable
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Campaign

SMS_NUMBER = re.compile(r"^(?:[0-9]{3,8}|\+[0-9]{8,15}|0?[0-9]{8,12})$")
SMS_NUMBER_INVALID = N_(
    "A short code (3 to 8 digits) or a phone number (+223 76 12 34 56); leave empty to use "
    "ICON_SMS_NUMBER."
)


@db.retry_on_disconnect  # read for every SMS
def sms_keywords(engine: Engine) -> sms_commands.Keywords:
    """The current edition's SMS words (the defaults without an edition)."""
    with db.session(engine) as s:
        found = s.exec(
            select(Campaign.sms_keywords).order_by(Campaign.year.desc(), Campaign.id.desc())
        ).first()
    return sms_commands.Keywords.of(found)


def sms_number(campaign: Campaign | None, fallback: str) -> str:
    """The number the public texts: the edition's own, else ICON_SMS_NUMBER."""
    return (campaign.sms_number if campaign is not None else "") or fallback


def update_sms(engine: Engine, actor_id: int, campaign_id: int, form: dict[str, str]) -> Campaign:
    """A manager's SMS keywords and short code; Invalid names every bad field."""
    keywords, errors = sms_commands.check(form)
    number = " ".join(str(form.get("sms_number", "")).split())
    if number and not SMS_NUMBER.match(number.replace(" ", "")):
        errors["sms_number"] = SMS_NUMBER_INVALID
    if errors:
        raise Invalid(errors)
    chosen = {c: getattr(keywords, c) for c in sms_commands.COMMANDS}
    with db.session(engine) as s, s.begin():
        campaign = s.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(N_("No campaign has been set up yet."))
        ensure_editable(campaign)
        changed = {}
        if sms_commands.Keywords.of(campaign.sms_keywords) != keywords:
            changed["sms_keywords"] = [campaign.sms_keywords, chosen]
            campaign.sms_keywords = chosen
        if campaign.sms_number != number[:20]:
            changed["sms_number"] = [campaign.sms_number, number[:20]]
            campaign.sms_number = number[:20]
        if changed:
            audit.record(s, actor_id, "campaign.sms", "campaign", campaign.id, changed=changed)
    return campaign
