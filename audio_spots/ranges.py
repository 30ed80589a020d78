"""HTTP conditional and range requests for spot files (RFC 9110), as pure functions.

One byte range per request: what players send to seek or resume. A multi-range or malformed
header is ignored (the whole file is sent), as the RFC allows.
"""

from __future__ import annotations

import re

# At most 18 digits: larger is no file of ours, and int() refuses over 4,300 digits (a 500).
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


class Unsatisfiable(Exception):
    """The range starts past the end: answered 416 with ``Content-Range: bytes */size``."""


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as If-None-Match requires."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags


def byte_range(
    header: str | None, size: int, if_range: str | None, etag: str
) -> tuple[int, int] | None:
    """The inclusive (first, last) bytes to send, or None for the whole file.

    An If-Range that is not our strong ETag (a date included: we send no Last-Modified) means
    the client's copy may be another file: send it whole.
    """
    if not header or (if_range is not None and if_range.strip() != etag):
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last n bytes
        n = int(last)
        if n == 0:
            raise Unsatisfiable
        return max(size - n, 0), size - 1
    start = int(first)
    if last != "" and int(last) < start:
        return None  # not a valid range, so ignored
    if start >= size:
        raise Unsatisfiable
    return start, size - 1 if last == "" else min(int(last), size - 1)
