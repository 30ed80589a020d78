"""The core tables: Campaign (one edition), User (staff) and their StaffRole per edition,
AuditEvent, SmsMessage, RateEvent, SetupLink."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Float, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import UTCDateTime, utcnow


class Role(StrEnum):
    manager = "manager"
    juror = "juror"
    volunteer = "volunteer"


class Campaign(SQLModel, table=True):
    # One edition a year per country: a team runs its campaign again next year, keeping history.
    __table_args__ = (UniqueConstraint("country", "year", name="uq_campaign_country_year"),)

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=2)  # ISO 3166 alpha-2
    # Phone numbers are parsed for it; usually the country itself.
    phone_country: str = Field(max_length=2)
    year: int
    title: str = Field(max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    # The interface languages the edition offers, default first ([] offers every catalogue).
    interface_languages: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    # Set when the next edition starts: nothing changes in an archived edition any more.
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Regions and languages are short ordered lists edited as a whole: JSON keeps them in one row.
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # [{"code": "bm", "name": "Bamanankan"}, ...]: the languages of the campaign's audio spots.
    languages: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # [{"key": "serving", "expected": true, "text": {"fr": ..., "en": ...},
    #   "refusal": {"fr": ..., "en": ...}}]: asked on every nomination, in the visitor's language.
    eligibility: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    nominations_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    nominations_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    review_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    review_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    voting_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    voting_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    results_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    # The edition's own SMS words ({"vote": "ICON", "nominate": "NOM", "track": "SUIVI",
    # "help": "AIDE"}, campaign/sms_commands.py) and the short code the public texts ("" falls
    # back to ICON_SMS_NUMBER).
    sms_keywords: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sms_number: str = Field(default="", max_length=20)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)  # a Role value
    password_hash: str | None = Field(default=None, max_length=200)
    active: bool = True
    # Set when an invitation is issued, cleared when it is used: each link works once.
    invite_nonce: str = Field(default="", max_length=64)
    # Bumped on logout, password change and deactivation: every older session cookie stops working.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class StaffRole(SQLModel, table=True):
    """A staff member's role in one edition (a juror of 2027 may manage 2028); without a row for
    the current edition, the account's own role applies."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    role: str = Field(max_length=20)  # a Role value


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_auditevent_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=80, index=True)
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=64)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SmsRate(SQLModel, table=True):
    """When a gateway may take its next message, shared by every process that sends
    (sms_queue.RateGate): the gateway's rate holds however many servers send."""

    __tablename__ = "sms_rate"
    gateway: str = Field(primary_key=True, max_length=20)
    next_at: float = Field(sa_column=Column(Float, nullable=False))  # Unix time, in seconds


class SmsMessage(SQLModel, table=True):
    """Every outgoing SMS: stored only (outbox backend) or with the gateway's verdict (http).
    The number only masked and hashed; the text blanked once a gateway took it (campaign.sms).
    A queued message keeps what its delivery needs in ``pending_*`` until the gateway takes it
    (sms_queue.py); a message that failed keeps them for the manager's "send again" until the
    verification records are purged (voting/retention.py)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    to: str = Field(max_length=32)  # masked: "+223 76 •• •• 56"
    to_hash: str = Field(default="", max_length=64, index=True)  # keyed hash of the E.164 number
    body: str = Field(max_length=1600)
    backend: str = Field(max_length=20)
    # stored (outbox) | queued | sending | sent | delivered | failed | unknown (see sms_queue.py)
    status: str = Field(max_length=20, index=True)
    error: str = Field(default="", max_length=500)
    kind: str = Field(default="", max_length=20)  # reply | code | tracking | broadcast | ...
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    provider_id: str | None = Field(default=None, max_length=100, index=True)
    # One row per reason to send: a gateway's redelivery of the same inbound SMS adds none.
    dedup_key: str | None = Field(default=None, max_length=120, unique=True, index=True)
    pending_to: str = Field(default="", max_length=20)  # E.164, until the gateway took it
    pending_body: str = Field(default="", max_length=1600)


class RateEvent(SQLModel, table=True):
    """One counted event (a failed login, a nomination from an address...) for rate limits."""

    # key, at: a limit's window; at alone: the purge of old events (campaign.ratelimit.purge).
    __table_args__ = (Index("ix_rateevent_key_at", "key", "at"), Index("ix_rateevent_at", "at"))

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class InboundSms(SQLModel, table=True):
    """Each SMS the gateway posted, by the gateway's message id and sender: a retry gets the
    stored reply. Nothing of the sender is kept but ``reply_key`` (sms_inbound.reply_key), which
    matches no other table; the text lives where its feature stores it. Only a retry reads a
    row, so rows go after ``ICON_INBOUND_SMS_RETENTION_DAYS`` (campaign.sms_inbound.purge)."""

    __table_args__ = (Index("ix_inboundsms_received_at", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    gateway_id: str | None = Field(default=None, max_length=100)
    reply_key: str | None = Field(default=None, max_length=64, unique=True)
    keyword: str = Field(default="", max_length=20)
    reply: str = Field(max_length=1600)
    received_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
