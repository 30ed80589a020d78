"""The signed SMS webhook on the leanest path: answered right after the metrics, before the
middleware it has no use for (languages, gzip, sessions, CSRF, the router, templates).

A gateway's ``POST /sms/inbound`` is the voting night's busiest request, and all it needs is its
body, its signature and the reply. Only the common case is answered here: a declared body within
the route's cap, a good signature and a sender. Anything else (a body too large or of unknown
length, a bad signature, no sender) goes on to the full stack with the body replayed, so every
refusal is the one the full stack gives. The reply itself is ``web.routes.sms.reply``, the same
function the full stack calls, so limits, idempotency, logging and replies are one code.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from campaign import sms_inbound
from campaign.text import clean_form
from web.middleware import raw_security_headers, read_whole_body, replay
from web.routes import sms as sms_routes

log = logging.getLogger("icon")
PATH = "/sms/inbound"


class LeanWebhook:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            *raw_security_headers(https),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        length, signature = _headers(scope)
        if length is None or not length.isdigit() or int(length) > sms_routes.MAX_BODY:
            await self.app(scope, receive, send)  # the body cap's own answer
            return
        body = await read_whole_body(receive, sms_routes.MAX_BODY)
        if body is None:
            return  # the gateway hung up
        if len(body) > sms_routes.MAX_BODY:  # more than it declared: read no further
            await self.app(scope, replay(body, receive), send)
            return
        settings = scope["app"].state.settings
        form = {}
        if sms_inbound.signature_ok(settings.sms_secret, body, signature):
            form = clean_form(
                {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            )
        sender = form.get("from", "")
        if not sender:  # a refusal: the full stack's, word for word
            await self.app(scope, replay(body), send)
            return
        scope["endpoint"] = sms_routes.inbound  # the metrics' route label, as the router sets it
        gateway_id = (form.get("id") or "").strip() or None
        text = form.get("text", "")
        try:
            answer = await sms_routes.reply(scope["app"], gateway_id, sender, text)
        except Exception:
            log.exception("error on %s", PATH)
            await self._send(send, 500, b"Internal Server Error")
            return
        await self._send(send, 200, answer.encode())

    async def _send(self, send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-length", str(len(body)).encode()), *self.headers]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The declared length (None for a chunked body, even with a length beside it: the body
    limit counts those) and the signature."""
    length = signature = None
    for key, value in scope["headers"]:
        if key == b"transfer-encoding":
            return None, None
        if key == b"content-length" and length is None:
            length = value.decode("latin-1").strip()
        elif key == b"x-icon-signature" and signature is None:
            signature = value.decode("latin-1")
    return length, signature
