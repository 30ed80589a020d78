"""``NOM <text>`` by SMS: a nomination "to complete", for a volunteer to call back."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from campaign import db, phases, phones, ratelimit, sms_commands
from campaign.i18n import N_
from campaign.models import Campaign
from nominations import intake, tracking
from nominations.models import Channel, Nomination, Status

# An operator's redelivery carries a new message id: the same text from the same phone within
# this window is the same nomination (measured through Kannel: four copies of one SMS).
REDELIVERY_WINDOW = timedelta(minutes=10)

THANKS = N_(
    "Thank you! Nomination recorded, code %(code)s. A volunteer will call you back. "
    "Follow it at %(url)s"
)
HELP = N_(
    "Commands: %(nominate_word)s name, post, town to nominate; %(vote_word)s number to vote; "
    "%(track_word)s code for a nomination's status; %(help_word)s for this list."
)
TRACK_HOW = N_(
    "Send %(track_word)s followed by your nomination code, for example %(track_word)s AB12-CD34."
)
TRACK_UNKNOWN = N_("No nomination has the code %(code)s. Check it and send it again.")
TRACK_LIMITED = N_("Too many wrong codes. Try again in 15 minutes.")
TRACK_STATUS = {
    "received": N_("Nomination %(code)s: recorded, waiting for review."),
    "under_review": N_("Nomination %(code)s: under review by the jury."),
    "not_retained": N_("Nomination %(code)s: not retained this year. Thank you for taking part."),
}


CLOSED = N_("Nominations are closed.")
HOW = N_("Send %(nominate_word)s followed by the name, post and town of the civil servant.")
TOO_MANY = N_("Too many nominations from this number today. Try again tomorrow.")
# Every text this module sends by SMS (tests/campaign/test_gsm.py checks them in each language).
SMS_TEXTS = (
    THANKS,
    HELP,
    TRACK_HOW,
    TRACK_UNKNOWN,
    TRACK_LIMITED,
    *TRACK_STATUS.values(),
    CLOSED,
    HOW,
    TOO_MANY,
)


def _argument(campaign: Campaign, text: str, kind: str) -> str | None:
    """What follows the command's keyword, in the edition's words; None for another command."""
    command = sms_commands.parse(text, sms_commands.Keywords.of(campaign.sms_keywords))
    return command.argument if command is not None and command.kind == kind else None


def help_reply(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    return HELP, {}


def track(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """``SUIVI AB12-CD34``: the status ``/track`` shows; wrong codes limited per phone."""
    raw = _argument(campaign, text, "track") or ""
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
    body = " ".join((_argument(campaign, text, "nominate") or "").split())
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
