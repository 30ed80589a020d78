"""Public pages: home, language switch, health and metrics."""

from __future__ import annotations

import ipaddress
import secrets

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import NoMatchFound, Route

from campaign import campaigns, metrics, phases
from campaign.db import utcnow
from campaign.i18n import N_
from campaign.phases import Phase
from voting import rounds
from web.auth import current_user, safe_next
from web.i18n import COOKIE, COOKIE_MAX_AGE

# What a visitor can do in each phase: (route name, label msgid). A feature's route appears on the
# home page as soon as it exists.
PHASE_ACTIONS: dict[Phase, list[tuple[str, str]]] = {
    Phase.nominations: [
        ("nominate", N_("Nominate an honest civil servant")),
        ("track", N_("Follow a nomination")),
    ],
    Phase.review: [("track", N_("Follow a nomination"))],
    Phase.voting: [
        ("vote", N_("Vote for your Integrity Icon")),
        ("finalists", N_("Meet the finalists")),
    ],
    Phase.results: [("results", N_("See the results")), ("icons", N_("Meet the Integrity Icons"))],
}


def _actions(request: Request, phase: Phase | None, vote_open: bool) -> list[tuple[str, str]]:
    found = []
    for name, label in PHASE_ACTIONS.get(phase, []):
        if name == "vote" and not vote_open:
            continue  # /vote would only say that no vote is open
        try:
            found.append((str(request.app.router.url_path_for(name)), label))
        except NoMatchFound:
            continue
    return found


def home(request: Request) -> Response:
    current_user(request)
    campaign = campaigns.current(request.app.state.engine)
    context = {"campaign": campaign}
    if campaign is not None:
        now = utcnow()
        phase = phases.current_phase(campaign, now)
        vote = rounds.vote_now(request.app.state.engine, campaign.id, now)
        windows, upcoming = phases.windows(campaign), phases.next_window(campaign, now)
        if vote.open_until:
            phase = Phase.voting  # a round is open: /vote shows a ballot, whatever the dates say
            if upcoming is not None and upcoming.phase == Phase.voting:
                # "Voting is open. Next: Public vote" contradicts itself: the results follow.
                upcoming = windows[-1]
        context |= {
            "phase": phase,
            "vote": vote,
            "windows": windows,
            "next": upcoming,
            "actions": _actions(request, phase, vote.open_until is not None),
        }
    return request.app.state.renderer.render(request, "home.html", context)


async def set_language(request: Request) -> Response:
    form = await request.form()
    code = form.get("code")
    renderer = request.app.state.renderer
    if code not in [
        language.code for language in renderer.catalogue.offered(renderer.wanted(request))
    ]:
        return renderer.render(
            request,
            "errors/error.html",
            {"status": 400, "message": N_("This language is not available.")},
            status=400,
        )
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
    return response


def healthz(request: Request) -> Response:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", said plainly
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def metrics_endpoint(request: Request) -> Response:
    # For the scraper, not for people: the bearer token of ICON_METRICS_TOKEN, or without it
    # a client on this machine only (uvicorn has already applied the proxy's headers).
    token = request.app.state.settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        if not secrets.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse(
                "A bearer token is required.\n", 401, headers={"WWW-Authenticate": "Bearer"}
            )
    elif not _loopback(request.client.host if request.client else ""):
        return PlainTextResponse("Only from this machine, or set ICON_METRICS_TOKEN.\n", 403)
    body, content_type = metrics.exposition()
    return PlainTextResponse(body, media_type=content_type)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


routes = [
    Route("/", home, name="home"),
    Route("/lang", set_language, methods=["POST"], name="set_language"),
    Route("/healthz", healthz, name="healthz"),
    Route("/metrics", metrics_endpoint, name="metrics"),
]
