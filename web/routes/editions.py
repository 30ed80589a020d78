"""Managers' editions: the list, each (archived) edition to browse, and starting the next one."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns, editions
from campaign.errors import Invalid, PhaseClosed
from campaign.models import Role
from web import htmx
from web.auth import require_role, staff


def _list_context(engine, errors: dict | None = None, refusal: str = "") -> dict:
    found = editions.all_editions(engine)
    current = found[0] if found else None
    return {"editions": found, "current": current, "errors": errors or {}, "refusal": refusal}


def editions_page(request: Request) -> Response:
    require_role(request, Role.manager)
    context = _list_context(request.app.state.engine)
    context["started"] = request.query_params.get("started", "")
    return request.app.state.renderer.render(request, "manage/editions.html", context)


def edition_page(request: Request) -> Response:
    require_role(request, Role.manager)
    campaign = editions.edition(request.app.state.engine, request.path_params["campaign_id"])
    context = {"campaign": campaign, "phase_fields": campaigns.PHASE_FIELDS}
    return request.app.state.renderer.render(request, "manage/edition.html", context)


async def start_next(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    form = await request.form()
    try:
        new = await run_in_threadpool(
            editions.start_next,
            engine,
            user.id,
            request.path_params["campaign_id"],
            str(form.get("year", "")),
            str(form.get("title", "")),
        )
    except Invalid as exc:
        context = await run_in_threadpool(_list_context, engine, exc.errors)
        return renderer.render(request, "manage/editions.html", context, status=422)
    except PhaseClosed as exc:
        context = await run_in_threadpool(_list_context, engine, None, exc.message)
        return renderer.render(request, "manage/editions.html", context, status=409)
    return htmx.redirect(request, f"/manage/editions?started={new.year}")


routes = [
    Route("/manage/editions", editions_page, name="manage_editions"),
    Route("/manage/editions/{campaign_id:int}", edition_page, name="manage_edition"),
    Route(
        "/manage/editions/{campaign_id:int}/next",
        start_next,
        methods=["POST"],
        name="manage_edition_next",
    ),
]
