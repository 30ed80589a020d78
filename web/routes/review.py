"""Managers prepare the review: its settings and criteria, the readings of every nominee
(automatic assignment, moves by hand); and a juror declines a reading for a conflict of interest.
Every handler checks the role itself."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns, db
from campaign.errors import Invalid
from campaign.models import Role
from shortlist import assignment, criteria, workload
from shortlist.models import AssignmentStatus
from web import forms, htmx
from web.auth import require_role, staff

PER_PAGE = 50
CONFIG_FIELDS = (*assignment.CONFIG_FIELDS, "jury_picks_finalists")
TEXT_FIELDS = ("name_fr", "name_en", "description_fr", "description_en", "weight")


def _criteria_rows(items) -> list[dict]:
    return [
        {
            "id": c.id,
            "name_fr": c.name.get("fr", ""),
            "name_en": c.name.get("en", ""),
            "description_fr": c.description.get("fr", ""),
            "description_en": c.description.get("en", ""),
            "weight": f"{c.weight:g}",
        }
        for c in items
    ]


def _settings_page(request, *, settings=None, rows=None, errors=None, status=200, block=None):
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    config, items = criteria.load(engine, campaign.id)
    context = {
        "campaign": campaign,
        "settings": settings or {k: getattr(config, k) for k in CONFIG_FIELDS},
        "rows": rows or _criteria_rows(items),
        "errors": errors or {},
        "criteria_open": db.utcnow() < campaign.review_start,
        "settings_open": db.utcnow() < campaign.review_end,
        "saved": request.query_params.get("saved", ""),
        "block": block,  # the form that failed, when one did
    }
    return request.app.state.renderer.render(
        request, "review/settings.html", context, status=status, block=block
    )


def settings_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _settings_page(request)


async def save_settings(request: Request) -> Response:
    """One URL, two forms: the review settings, and the criteria (``section=criteria``)."""
    user = await staff(request, Role.manager)
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    form = await request.form()
    if form.get("section") == "criteria":
        ids = [forms.number(v) or 0 for v in form.getlist("criterion")]
        rows = [{"id": i, **{f: str(form.get(f"{f}_{i}", "")) for f in TEXT_FIELDS}} for i in ids]
        service, data, values = criteria.update, rows, {"rows": rows, "block": "criteria"}
    else:
        data = {k: str(form.get(k, "")) for k in CONFIG_FIELDS}
        service, values = assignment.update_config, {"settings": data, "block": "settings"}
    try:
        await run_in_threadpool(service, engine, user.id, campaign.id, data)
    except Invalid as exc:
        return await run_in_threadpool(
            _settings_page, request, errors=exc.errors, status=422, **values
        )
    return htmx.redirect(request, f"/manage/review?saved={values['block']}")


async def assign(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    counts = await run_in_threadpool(assignment.auto_assign, engine, user.id, campaign.id)
    return htmx.redirect(request, "/manage/review/assignments?" + urlencode(counts))


def _assignments_page(request, filters, page, *, error=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    result = workload.readings(engine, campaign.id, filters, page, PER_PAGE)
    q = request.query_params
    context = {
        "campaign": campaign,
        "result": result,
        "filters": filters,
        "statuses": list(AssignmentStatus),
        "back": "&".join(p for p in (filters.query(), f"page={result.page}") if p),
        "counts": {k: forms.number(q.get(k)) for k in ("created", "blind", "short", "nominees")},
        "moved": "moved" in q,
        "error": error,  # (assignment id, msgid) of a refused move
        "assign_open": db.utcnow() < campaign.review_end,
    }
    return request.app.state.renderer.render(
        request, "review/assignments.html", context, status=status, block="results"
    )


def assignments_page(request: Request) -> Response:
    require_role(request, Role.manager)
    filters = workload.Filters.parse(request.query_params)
    return _assignments_page(request, filters, forms.number(request.query_params.get("page")) or 1)


async def reassign(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    reading_id = request.path_params["assignment_id"]
    # The list the manager was looking at: rebuilt from parsed values, never echoed as given.
    back = dict(parse_qsl(str(form.get("back", ""))))
    filters, page = workload.Filters.parse(back), forms.number(back.get("page")) or 1
    juror_id = forms.number(form.get("juror")) or 0
    try:
        await run_in_threadpool(
            assignment.reassign, request.app.state.engine, user.id, reading_id, juror_id
        )
    except Invalid as exc:
        error = (reading_id, exc.errors.get("juror", exc.message))
        return await run_in_threadpool(
            _assignments_page, request, filters, page, error=error, status=422
        )
    query = "&".join(p for p in (filters.query(), f"page={page}", "moved=1") if p)
    return htmx.redirect(request, "/manage/review/assignments?" + query)


def _recuse_page(request, view, *, reason="", errors=None, status=200) -> Response:
    context = {"view": view, "reason": reason, "errors": errors or {}}
    return request.app.state.renderer.render(
        request, "review/recuse.html", context, status=status, block="recuse"
    )


def recuse_page(request: Request) -> Response:
    user = require_role(request, Role.juror)
    view = assignment.recusal_view(
        request.app.state.engine, user.id, request.path_params["assignment_id"]
    )
    return _recuse_page(request, view)


async def recuse(request: Request) -> Response:
    user = await staff(request, Role.juror)
    engine, reading_id = request.app.state.engine, request.path_params["assignment_id"]
    reason = str((await request.form()).get("reason", ""))
    try:
        await run_in_threadpool(assignment.recuse, engine, user.id, reading_id, reason)
    except Invalid as exc:
        view = await run_in_threadpool(assignment.recusal_view, engine, user.id, reading_id)
        return _recuse_page(request, view, reason=reason, errors=exc.errors, status=422)
    return htmx.redirect(request, "/jury")


routes = [
    Route("/manage/review", settings_page, name="manage_review"),
    Route("/manage/review", save_settings, methods=["POST"], name="manage_review_save"),
    Route("/manage/review/assign", assign, methods=["POST"], name="manage_review_assign"),
    Route("/manage/review/assignments", assignments_page, name="manage_review_assignments"),
    Route(
        "/manage/review/assignments/{assignment_id:int}/reassign",
        reassign,
        methods=["POST"],
        name="manage_review_reassign",
    ),
    Route("/jury/assignments/{assignment_id:int}/recuse", recuse_page, name="jury_recuse_form"),
    Route(
        "/jury/assignments/{assignment_id:int}/recuse",
        recuse,
        methods=["POST"],
        name="jury_recuse",
    ),
]
