"""Managers' moderation: the nominations list and statuses, nominee pages (merge, split,
regroup), CSV exports and figures. Every handler checks the manager role itself."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from campaign import campaigns
from campaign.i18n import N_
from campaign.models import Role
from nominations import export, grouping, moderation, nominees, stats
from nominations.models import Channel, Status
from web import forms, htmx
from web.auth import require_role, staff

PER_PAGE = 50
NO_NOMINEE = N_("No such nominee.")


def _list_url(filters: moderation.Filters, page: int, **notice: int) -> str:
    query = "&".join(q for q in (filters.query(), urlencode(notice)) if q)
    page_part = f"page={page}" if page > 1 else ""
    return "/manage/nominations?" + "&".join(q for q in (query, page_part) if q)


def _list_response(request, filters, page, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    result = moderation.list_nominations(engine, campaign.id, filters, page, PER_PAGE)
    q = request.query_params
    context = {
        "campaign": campaign,
        "result": result,
        "filters": filters.values(),
        "back": "&".join(p for p in (filters.query(), f"page={result.page}") if p),
        "page_query": filters.query(),
        "statuses": list(Status),
        "channels": list(Channel),
        "moderation_statuses": moderation.MODERATION_STATUSES,
        "updated": forms.number(q.get("updated")),
        "regrouped": {k: forms.number(q.get(k)) for k in ("nominations", "nominees", "moved")},
        "errors": errors or {},
        "form": form or {},
    }
    return request.app.state.renderer.render(
        request, "moderation/nominations.html", context, status=status, block="results"
    )


def nominations_page(request: Request) -> Response:
    require_role(request, Role.manager)
    filters = moderation.Filters.parse(request.query_params)
    return _list_response(request, filters, forms.number(request.query_params.get("page")) or 1)


async def change_status(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    # The list the manager was looking at: rebuilt from parsed values, never echoed as given.
    back = dict(parse_qsl(str(form.get("back", ""))))
    filters, page = moderation.Filters.parse(back), forms.number(back.get("page")) or 1
    status, reason = str(form.get("status", "")), str(form.get("reason", ""))
    ids = moderation.parse_ids(form.getlist("nomination"))
    values = {"status": status, "reason": reason, "ids": ids}
    return await forms.post(
        request,
        partial(moderation.set_status, request.app.state.engine, user.id, ids, status, reason),
        lambda changed: _list_url(filters, page, updated=changed),
        partial(_list_response, request, filters, page, form=values),
    )


def nominees_page(request: Request) -> Response:
    require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    q = " ".join(request.query_params.get("q", "").split())[: moderation.SEARCH_MAX]
    result = nominees.list_nominees(engine, campaign.id, q)
    context = {"campaign": campaign, "result": result, "q": q}
    return request.app.state.renderer.render(
        request, "moderation/nominees.html", context, block="results"
    )


def _nominee_response(request, nominee_id: int, *, errors=None, form=None, status=200):
    engine = request.app.state.engine
    find = " ".join(request.query_params.get("find", "").split())[: moderation.SEARCH_MAX]
    detail = nominees.nominee_detail(engine, nominee_id, find)
    q = request.query_params
    context = {
        "campaign": campaigns.require_current(engine),
        "detail": detail,
        "find": find,
        "merged": forms.number(q.get("merged")),
        "split": forms.number(q.get("split")),
        "errors": errors or {},
        "form": form or {},
    }
    return request.app.state.renderer.render(
        request, "moderation/nominee.html", context, status=status
    )


def nominee_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _nominee_response(request, request.path_params["nominee_id"])


async def merge(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    target_id, reason = request.path_params["nominee_id"], str(form.get("reason", ""))
    others = moderation.parse_ids(form.getlist("other"), NO_NOMINEE)
    values = {"action": "merge", "reason": reason, "other": others}
    return await forms.post(
        request,
        partial(grouping.merge, request.app.state.engine, user.id, target_id, others, reason),
        f"/manage/nominees/{target_id}?merged={len(others)}",
        partial(_nominee_response, request, target_id, form=values),
    )


async def split(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    nominee_id, reason = request.path_params["nominee_id"], str(form.get("reason", ""))
    moving = moderation.parse_ids(form.getlist("nomination"))
    values = {"action": "split", "reason": reason, "nomination": moving}
    return await forms.post(
        request,
        partial(grouping.split, request.app.state.engine, user.id, nominee_id, moving, reason),
        lambda new: f"/manage/nominees/{nominee_id}?split={new.id}",
        partial(_nominee_response, request, nominee_id, form=values),
    )


async def regroup(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    counts = await run_in_threadpool(grouping.regroup, engine, campaign.id, user.id)
    return htmx.redirect(request, "/manage/nominations?" + urlencode(counts))


def _csv(chunks, filename: str) -> StreamingResponse:
    # A sync iterator: Starlette reads it in the thread pool, so its queries never block the loop.
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # personal data: no copy left in a shared cache
        },
    )


def nominations_csv(request: Request) -> Response:
    user = require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    chunks = export.export_nominations(engine, campaign.id, actor_id=user.id)
    return _csv(chunks, f"nominations-{campaign.country}-{campaign.year}.csv")


def nominees_csv(request: Request) -> Response:
    user = require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    chunks = export.export_nominees(engine, campaign.id, actor_id=user.id)
    return _csv(chunks, f"nominees-{campaign.country}-{campaign.year}.csv")


def stats_page(request: Request) -> Response:
    require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    figures = stats.figures(engine, campaign.id)
    return request.app.state.renderer.render(
        request, "moderation/stats.html", {"campaign": campaign, "figures": figures}
    )


routes = [
    Route("/manage/nominations", nominations_page, name="manage_nominations"),
    Route("/manage/nominations.csv", nominations_csv, name="manage_nominations_csv"),
    Route("/manage/nominations/status", change_status, methods=["POST"], name="manage_set_status"),
    Route("/manage/nominees", nominees_page, name="manage_nominees"),
    Route("/manage/nominees.csv", nominees_csv, name="manage_nominees_csv"),
    Route("/manage/nominees/regroup", regroup, methods=["POST"], name="manage_regroup"),
    Route("/manage/nominees/{nominee_id:int}", nominee_page, name="manage_nominee"),
    Route("/manage/nominees/{nominee_id:int}/merge", merge, methods=["POST"], name="manage_merge"),
    Route("/manage/nominees/{nominee_id:int}/split", split, methods=["POST"], name="manage_split"),
    Route("/manage/stats", stats_page, name="manage_stats"),
]
