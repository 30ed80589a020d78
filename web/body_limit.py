"""Request bodies capped per route, before anything reads them: one client posting 400 MB must
not take the server's memory.

A declared Content-Length over the route's cap is refused with 413 at once, unread; a body sent
without one (chunked) is counted as it streams, and reading stops at the first byte over the cap.
The uploads that stream to disk under their own limits (photos, audio spots) pass through.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.middleware import WatchedSend

KB = 1024
MB = 1024 * KB


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        reject: Callable[[Scope, Receive, Send, str], Awaitable[None]],
        *,
        caps: tuple[tuple[re.Pattern, int | None], ...],
        default: int,
    ) -> None:
        self.app, self.reject, self.caps, self.default = app, reject, caps, default

    def cap(self, path: str) -> int | None:
        """The route's cap in bytes; None for the uploads that enforce their own."""
        for pattern, cap in self.caps:
            if pattern.match(path):
                return cap
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap(scope["path"])
        if cap is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await self.reject(scope, receive, send, "too_large")
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge()
            return message

        watched = WatchedSend(send)
        try:
            await self.app(scope, limited, watched)
        except BodyTooLarge:
            if watched.started:  # too late for a status: the connection ends here
                return
            await self.reject(scope, receive, send, "too_large")


def _content_length(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return text if text.isascii() else "x"
    return None
