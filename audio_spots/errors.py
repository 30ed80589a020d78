"""Why an audio file was refused. The messages are msgids, shown next to the form's file field."""

from __future__ import annotations

from campaign.errors import DomainError


class AudioRefused(DomainError):
    """The file itself is wrong (kind, size, damage): the manager must choose another one."""

    status = 422


class TooLarge(AudioRefused):
    status = 413
