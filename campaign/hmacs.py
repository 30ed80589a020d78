"""HMACs keyed once per key: the same values as ``hmac.new(key, message, digest)``.

They run several times for every vote and webhook request (voter and sender hashes, the reply
key, the gateway's signature), and keying an HMAC costs more than hashing a short message; here
each call copies an HMAC already keyed (and fed a fixed prefix). ``hmac.digest`` would not help:
with OpenSSL 3 it looks the digest up by name on every call and measured slower than
``hmac.new`` (1.8 against 1.5 us; a copy of OpenSSL's keyed HMAC 0.7 us).
"""

from __future__ import annotations

import hmac
from functools import lru_cache

try:  # OpenSSL's HMAC, as hmac.new wraps it: without the Python layer around every call
    from _hashlib import hmac_new as _new
except ImportError:  # a Python built without OpenSSL: the stdlib's own HMAC, same values
    _new = hmac.new


def hex_digest(key: str, message: bytes, digest: str = "sha256", prefix: str = "") -> str:
    """``hmac.new(key.encode(), prefix.encode() + message, digest).hexdigest()``."""
    h = _keyed(key, digest, prefix).copy()
    h.update(message)
    return h.hexdigest()


def digest(key: str, message: bytes, digest: str = "sha256") -> bytes:
    """``hmac.new(key.encode(), message, digest).digest()``."""
    h = _keyed(key, digest, "").copy()
    h.update(message)
    return h.digest()


@lru_cache(maxsize=64)  # a handful of (key, digest, prefix): the keys are the site's settings
def _keyed(key: str, digest: str, prefix: str):
    # Only ever copied after this, never updated: safe to share between threads.
    return _new(key.encode(), prefix.encode(), digest)
