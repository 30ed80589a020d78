"""What handlers share to read a posted form or a query: ids and counts, and the common shape
of a form post (call the domain, show the form again on Invalid, redirect on success)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from campaign.errors import Invalid
from campaign.text import whole
from web import htmx

T = TypeVar("T")
MAX_ID = 10**9


def number(value: object) -> int | None:
    """An id, a page or a count from a form or a query: ASCII digits from 0 to 10⁹, else None
    (``"²"`` is a digit to ``str.isdigit`` and ``int`` refuses it)."""
    return whole(value, 0, MAX_ID)


async def post(
    request: Request,
    call: Callable[[], T],
    done: str | Callable[[T], str],
    again: Callable[..., Response],
) -> Response:
    """``call()`` (one domain service, in the thread pool), then the redirect to ``done`` (or
    ``done(result)``): a 303, or ``HX-Redirect`` for htmx. If the service refuses the input,
    ``again(errors=..., status=422)`` renders the form once more with its errors."""
    try:
        result = await run_in_threadpool(call)
    except Invalid as exc:
        return await run_in_threadpool(again, errors=exc.errors, status=422)
    return htmx.redirect(request, done(result) if callable(done) else done)
