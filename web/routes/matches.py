"""Managers' "possibly the same person" queue: merge a probable match or mark it as two people."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Role
from nominations import matches
from web import htmx
from web.auth import require_role, staff

NO_NOMINEE = N_("No such nominee.")


def matches_page(request: Request) -> Response:
    require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    q = request.query_params
    context = {
        "campaign": campaign,
        "matches": matches.queue(engine, campaign.id),
        "done": q.get("done", "") if q.get("done") in ("same", "distinct") else "",
    }
    return request.app.state.renderer.render(request, "moderation/matches.html", context)


async def _pair(request: Request) -> tuple[int, int]:
    form = await request.form()
    values = [str(form.get(k, "")) for k in ("left", "right")]
    if not all(v.isdigit() and len(v) < 10 for v in values) or values[0] == values[1]:
        raise NotFound(NO_NOMINEE)
    return int(values[0]), int(values[1])


async def same(request: Request) -> Response:
    user = await staff(request, Role.manager)
    left, right = await _pair(request)
    await run_in_threadpool(matches.confirm_same, request.app.state.engine, user.id, left, right)
    return htmx.redirect(request, "/manage/nominees/matches?done=same")


async def distinct(request: Request) -> Response:
    user = await staff(request, Role.manager)
    left, right = await _pair(request)
    await run_in_threadpool(matches.mark_distinct, request.app.state.engine, user.id, left, right)
    return htmx.redirect(request, "/manage/nominees/matches?done=distinct")


routes = [
    Route("/manage/nominees/matches", matches_page, name="manage_matches"),
    Route("/manage/nominees/matches/same", same, methods=["POST"], name="manage_match_same"),
    Route(
        "/manage/nominees/matches/distinct",
        distinct,
        methods=["POST"],
        name="manage_match_distinct",
    ),
]
