"""The web vote and its confirmation page on the leanest path: ``POST /vote`` and
``GET /vote/counted`` answered right after the metrics, as web/lean.py answers the SMS webhook.

After an episode airs these are the site's busiest pages, and each needs only a little of what the
middleware does for every page: the CSRF check, the signed session, the visitor's language, the
security headers, gzip. Here each is done once, cheaply and to the same effect, for the common
case only: a plain form within the body cap, a well-formed CSRF cookie echoed once in the form, a
visitor not signed in, simple cookies, ASCII headers, no query string, no htmx. Anything else goes
on to the full stack (the body replayed), so every refusal is the full stack's own; a vote that
its batch refused (a wrong code, a closed round, a second vote...) is handed on with the batch's
answer (``vote.CAST_RESULT``) and never cast twice. The 303 leaves only once the vote's batch
committed, as ``vote.cast``'s does.

The session cookie is Starlette's SessionMiddleware's, byte for byte (web/lean_session.py).
"""

from __future__ import annotations

import logging
import re
import secrets
import zlib
from collections.abc import Callable
from http.cookies import Morsel
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from campaign import phones
from web.i18n import COOKIE as LANG_COOKIE
from web.lean_session import MAX_CACHED, SESSION_COOKIE, Sessions
from web.middleware import (
    CSRF_COOKIE,
    CSRF_FIELD,
    MAX_FIELDS,
    SESSION_CSRF,
    URLENCODED,
    WatchedSend,
    raw_security_headers,
    read_whole_body,
    replay,
)
from web.routes import vote

log = logging.getLogger("icon")
VOTE, COUNTED = "/vote", "/vote/counted"
COUNTED_TEMPLATE = "vote/voted.html"
GZIP_MINIMUM, GZIP_LEVEL = 500, 6  # web/app.py gives CompressPages these
# Cookies both of the full stack's parsers read alike (the CSRF check's SimpleCookie; Starlette's
# cookie_parser for the session, the language and the browser's hash): names and values of plain
# characters, "; " between them, no name twice, no attribute's name. Anything else: the full stack.
SIMPLE_COOKIES = re.compile(r"[\w\-]+=[\w\-+/=.]*(?:; [\w\-]+=[\w\-+/=.]*)*", re.ASCII)
# SimpleCookie reads these as attributes: of the cookie before them, or, first, as a header that
# holds no cookie at all (``expires=1; icon_csrf=...``), where Starlette reads two cookies. Its own
# list, so a Python that adds one is followed.
ATTRIBUTES = frozenset(Morsel._reserved)
TOKEN = re.compile(r"[\w\-]{43}", re.ASCII)  # secrets.token_urlsafe(32), as CSRFProtect keeps it
# A language chosen from a longer Accept-Language (or lang cookie) is chosen anew each time, not
# kept: 4,096 keys of a header's full length each would hold tens of megabytes.
CACHED_HEADER = 200


