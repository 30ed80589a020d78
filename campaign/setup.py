"""First run: while no staff account can sign in, a one-time, expiring link lets whoever installed
the site create the first manager and the first edition. Once a manager exists, every link is dead.

The link holds no state: it is signed with the secret key and carries its issue time, so it
expires by itself, and "once" is the database's own answer: the first manager is inserted only
while no account has a password, in one statement (under a lock on PostgreSQL, where two
transactions would otherwise both see the table empty).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import exists, insert, literal, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from campaign import audit, db, editions, people
from campaign.errors import Invalid, InvitationInvalid
from campaign.i18n import N_
from campaign.models import Campaign, Role, User

SETUP_MAX_AGE = timedelta(hours=24)
EXPIRED = N_("This setup link has expired. Run `icon setup-link` for a new one.")
NOT_VALID = N_("This setup link is not valid.")
DONE = N_("This site is already set up: sign in instead.")
# Any constant: the key of the PostgreSQL advisory lock that orders two first-run forms.
_LOCK_KEY = 0x1C0_5E7


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="icon-setup")


def _staff_exists(s: Session) -> bool:
    return bool(s.scalar(select(exists().where(User.password_hash.is_not(None)))))


def needed(engine: Engine) -> bool:
    """True while no account can sign in: the site needs its first manager."""
    with db.session(engine) as s:
        return not _staff_exists(s)


def issue(engine: Engine, secret_key: str) -> str | None:
    """A fresh setup token, or None when a manager exists already."""
    if not needed(engine):
        return None
    return _serializer(secret_key).dumps({"setup": secrets.token_urlsafe(8)})


def check(engine: Engine, secret_key: str, token: str) -> None:
    """Raises InvitationInvalid with the reason when the link cannot be used (any more)."""
    try:
        _serializer(secret_key).loads(token, max_age=SETUP_MAX_AGE.total_seconds())
    except SignatureExpired as exc:
        raise InvitationInvalid(EXPIRED) from exc
    except BadSignature as exc:
        raise InvitationInvalid(NOT_VALID) from exc
    if not needed(engine):
        raise InvitationInvalid(DONE)


@dataclass(frozen=True)
class SetupIn:
    email: str
    name: str
    password: str
    confirm: str
    country: str
    year: str
    title: str = ""


def complete(
    engine: Engine, secret_key: str, token: str, form: SetupIn, reader: str | None = None
) -> tuple[User, Campaign]:
    """The first manager and the first edition, both or neither."""
    check(engine, secret_key, token)
    errors: dict[str, str] = {}
    try:
        email = people.validate_email(form.email)
    except Invalid as exc:
        errors |= exc.errors
    if len(form.name) > 200:
        errors["name"] = N_("At most 200 characters.")
    if form.password != form.confirm:
        errors["confirm"] = N_("The two passwords differ.")
    elif not people.PASSWORD_MIN <= len(form.password) <= people.PASSWORD_MAX:
        errors["password"] = N_("Use between 10 and 200 characters.")
    try:  # the edition's fields too, so that the person corrects everything at once
        editions.check_fields(form.country, form.year, form.title)
    except Invalid as exc:
        errors = exc.errors | errors
    if errors:
        raise Invalid(errors)
    password_hash = people.hash_password(form.password)
    with db.session(engine) as s, s.begin():
        if s.get_bind().dialect.name == "postgresql":
            s.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_LOCK_KEY))
        now = db.utcnow()
        values = select(
            literal(email),
            literal(" ".join(form.name.split())),
            literal(Role.manager.value),
            literal(password_hash),
            literal(True),
            literal(""),
            literal(now, User.created_at.type),
        ).where(~exists().where(User.password_hash.is_not(None)))
        columns = ["email", "name", "role", "password_hash", "active", "invite_nonce", "created_at"]
        try:
            made = s.exec(insert(User).from_select(columns, values).returning(User.id)).first()
        except IntegrityError as exc:  # that address was invited already, and never signed in
            raise Invalid({"email": N_("This address has an invitation waiting: use it.")}) from exc
        if made is None:
            raise InvitationInvalid(DONE)
        user = s.get(User, made[0])
        campaign = editions.create_in(
            s, user.id, form.country, form.year, form.title, reader=reader
        )
        audit.record(s, user.id, "setup.complete", "user", user.id, campaign=campaign.id)
    return user, campaign
