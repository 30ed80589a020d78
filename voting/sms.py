"""SMS votes: ``ICON 3``, ``icon 3``, ``3``, ``vote 3``, ``VOTE   3`` all vote for candidate 3."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from campaign import phones, sms_commands
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.models import Campaign
from voting.ballot_box import (
    SMS_FOREIGN,
    attempt,
    has_voted,
    insert_ballot,
    is_double_vote,
    open_round,
    voter_e164,
)
from voting.models import Candidate, VoteChannel
from voting.receipts import format_receipt
from voting.vote_codes import SMS_CODE

SMS_CLOSED = N_("No vote is open right now.")
SMS_NO_SMS = N_("Voting by SMS is not open in this round.")
SMS_HELP = N_(
    "Send %(vote_word)s followed by the candidate's number, for example %(vote_word)s %(example)d."
)
SMS_NO_SUCH = N_("There is no candidate number %(number)d. Valid numbers: %(first)d to %(last)d.")
SMS_ALREADY = N_("You have already voted in this round. Your first vote stands.")
SMS_THANKS = N_(
    "Thank you! Your vote for number %(number)d, %(name)s, is counted. Receipt: %(receipt)s."
)

# Every text voting sends by SMS (tests/campaign/test_gsm.py checks them in each language).
SMS_TEXTS = (
    SMS_CODE,
    SMS_CLOSED,
    SMS_NO_SMS,
    SMS_HELP,
    SMS_FOREIGN,
    SMS_NO_SUCH,
    SMS_ALREADY,
    SMS_THANKS,
)


def record(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """Returns the reply as (msgid, params); the ballot is written in the caller's unit."""
    return cast_sms(s, campaign, secret_key, sender, text)


def parse_sms(text: str, keywords: sms_commands.Keywords = sms_commands.DEFAULT) -> int | None:
    return sms_commands.vote_number(text, keywords)


def cast_sms(
    s: Session, campaign: Campaign, secret_key: str, sender_e164: str, text: str
) -> tuple[str, dict]:
    """An SMS vote inside the inbound SMS's transaction; returns the reply (msgid, params)."""
    r = open_round(s, campaign)
    if r is None:
        return SMS_CLOSED, {}
    if not r.sms_enabled:
        return SMS_NO_SMS, {}
    numbers = s.exec(
        select(Candidate.number).where(Candidate.round_id == r.id).order_by(Candidate.number)
    ).all()
    number = parse_sms(text, sms_commands.Keywords.of(campaign.sms_keywords))
    if number is None:
        return SMS_HELP, {"example": numbers[0] if numbers else 1}
    try:
        e164 = voter_e164(secret_key, sender_e164, campaign)
    except Invalid:
        return SMS_FOREIGN, {}
    candidate = s.exec(
        select(Candidate).where(Candidate.round_id == r.id, Candidate.number == number)
    ).first()
    if candidate is None:
        first, last = (numbers[0], numbers[-1]) if numbers else (0, 0)
        return SMS_NO_SUCH, {"number": number, "first": first, "last": last}
    voter_hash = phones.keyed_hash(secret_key, e164, "voter")
    if has_voted(s, r.id, voter_hash):
        return SMS_ALREADY, {}
    try:
        # A savepoint: a concurrent vote's unique violation undoes the ballot, not the record of
        # the inbound message (whose reply a gateway retry must get again).
        with s.begin_nested():
            ballot = insert_ballot(s, r.id, candidate.id, VoteChannel.sms, voter_hash)
    except IntegrityError as exc:
        if is_double_vote(exc):
            return SMS_ALREADY, {}
        # Any other violation is a fault: nothing is stored, the gateway gets a 5xx and retries.
        raise
    s.add(attempt(secret_key, r.id, VoteChannel.sms, "vote", voter_hash, e164, ballot_id=ballot.id))
    receipt = format_receipt(ballot.receipt)
    return SMS_THANKS, {"number": number, "name": candidate.name, "receipt": receipt}
