"""What voting refuses: the domain errors its casting paths raise (web/app.py maps them)."""

from __future__ import annotations

from datetime import datetime

from campaign.errors import DomainError
from campaign.i18n import N_

TOO_MANY_FOR_PHONE = N_("Three codes were already sent to this number this hour.")
TOO_MANY_FROM_HERE = N_("Too many codes were asked from here. Try again later.")
OVER_BUDGET = N_("Many people are asking for a code right now. Try again in a minute.")


class AlreadyVoted(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__(N_("This phone number has already voted in this round."))


class RateLimited(DomainError):
    status = 429

    def __init__(self, until: datetime, message: str = TOO_MANY_FOR_PHONE) -> None:
        super().__init__(message)
        self.until = until


class CodeNotSent(DomainError):
    status = 503

    def __init__(self) -> None:
        super().__init__(N_("The code could not be sent. Try again."))
