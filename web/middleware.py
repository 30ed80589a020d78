"""Cross-cutting concerns as pure ASGI middleware: security headers, CSRF, metrics."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from python_multipart.exceptions import FormParserError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign import metrics

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_COOKIE = "icon_csrf"
CSRF_FIELD = "csrf_token"
MAX_SERIES = 2000
MAX_FIELDS = 1000  # as Starlette's form parser allows
URLENCODED = "application/x-www-form-urlencoded"
CSRF_HEADER = "x-csrf-token"
SESSION_CSRF = "csrf"  # the signed-in session's token (web.auth.CSRF_KEY)


def security_headers(https: bool) -> list[tuple[str, str]]:
    """Every response's security headers (the lean paths send them too, as raw bytes)."""
    found = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    return found + [("Strict-Transport-Security", "max-age=31536000")] if https else found


def raw_security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    """``security_headers`` as ASGI sends them, for the paths that answer before this middleware
    (web/lean.py, web/lean_vote.py)."""
    return [(name.lower().encode(), value.encode()) for name, value in security_headers(https)]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(self.https):
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CSRFProtect:
    """Double-submit token: a random cookie, echoed in a form field or the X-CSRF-Token header;
    once signed in, the token kept in the signed session instead.

    Every POST/PUT/PATCH/DELETE needs it, except paths that authenticate otherwise (the SMS
    gateway signs its body). The body is buffered (up to ``max_body``) to read the field, then
    replayed to the app.
    """

    def __init__(
        self,
        app: ASGIApp,
        reject: Callable[[Scope, Receive, Send, str], Awaitable[None]],
        *,
        exempt: tuple[str, ...] = (),
        streamed: re.Pattern | None = None,
        secure: bool = False,
        max_body: int = 30 * 1024 * 1024,
    ) -> None:
        self.app, self.reject, self.exempt, self.streamed = app, reject, exempt, streamed
        self.secure, self.max_body = secure, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        cookie = _cookie(scope, CSRF_COOKIE)
        token = cookie if cookie and len(cookie) == 43 else secrets.token_urlsafe(32)
        send = self._setting_cookie(send, token) if token != cookie else send
        own = scope.get("session", {}).get(SESSION_CSRF)
        if isinstance(own, str) and own:
            # Signed in: the token is the session's own, so one taken from another session
            # (even of the same account, even with its cookie copied) is refused.
            token = cookie = own
        scope.setdefault("state", {})["csrf_token"] = token
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if self.streamed and self.streamed.match(scope["path"]) and _is_multipart(scope):
            # These uploads (photos, audio spots) stream to disk under their own size limits: the
            # token comes in the header or the form action's query string, the body passes unread.
            await self._check_unbuffered(scope, receive, send, cookie)
            return
        body, too_large = await _read_body(receive, self.max_body)
        if too_large:
            await self.reject(scope, receive, send, "too_large")
            return
        replayed = replay(body)
        request = Request(scope)
        submitted = request.headers.get(CSRF_HEADER) or request.query_params.get(CSRF_FIELD)
        plain = request.headers.get("content-type", "").startswith(URLENCODED)
        if submitted is None and body and plain:
            # The plain forms (every vote): the standard library's parser is enough and quicker.
            try:
                fields = parse_qs(body.decode("latin-1"), max_num_fields=MAX_FIELDS)
            except ValueError:  # too many fields: no honest form of ours
                fields = {}
            submitted = fields.get(CSRF_FIELD, [None])[0]
        elif submitted is None and body:
            submitted = await _form_token(scope, body)
        if not cookie or not isinstance(submitted, str):
            await self.reject(scope, replayed, send, "csrf")
            return
        if not secrets.compare_digest(submitted.encode(), cookie.encode()):
            await self.reject(scope, replayed, send, "csrf")
            return
        await self.app(scope, replayed, send)

    async def _check_unbuffered(self, scope: Scope, receive: Receive, send: Send, cookie) -> None:
        request = Request(scope)
        submitted = request.headers.get(CSRF_HEADER) or request.query_params.get(CSRF_FIELD)
        if cookie and submitted and secrets.compare_digest(submitted.encode(), cookie.encode()):
            await self.app(scope, receive, send)
        else:
            await self.reject(scope, receive, send, "csrf")

    def _setting_cookie(self, send: Send, token: str) -> Send:
        value = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"
        value += "; Secure" if self.secure else ""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Set-Cookie", value)
            await send(message)

        return wrapped


