"""Paper forms: a volunteer types them in one by one, or uploads a CSV file of them."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import Invalid
from campaign.models import Role
from campaign.text import whole
from nominations import csvfile, importer, intake, paper_forms
from web import htmx
from web.auth import require_role, staff

ROLES = (Role.volunteer, Role.manager)
SHOWN_ERRORS = 1000  # a page of 150,000 problems helps nobody: the first ones, then the count

# A web request must finish before the proxy gives up (about 60 s): 10,000 rows take ~10 s.
# Bigger files go through `icon nominations import`.
WEB_MAX_ROWS = 10_000


def _entry_context(engine, user_id: int, query) -> dict:
    campaign = paper_forms.entry_campaign(engine)
    saved = query.get("saved", "")
    entry = (
        paper_forms.paper_entry(engine, user_id, whole(saved, 1, 10**9))
        if whole(saved, 1, 10**9)
        else None
    )
    return {
        "campaign": campaign,
        "form": {},
        "errors": {},
        "focus": "paper_serial",
        "saved": entry,
        "saved_code": intake.format_code(entry.tracking_code) if entry else "",
        "again": query.get("again") == "1",
    }


async def entry(request: Request) -> Response:
    user = await staff(request, *ROLES)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    if request.method == "GET":
        context = await run_in_threadpool(_entry_context, engine, user.id, request.query_params)
        return renderer.render(request, "volunteer/entry.html", context)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        nomination, created = await run_in_threadpool(intake.submit_paper, engine, user.id, form)
    except Invalid as exc:
        campaign = await run_in_threadpool(paper_forms.entry_campaign, engine)
        order = csvfile.columns(campaign)
        focus = min(exc.errors, key=lambda name: order.index(name) if name in order else 999)
        context = {"campaign": campaign, "form": form, "errors": exc.errors, "focus": focus}
        return renderer.render(request, "volunteer/entry.html", context, status=422)
    again = "" if created else "&again=1"
    return htmx.redirect(request, f"/manage/entry?saved={nomination.id}{again}")


def _upload_context(campaign, query) -> dict:
    counts = {k: whole(query.get(k), 0, 10**6) for k in ("created", "skipped")}
    counts = {k: v for k, v in counts.items() if v is not None}
    required = csvfile.required_columns(campaign, volunteer_required=False)
    optional = [c for c in csvfile.columns(campaign) if c not in required]
    return {"campaign": campaign, "required": required, "optional": optional, "done": counts}


async def upload(request: Request) -> Response:
    user = await staff(request, *ROLES)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign = await run_in_threadpool(paper_forms.entry_campaign, engine)
    context = _upload_context(campaign, request.query_params)
    if request.method == "GET":
        return renderer.render(request, "volunteer/upload.html", context)
    async with request.form(max_files=1, max_fields=5) as form:
        file = form.get("file")
        # One byte over the limit is enough for the importer to refuse the file.
        data = await file.read(csvfile.MAX_BYTES + 1) if isinstance(file, UploadFile) else b""
    try:
        result = await run_in_threadpool(importer.import_csv, engine, data, user.id, WEB_MAX_ROWS)
    except csvfile.ImportRefused as exc:
        context["refused"] = exc
        return renderer.render(request, "volunteer/upload.html", context, status=422)
    if result.errors:
        context |= {
            "errors": result.errors[:SHOWN_ERRORS],
            "error_count": len(result.errors),
            "row_count": len({e.row for e in result.errors}),
        }
        return renderer.render(request, "volunteer/upload.html", context, status=422)
    done = f"created={result.created}&skipped={result.skipped}"
    return htmx.redirect(request, f"/manage/entry/upload?{done}")


def template(request: Request) -> Response:
    require_role(request, *ROLES)
    campaign = paper_forms.entry_campaign(request.app.state.engine)
    return Response(
        csvfile.template_csv(campaign),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="paper-forms.csv"'},
    )


routes = [
    Route("/manage/entry", entry, methods=["GET", "POST"], name="volunteer_entry"),
    Route("/manage/entry/upload", upload, methods=["GET", "POST"], name="volunteer_upload"),
    Route("/manage/entry/template.csv", template, name="volunteer_template"),
]
