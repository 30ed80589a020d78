"""Domain exceptions. web/app.py maps each to a status code and a page; messages are msgids."""

from __future__ import annotations

from datetime import datetime

from campaign.i18n import N_


class DomainError(Exception):
    status = 400

    def __init__(self, message: str = "", **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Invalid(DomainError):
    """Input failed validation; ``errors`` maps a field name to a message (a msgid)."""

    status = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(N_("Some fields need correcting."))
        self.errors = errors


class InvalidCredentials(DomainError):
    status = 400


class LoginLocked(DomainError):
    status = 429

    def __init__(self, until: datetime) -> None:
        super().__init__(N_("Too many failed attempts."))
        self.until = until


class InvitationInvalid(DomainError):
    status = 400


class PhaseClosed(DomainError):
    status = 409


class Archived(DomainError):
    """The edition is archived (a later one has started): it is read-only."""

    status = 409

    def __init__(self, year: int) -> None:
        super().__init__(
            N_("The %(year)s edition is archived: it can no longer change."), year=year
        )
        self.year = year