# One line a request, by route template: uvicorn's own access log (off in ``icon serve``) writes
# the raw path and query, which hold gateway secrets (/sms/kannel/<secret>), senders' numbers and
# their votes (?sender=...&message=ICON+2), and single-use tokens (/setup/<token>).
access = logging.getLogger("icon.access")
ROUTES = "icon.routes"


def route_label(scope: Scope) -> str:
    """The request's route template, as the metrics and the logs name a request: never its raw
    path, which may carry a token."""
    endpoint = scope.get("endpoint")
    return scope.get(ROUTES, {}).get(endpoint, "other") if endpoint is not None else "unmatched"


class Metrics:
    """Counts requests and their latency, labelled by route template (never the raw path), and
    logs each request so: method, route template, status and time, nothing the visitor sent."""

    def __init__(self, app: ASGIApp, routes: list) -> None:
        self.app = app
        # The router records the endpoint it chose in the scope: its route's template is the
        # label, found without matching every route again.
        self.labels = {
            route.app if isinstance(route, Mount) else route.endpoint: route.path
            for route in routes
        }
        self.series: dict[tuple[str, str, int], tuple] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        scope[ROUTES] = self.labels  # for route_label, wherever the request goes

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route, took = route_label(scope), time.perf_counter() - start
            count, latency = self._series(scope["method"], route, status)
            count.inc()
            latency.observe(took)
            if access.isEnabledFor(logging.INFO):
                access.info('"%s %s" %d %.1f ms', scope["method"], route, status, took * 1000)

    def _series(self, method: str, route: str, status: int) -> tuple:
        # Looking the labelled series up costs more than counting; the label sets are few.
        key = (method, route, status)
        found = self.series.get(key)
        if found is None:
            found = (
                metrics.REQUESTS.labels(method, route, str(status)),
                metrics.LATENCY.labels(route),
            )
            if len(self.series) < MAX_SERIES:  # odd methods must not grow it without end
                self.series[key] = found
        return found


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is simply no cookie
                return None
            if name in jar:
                return jar[name].value
    return None


async def _form_token(scope: Scope, body: bytes) -> str | None:
    """The token field of a body no plain parser reads (multipart); a body that cannot be parsed
    has none. Here, outside the app's exception handlers, a parse error would be a 500."""
    try:
        form = await Request(scope, replay(body)).form()
    except (FormParserError, MultiPartException, HTTPException):
        return None
    submitted = form.get(CSRF_FIELD)
    await form.close()
    return submitted if isinstance(submitted, str) else None


def _is_multipart(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return value.split(b";", 1)[0].strip().lower() == b"multipart/form-data"
    return False


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


async def read_whole_body(receive: Receive, cap: int) -> bytes | None:
    """The whole body, as the client sent it; None if the client hung up. Reading stops as soon
    as more than ``cap`` bytes came, whatever the headers declared (a chunked body declares
    none, and a declared length may be a lie): the caller then has a body longer than ``cap``,
    one chunk's worth at most, and hands it on with ``replay(body, receive)``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > cap or not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, rest: Receive | None = None) -> Receive:
    """A receive channel that hands an already read body on once (the lean paths use it too);
    with ``rest``, as the first part of a body that goes on in ``rest`` (where a body cut short
    at its cap was left), so what comes after reads the client's stream itself."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await rest() if rest is not None else {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": rest is not None}

    return receive


class WatchedSend:
    """A send channel that remembers whether the response has started: until it has, a failure
    can still be answered with a status of its own."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)
