"""The SMS gateway's webhook, feature-neutral: signature, idempotency, sender limits, replies.

Features (nominations, voting) provide handlers that run inside the same transaction as the
record of the message, so a retried gateway id gets the stored reply and changes nothing, and a
reply is only sent for work that was committed.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaign import campaigns, db, hmacs, phones, ratelimit
from campaign import text as clean_text
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.models import Campaign, InboundSms

SENDER_LIMIT, SENDER_WINDOW = 20, timedelta(hours=1)
MAX_TEXT = 1600
NOT_STARTED = N_("The campaign has not started yet.")
UNREADABLE = N_("We could not read your phone number.")
TOO_MANY = N_("Too many messages. Try again later.")
HOW_TO = N_(
    "To nominate, send %(nominate_word)s then the name, post and town of the civil servant. "
    "To vote, send %(vote_word)s then the candidate's number."
)
# Every text this module sends by SMS (tests/campaign/test_gsm.py checks them in each language).
SMS_TEXTS = (NOT_STARTED, UNREADABLE, TOO_MANY, HOW_TO)
GATEWAY_ID_KEPT = 100  # shown to an operator only: replies are found by ``reply_key``
# A stored reply only answers a gateway's retry, and gateways retry for hours, a day or two at
# most: replies older than ICON_INBOUND_SMS_RETENTION_DAYS (this by default) are purged.
REPLIES_KEPT = timedelta(days=30)
PURGE_BATCH = 1000

# A handler gets the open session, the campaign, the sender in E.164 and the text; it returns
# the reply as a msgid and its parameters.
Handler = Callable[[Session, Campaign, str, str], tuple[str, dict]]


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmacs.hex_digest(secret, body).encode()
    # As bytes: compare_digest raises TypeError on a str with non-ASCII characters, and a header
    # is whatever the caller sent (decoded as Latin-1).
    given = header.removeprefix("sha256=").strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


@dataclass(frozen=True)
class Route:
    keyword: str
    handler: Handler


def handle(
    engine: Engine,
    secret_key: str,
    gateway_id: str | None,
    sender: str,
    text: str,
    route: Callable[[str], Route | None],
    translate: Callable[[str, dict], str],
) -> str:
    """Process one inbound SMS; returns the reply text for the gateway to send back."""
    gateway_id, sender = clean_text.clean(gateway_id), clean_text.clean(sender)
    text = clean_text.clean(text)
    key = reply_key(secret_key, gateway_id, sender)
    if key:
        stored = _stored_reply(engine, key)
        if stored is not None:
            return stored
    text = (text or "")[:MAX_TEXT]
    try:
        with db.session(engine) as s, s.begin():
            campaign = campaigns.current_in(s)
            reply = _process(s, campaign, secret_key, sender, text, route, translate)
            s.add(
                InboundSms(
                    gateway_id=(gateway_id or "").strip()[:GATEWAY_ID_KEPT] or None,
                    reply_key=key,
                    keyword=reply.keyword,
                    reply=reply.text,
                )
            )
    except IntegrityError:
        # The same message arrived twice at once: the other request committed first.
        stored = _stored_reply(engine, key) if key else None
        if stored is None:
            raise
        return stored
    return reply.text


def reply_key(secret_key: str, gateway_id: str | None, sender: str) -> str | None:
    """What a stored reply is found by: the gateway's id and the sender, hashed with the key.
    Two senders' ids never share a reply, an id of any length is matched whole, and the row
    says nothing of the sender (it cannot be joined to their ballot or their limits)."""
    gateway_id = (gateway_id or "").strip()
    if not gateway_id:
        return None
    return phones.keyed_hash(secret_key, f"{gateway_id}\n{(sender or '').strip()}", "sms-reply")


@dataclass(frozen=True)
class _Reply:
    text: str
    keyword: str
    sender_hash: str


def _process(s, campaign, secret_key, sender, text, route, translate) -> _Reply:
    if campaign is None:
        return _Reply(translate(NOT_STARTED, {}), "", "")
    try:
        e164 = phones.normalise(sender, campaign.phone_country)
    except Invalid:
        return _Reply(translate(UNREADABLE, {}), "", "")
    sender_hash = phones.keyed_hash(secret_key, e164)
    now, key = db.utcnow(), f"sms-sender:{sender_hash}"
    if ratelimit.blocked_until(s, key, SENDER_LIMIT, SENDER_WINDOW, now) is not None:
        return _Reply(translate(TOO_MANY, {}), "", sender_hash)
    ratelimit.record(s, key, now)
    found = route(text)
    if found is None:
        return _Reply(translate(HOW_TO, {}), "", sender_hash)
    msgid, params = found.handler(s, campaign, e164, text)
    return _Reply(translate(msgid, params), found.keyword, sender_hash)


def _stored_reply(engine: Engine, key: str) -> str | None:
    with db.session(engine) as s:
        return s.exec(select(InboundSms.reply).where(InboundSms.reply_key == key)).first()


def purge(s: Session, older_than: datetime, batch: int = PURGE_BATCH) -> int:
    """Deletes up to ``batch`` stored replies received before ``older_than``; returns how many
    went. As ratelimit.purge, the caller repeats in fresh transactions while a full batch went.
    A retry of a purged message is handled again: its feature's own uniqueness (one ballot per
    voter and round) keeps it from counting twice."""
    return db.delete_oldest(s, InboundSms, InboundSms.received_at, older_than, batch)
