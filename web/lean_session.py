"""The visitor's session cookie on the lean vote path (web/lean_vote.py), byte for byte
Starlette's SessionMiddleware's: itsdangerous' TimestampSigner over base64 JSON, same key, salt,
flags and lifetime, so the rest of the site reads it; checked and signed without the middleware's
per-request cost."""

from __future__ import annotations

import hmac
import json
import time
from base64 import b64decode, b64encode

from itsdangerous import BadSignature, TimestampSigner
from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, want_bytes

SESSION_COOKIE = "icon_session"  # web/app.py gives SessionMiddleware this name
MAX_CACHED = 4096  # entries a lean-path cache keeps at most (then it is emptied at once)


class _Signer(TimestampSigner):
    """Starlette's session signer (same secret, salt, key derivation and digest), with the
    derived key computed once instead of on every sign and check, and the signature made by the
    standard library's one-call HMAC (the same bytes as itsdangerous' HMACAlgorithm)."""

    def __init__(self, secret_key: str) -> None:
        super().__init__(secret_key)
        self._derived: dict = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self._derived.get(secret_key)
        if key is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key

    def get_signature(self, value: str | bytes) -> bytes:
        return base64_encode(hmac.digest(self.derive_key(), want_bytes(value), "sha1"))


class Sessions:
    """Reads and writes the session cookie as SessionMiddleware does. A cookie whose signature
    was checked is remembered with what it holds (the check is the same for the same bytes; its
    age is checked each time), and the cookie a page sends back is signed once per second."""

    def __init__(self, secret_key: str, max_age: int, https: bool) -> None:
        self.signer = _Signer(secret_key)
        self.max_age = max_age
        flags = "httponly; samesite=lax" + ("; secure" if https else "")
        self.prefix = f"{SESSION_COOKIE}=".encode()
        self.suffix = f"; path=/; Max-Age={max_age}; {flags}".encode()
        # As SessionMiddleware clears a session: no signature needed.
        expired = "expires=Thu, 01 Jan 1970 00:00:00 GMT"
        self.cleared = f"{SESSION_COOKIE}=null; path=/; {expired}; {flags}".encode()
        # cookie -> (its timestamp, the session it holds, that session encoded again)
        self.verified: dict[str, tuple[int, dict, bytes]] = {}
        self.signed: dict[bytes, tuple[int, bytes]] = {}

    def load(self, cookie: str | None) -> tuple[dict, bytes]:
        """The session (empty without a cookie, or with a bad or expired one, as Starlette's),
        shared: never to be changed in place; and its payload as SessionMiddleware writes it."""
        if cookie is None:
            return {}, b""
        found = self.verified.get(cookie)
        if found is None:
            try:
                data = self.signer.unsign(cookie.encode("utf-8"), max_age=self.max_age)
            except BadSignature:
                return {}, b""
            stamp = bytes_to_int(base64_decode(cookie.rsplit(".", 2)[1]))
            session = json.loads(b64decode(data))
            if len(self.verified) >= MAX_CACHED:
                self.verified.clear()
            self.verified[cookie] = found = (stamp, session, _payload(session))
        stamp, session, payload = found
        if not 0 <= int(time.time()) - stamp <= self.max_age:
            return {}, b""  # expired: Starlette's SignatureExpired, an empty session
        return session, payload

    def header(self, session: dict) -> bytes:
        """The Set-Cookie value SessionMiddleware sends for this (non-empty) session."""
        return self.prefix + self.signer.sign(_payload(session)) + self.suffix

    def header_again(self, payload: bytes) -> bytes:
        """``header`` for a session sent back unchanged (``load``'s payload): the same bytes
        within one second."""
        now = int(time.time())
        found = self.signed.get(payload)
        if found is None or found[0] != now:
            if len(self.signed) >= MAX_CACHED:
                self.signed.clear()
            signed = self.prefix + self.signer.sign(payload) + self.suffix
            found = self.signed[payload] = (now, signed)
        return found[1]


def _payload(session: dict) -> bytes:
    return b64encode(json.dumps(session).encode("utf-8"))