class LeanVote:
    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        session_seconds: int,
        https: bool,
        body_cap: int,
        known: Callable[[], list[str] | None],
    ) -> None:
        self.app, self.secret_key, self.cap, self.known = app, secret_key, body_cap, known
        self.sessions = Sessions(secret_key, session_seconds, https)
        self.security = raw_security_headers(https)
        self.languages: dict[tuple, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["query_string"]:
            if scope["path"] == VOTE and scope["method"] == "POST":
                await self._vote(scope, receive, send)
                return
            if scope["path"] == COUNTED and scope["method"] == "GET":
                await self._counted(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _vote(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        length = headers.get(b"content-length") if headers else None
        if (
            length is None
            or not length.isdigit()
            or int(length) > self.cap
            or not headers.get(b"content-type", "").startswith(URLENCODED)
            or b"x-csrf-token" in headers
            or b"hx-request" in headers
            # A chunked body, even with a length beside it: web/body_limit.py counts it.
            or b"transfer-encoding" in headers
        ):
            await self.app(scope, receive, send)  # its body unread: the full stack's answer
            return
        cookies = _cookies(headers.get(b"cookie"))
        token = cookies.get(CSRF_COOKIE) if cookies else None
        if token is None or not TOKEN.fullmatch(token):
            await self.app(scope, receive, send)
            return
        body = await read_whole_body(receive, self.cap)
        if body is None:
            return  # the visitor hung up
        if len(body) > self.cap:  # more than it declared: the body limit's refusal, read no further
            await self.app(scope, replay(body, receive), send)
            return
        try:
            pairs = form_pairs(body.decode("latin-1"))
        except ValueError:
            pairs = []
        submitted = [value for name, value in pairs if name == CSRF_FIELD]
        session, _ = self.sessions.load(cookies.get(SESSION_COOKIE))
        if (
            len(submitted) != 1
            or not secrets.compare_digest(submitted[0].encode(), token.encode())
            or SESSION_CSRF in session  # signed in: the session's own token decides
        ):
            await self.app(scope, replay(body), send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        browser = phones.keyed_hash(self.secret_key, token, "browser")[:32]
        scope["endpoint"] = vote.cast  # the metrics' route label, as the router sets it
        try:
            receipt = await scope["app"].state.votes.web(
                vote.web_vote(vote.kept(dict(pairs)), address, browser)
            )
        except Exception as exc:  # noqa: BLE001 - the full stack answers it, with this result
            scope[vote.CAST_RESULT] = exc
            await self.app(scope, replay(body), send)
            return
        try:
            session = {**session, vote.RECEIPT_KEY: vote.session_receipt(receipt)}
            cookie = self.sessions.header(session)
        except Exception:
            # The vote counted: its answer says so, whatever failed in making it here.
            log.exception("answering a counted vote on %s", VOTE)
            await self._counted_anyway(scope, replay(body), send, receipt)
            return
        await self._to_counted(send, cookie)

    async def _counted_anyway(self, scope: Scope, receive: Receive, send: Send, receipt) -> None:
        """A counted vote this path could not answer: the full stack answers it from the batch's
        receipt (``vote.cast`` casts nothing again). Should that fail too before its answer
        started, the voter still goes to the confirmation, never to an error page for a vote
        that counted; the session, which could not take the new receipt, is cleared rather than
        left to show an older vote's receipt as this one's (a visitor's session holds nothing
        else: the signed in take the full stack)."""
        scope[vote.CAST_RESULT] = receipt
        watched = WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception:
            if watched.started:
                raise
            log.exception("answering a counted vote on %s, on the full stack", VOTE)
            await self._to_counted(send, self.sessions.cleared)

    async def _to_counted(self, send: Send, cookie: bytes) -> None:
        answer = [
            (b"content-length", b"0"),
            (b"location", COUNTED.encode()),
            (b"set-cookie", cookie),
            *self.security,
        ]
        await send({"type": "http.response.start", "status": 303, "headers": answer})
        await send({"type": "http.response.body", "body": b""})

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        cookies = _cookies(headers.get(b"cookie")) if headers else None
        token = cookies.get(CSRF_COOKIE) if cookies else None
        if (
            token is None
            or not TOKEN.fullmatch(token)
            or headers.get(b"content-length", "0") != "0"
            or b"transfer-encoding" in headers
        ):
            await self.app(scope, receive, send)
            return
        session, payload = self.sessions.load(cookies.get(SESSION_COOKIE))
        receipt = session.get(vote.RECEIPT_KEY)
        wanted = self.known()
        if (
            not isinstance(receipt, dict)
            or SESSION_CSRF in session
            or wanted is None
            or not all(type(v) in (str, int) for v in receipt.values())
        ):
            await self.app(scope, receive, send)
            return
        try:
            answer, body = self._page(scope, headers, cookies, payload, receipt, token, wanted)
        except Exception:
            # The full stack's page, or its own error page: never a bare 500 from here.
            log.exception("the lean page on %s", COUNTED)
            answer = body = None
        if answer is None:  # the first visitor's page renders (and proves) the filled one
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": answer})
        await send({"type": "http.response.body", "body": body})

    def _page(self, scope, headers, cookies, payload, receipt, token, wanted) -> tuple:
        """The page's headers and body; (None, None) for the full stack to answer."""
        renderer = scope["app"].state.renderer
        lang = self._language(
            renderer, cookies.get(LANG_COOKIE), headers.get(b"accept-language"), wanted
        )
        html = renderer.filled_page(COUNTED_TEMPLATE, lang, wanted, COUNTED, receipt, token)
        if html is None:
            return None, None
        body = html.encode("utf-8")
        vary = b"Cookie, Accept-Language"
        encoded = []
        if len(body) >= GZIP_MINIMUM:
            vary += b", Accept-Encoding"
            if "gzip" in headers.get(b"accept-encoding", ""):
                body = zlib.compress(body, GZIP_LEVEL, 31)  # 31: a gzip stream
                encoded = [(b"content-encoding", b"gzip")]
        answer = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-language", lang.encode()),
            (b"vary", vary),
            (b"cache-control", b"no-store"),
            (b"set-cookie", self.sessions.header_again(payload)),
            *encoded,
            *self.security,
        ]
        scope["endpoint"] = vote.counted_page
        return answer, body

    def _language(self, renderer, cookie: str | None, accept: str | None, wanted: list[str]) -> str:
        if len(accept or "") > CACHED_HEADER or len(cookie or "") > CACHED_HEADER:
            return renderer.catalogue.negotiate(cookie, accept, wanted)
        key = (cookie, accept, tuple(wanted))
        lang = self.languages.get(key)
        if lang is None:
            lang = renderer.catalogue.negotiate(cookie, accept, wanted)
            if len(self.languages) >= MAX_CACHED:
                self.languages.clear()
            self.languages[key] = lang
        return lang


def form_pairs(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)``, pair for pair
    (vote._form reads the form so), without its per-call overhead on a form of plain fields."""
    if 1 + text.count("&") > MAX_FIELDS:
        raise ValueError("Max number of fields exceeded")
    pairs = []
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_unquoted(name), _unquoted(value)))
    return pairs


def _unquoted(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return unquote(text, errors="replace") if "%" in text else text


def _headers(scope: Scope) -> dict[bytes, str] | None:
    """The request's headers, first of each name as Starlette reads them; None if one is not
    ASCII or the cookies come in more than one header (the full stack answers those)."""
    found: dict[bytes, str] = {}
    for key, value in scope["headers"]:
        if not value.isascii() or (key == b"cookie" and key in found):
            return None
        if key not in found:
            found[key] = value.decode("ascii")
    return found


def _cookies(header: str | None) -> dict[str, str] | None:
    if header is None or not SIMPLE_COOKIES.fullmatch(header):
        return None
    pairs = [pair.split("=", 1) for pair in header.split("; ")]
    cookies = dict(pairs)
    if len(cookies) != len(pairs) or not ATTRIBUTES.isdisjoint(map(str.lower, cookies)):
        return None  # a name twice, or an attribute's
    return cookies
