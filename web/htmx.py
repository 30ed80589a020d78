"""The htmx protocol in one place: detection, redirects, triggers.

htmx (2.0.11, pinned in web/static/vendor) swaps only 2xx by default. Our forms answer a
failed validation with 422 and the form's block; ``static/app.js`` tells htmx to swap 422 so the
errors show in place. Every other 4xx/5xx is left unswapped, so a full error page is never injected
into a fragment.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def redirect(request: Request, url: str) -> Response:
    """After a POST: a 303 for a plain form, an ``HX-Redirect`` for htmx (a 302 would be followed
    by XHR and its page swapped into the fragment)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response
