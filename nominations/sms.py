"""``NOM <text>`` by SMS: a nomination "to complete", for a volunteer to call back."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, col, select

from campaign import db, phases, phones, ratelimit
from campaign.i18n import N_
from campaign.models import Campaign
from nominations import intake, tracking
from nominations.models import Channel, Nomination, Status

KEYWORD = re.compile(r"^\s*NOM\b[\s:.,-]*", re.IGNORECASE)
TRACK_KEYWORD = re.compile(r"^\s*(?:SUIVI|TRACK)\b[\s:.,#-]*", re.IGNORECASE)
HELP_KEYWORD = re.compile(r"^\s*(?:AIDE|HELP|\?)\s*[.!?]*\s*$", re.IGNORECASE)
# An operator's redelivery carries a new message id: the same text from the same phone within
# this window is the same nomination (measured through Kannel: four copies of one SMS).
REDELIVERY_WINDOW = timedelta(minutes=10)

THANKS = N_(
    "Thank you! Nomination recorded, code %(code)s. A volunteer will call you back. "
    "Follow it at %(url)s"
)
HELP = N_(
    "Commands: NOM name, post, town to nominate; ICON number to vote; "
    "TRACK code for a nomination's status; HELP for this list."
)
TRACK_HOW = N_("Send TRACK followed by your nomination code, for example TRACK AB12-CD34.")
TRACK_UNKNOWN = N_("No nomination has the code %(code)s. Check it and send it again.")
TRACK_LIMITED = N_("Too many wrong codes. Try again in 15 minutes.")
TRACK_STATUS = {
    "received": N_("Nomination %(code)s: recorded, waiting for review."),
    "under_review": N_("Nomination %(code)s: under review by the jury."),
    "not_retained": N_("Nomination %(code)s: not retained this year. Thank you for taking part."),
}


CLOSED = N_("Nominations are closed.")
HOW = N_("Send NOM followed by the name, post and town of the civil servant.")
TOO_MANY = N_("Too many nominations from this number today. Try again tomorrow.")
# Every text this module sends by SMS (tests/campaign/test_gsm.py checks them in each language).
SMS_TEXTS = (THANKS, HELP, TRACK_HOW, TRACK_UNKNOWN, TRACK_LIMITED, *TRACK_STATUS.values(),
             CLOSED, HOW, TOO_MANY)  # fmt: skip


def matches(text: str) -> bool:
    return bool(KEYWORD.match(text or ""))


def track_matches(text: str) -> bool:
    return bool(TRACK_KEYWORD.match(text or ""))


def help_matches(text: str) -> bool:
    return bool(HELP_KEYWORD.match(text or ""))


def help_reply(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    return HELP, {}


def track(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """``SUIVI AB12-CD34``: the status ``/track`` shows; wrong codes limited per phone."""
    raw = TRACK_KEYWORD.sub("", text, count=1).strip()
    code = intake.clean_code(raw)
    if not code:
        return TRACK_HOW, {}
    key = f"track-guess:sms:{phones.keyed_hash(secret_key, sender)}"
    query = select(Nomination.status).where(Nomination.tracking_code == code)
    try:
        status = ratelimit.guarded_lookup(s, key, db.utcnow(), lambda: s.exec(query).first())
    except ratelimit.Blocked:
        return TRACK_LIMITED, {}
    shown = intake.format_code(code)
    if status is None:
        return TRACK_UNKNOWN, {"code": raw[:12]}
    public = tracking.PUBLIC_STATUS.get(status, "received")
    return TRACK_STATUS.get(public, TRACK_STATUS["received"]), {"code": shown}


def record(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """Returns the reply as (msgid, params); the nomination is written in the caller's unit."""
    now = db.utcnow()
    if not phases.is_open(campaign, phases.Phase.nominations, now):
        return CLOSED, {}
    body = " ".join(KEYWORD.sub("", text, count=1).split())
    if len(body) < 5:
        return HOW, {}
    again = s.exec(
        select(Nomination.tracking_code).where(
            Nomination.campaign_id == campaign.id,
            Nomination.channel == Channel.sms,
            Nomination.nominator_phone == sender,
            Nomination.story == body,
            col(Nomination.created_at) > now - REDELIVERY_WINDOW,
        )
    ).first()
    if again is not None:
        return THANKS, {"code": intake.format_code(again)}
    key = f"nominate-phone:{phones.keyed_hash(secret_key, sender)}"
    if ratelimit.blocked_until(s, key, intake.PHONE_LIMIT, intake.PHONE_WINDOW, now):
        return TOO_MANY, {}
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
    return THANKS, {"code": intake.format_code(nomination.tracking_code)}
