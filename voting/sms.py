"""SMS votes: ``ICON 3``, ``icon 3``, ``3``, ``vote 3``, ``VOTE   3`` all vote for candidate 3."""

from __future__ import annotations

from sqlmodel import Session

from campaign.models import Campaign
from voting import ballot_box

# Every text voting sends by SMS (tests/campaign/test_gsm.py checks them in each language).
SMS_TEXTS = (
    ballot_box.SMS_CODE,
    ballot_box.SMS_CLOSED,
    ballot_box.SMS_NO_SMS,
    ballot_box.SMS_HELP,
    ballot_box.SMS_FOREIGN,
    ballot_box.SMS_NO_SUCH,
    ballot_box.SMS_ALREADY,
    ballot_box.SMS_THANKS,
)


def record(s: Session, campaign: Campaign, sender: str, text: str, secret_key: str):
    """Returns the reply as (msgid, params); the ballot is written in the caller's unit."""
    return ballot_box.cast_sms(s, campaign, secret_key, sender, text)
