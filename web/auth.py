"""Who is signed in, and the role checks every staff handler makes itself."""

from __future__ import annotations

import secrets
import time
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from campaign import people
from campaign.errors import PermissionDenied
from campaign.i18n import N_
from campaign.models import User

SESSION_KEY = "uid"
VERSION_KEY = "sv"  # the account's session_version at sign-in
SIGNED_IN_AT = "iat"  # seconds since the epoch: the absolute lifetime counts from here
CSRF_KEY = "csrf"  # this session's own CSRF token (web.middleware.CSRFProtect checks it)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def sign_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session[SESSION_KEY] = user.id
    request.session[VERSION_KEY] = user.session_version
    request.session[SIGNED_IN_AT] = int(time.time())
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request) -> User | None:
    if "user" in request.state._state:
        return request.state.user
    session = request.session
    uid, version, since = (session.get(k) for k in (SESSION_KEY, VERSION_KEY, SIGNED_IN_AT))
    lifetime = request.app.state.settings.session_hours * 3600
    fresh = isinstance(since, int) and 0 <= time.time() - since < lifetime
    user = None
    if isinstance(uid, int) and isinstance(version, int) and fresh:
        user = people.active_user(request.app.state.engine, uid)
        if user is not None and user.session_version != version:
            user = None  # signed out, password changed or deactivated since this cookie
    if user is None and uid is not None:
        session.clear()
    request.state.user = user
    return user


def require_role(request: Request, *roles: str) -> User:
    """The signed-in user if their role is one of ``roles``; else a login page or a 403."""
    user = current_user(request)
    if user is None:
        raise LoginRequired(request.url.path)
    if user.role not in roles:
        raise PermissionDenied(N_("This page is for another role."))
    return user


async def staff(request: Request, *roles: str) -> User:
    """``require_role`` for an ``async def`` handler: the check reads the database, so it runs in
    the thread pool, never on the event loop (a plain ``def`` handler calls require_role)."""
    return await run_in_threadpool(require_role, request, *roles)


def client_address(request: Request) -> str:
    """The caller's address, as the per-address limits key it (uvicorn applies proxy headers)."""
    return request.client.host if request.client else "unknown"


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: never bounce a fresh login to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
