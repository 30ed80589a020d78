"""Staff accounts: invitations, passwords (argon2), login with failure limits, deactivation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from campaign import audit, db, ratelimit, text
from campaign.errors import (
    Invalid,
    InvalidCredentials,
    InvitationInvalid,
    LoginLocked,
    NotFound,
    PermissionDenied,
)
from campaign.i18n import N_
from campaign.models import Campaign, Role, StaffRole, User

INVITATION_MAX_AGE = timedelta(days=7)
LOCK_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
# A cybercafe or a ministry shares one address: the per-address limit is generous.
ADDRESS_FAILURES = 30
PASSWORD_MIN, PASSWORD_MAX = 10, 200

_hasher = PasswordHasher()
# Verified against when the account does not exist, so the reply takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return text.clean(email).strip().lower()


def validate_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise Invalid({"email": N_("Enter a valid email address.")})
    return email


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="icon-invitation")


def _invitation_token(secret_key: str, user: User) -> str:
    user.invite_nonce = secrets.token_urlsafe(16)
    return _serializer(secret_key).dumps({"uid": user.id, "n": user.invite_nonce})


def invite(
    engine: Engine, secret_key: str, actor_id: int | None, email: str, role: str, name: str = ""
) -> tuple[User, str]:
    """Create (or re-invite) a staff account; returns it and a single-use invitation token."""
    email = validate_email(email)
    if role not in Role.__members__:
        raise Invalid({"role": N_("Choose a role.")})
    if len(name) > 200:
        raise Invalid({"name": N_("At most 200 characters.")})
    with db.session(engine) as s, s.begin():
        user = s.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=name.strip(), role=role)
            s.add(user)
            s.flush()
        else:
            user.role, user.active = role, True
            user.name = name.strip() or user.name
        token = _invitation_token(secret_key, user)
        # The role applies to the current edition too, if it gave this person another one.
        edition_id = s.exec(_current_edition_id()).first()
        found = s.get(StaffRole, (edition_id, user.id)) if edition_id is not None else None
        if found is not None:
            found.role = role
        audit.record(s, actor_id, "user.invite", "user", user.id, email=email, role=role)
    return user, token


def pending_invitation(engine: Engine, secret_key: str, user_id: int) -> tuple[User, str]:
    """A fresh link for the invitation still waiting on ``user_id`` (the nonce is kept, so any
    earlier link for it keeps working until one of them is used)."""
    with db.session(engine) as s:
        user = s.get(User, user_id)
        if user is None or not user.invite_nonce:
            raise NotFound(N_("No such invitation."))
        token = _serializer(secret_key).dumps({"uid": user.id, "n": user.invite_nonce})
    return user, token


def _user_for_invitation(s: Session, secret_key: str, token: str, now: datetime) -> User:
    try:
        data = _serializer(secret_key).loads(
            token, max_age=INVITATION_MAX_AGE.total_seconds(), return_timestamp=False
        )
    except SignatureExpired as exc:
        raise InvitationInvalid(
            N_("This invitation has expired. Ask a manager for a new one.")
        ) from exc
    except BadSignature as exc:
        raise InvitationInvalid(N_("This invitation link is not valid.")) from exc
    user = s.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise InvitationInvalid(N_("This invitation link is not valid."))
    nonce = str(data.get("n", ""))
    if not user.invite_nonce or not secrets.compare_digest(user.invite_nonce, nonce):
        raise InvitationInvalid(N_("This invitation has already been used."))
    return user


def check_invitation(engine: Engine, secret_key: str, token: str) -> User:
    with db.session(engine) as s:
        return _user_for_invitation(s, secret_key, token, db.utcnow())


def accept_invitation(
    engine: Engine, secret_key: str, token: str, password: str, confirm: str
) -> User:
    if password != confirm:
        raise Invalid({"confirm": N_("The two passwords differ.")})
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise Invalid({"password": N_("Use between 10 and 200 characters.")})
    with db.session(engine) as s, s.begin():
        user = _user_for_invitation(s, secret_key, token, db.utcnow())
        user.password_hash = hash_password(password)
        user.invite_nonce = ""  # the link is now spent
        user.session_version += 1  # a copied cookie of the old password stops working
        audit.record(s, user.id, "user.set_password", "user", user.id)
    return user


def authenticate(engine: Engine, email: str, password: str, address: str) -> User:
    """Check a login; raises LoginLocked or InvalidCredentials. Failures live in the database."""
    email = normalise_email(email)[:254]
    account_key, address_key = f"account:{email}", f"address:{address}"
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        until = max(
            filter(
                None,
                [
                    ratelimit.blocked_until(s, account_key, ACCOUNT_FAILURES, LOCK_WINDOW, now),
                    ratelimit.blocked_until(s, address_key, ADDRESS_FAILURES, LOCK_WINDOW, now),
                ],
            ),
            default=None,
        )
        if until is not None:
            raise LoginLocked(until)
        user = s.exec(select(User).where(User.email == email)).first()
        ok = _verify(user.password_hash if user and user.password_hash else None, password)
        if ok and user.active:
            ratelimit.clear(s, account_key)
            audit.record(s, user.id, "user.login", "user", user.id)
            return user
        ratelimit.record(s, account_key, now)
        ratelimit.record(s, address_key, now)
    raise InvalidCredentials(N_("Wrong email or password."))


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _current_edition_id():
    return select(Campaign.id).order_by(Campaign.year.desc(), Campaign.id.desc()).limit(1)


def active_user(engine: Engine, user_id: int) -> User | None:
    """The account if active, with its role in the current edition (see StaffRole)."""
    with db.session(engine) as s:
        user = s.get(User, user_id)
        if user is None or not user.active:
            return None
        role = s.exec(
            select(StaffRole.role).where(
                StaffRole.user_id == user_id,
                StaffRole.campaign_id == _current_edition_id().scalar_subquery(),
            )
        ).first()
    if role is not None:
        user.role = role
    return user


def list_users(engine: Engine) -> list[User]:
    with db.session(engine) as s:
        return list(s.exec(select(User).order_by(User.role, User.email)).all())


def set_active(engine: Engine, actor_id: int, user_id: int, active: bool) -> User:
    if actor_id == user_id and not active:
        raise PermissionDenied(N_("You cannot deactivate your own account."))
    with db.session(engine) as s, s.begin():
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(N_("No such person."))
        user.active = active
        if not active:  # and reactivation does not revive the old cookies
            user.session_version += 1
        action = "user.activate" if active else "user.deactivate"
        audit.record(s, actor_id, action, "user", user.id, email=user.email)
    return user


def record_logout(engine: Engine, user_id: int) -> None:
    with db.session(engine) as s, s.begin():
        s.execute(
            update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
        )
        audit.record(s, user_id, "user.logout", "user", user_id)
