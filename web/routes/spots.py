"""Audio spots for managers: the list and upload form, one spot's page (text, publication,
listening before publishing). Every handler checks the role itself."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from audio_spots import catalogue, spots, upload
from audio_spots.errors import AudioRefused
from campaign import campaigns
from campaign.errors import Invalid
from campaign.models import Role
from profiles import directory
from web import htmx
from web.auth import require_role, staff
from web.routes.audio import serve

UPLOAD_FIELDS = ("profile_id", "language", "title", "transcript")
PRIVATE_CACHE = "private, no-cache"  # drafts: never kept by a shared cache


def _list_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    context = {
        "campaign": campaign,
        "groups": spots.manager_list(engine, campaign.id),
        "profiles": directory.choices(engine, campaign.id),
        "language_names": {lang["code"]: lang["name"] for lang in campaign.languages},
        "errors": errors or {},
        "form": form or {},
    }
    return request.app.state.renderer.render(request, "spots/list.html", context, status=status)


def list_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _list_response(request)


async def create(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine, media_dir = request.app.state.engine, request.app.state.settings.media_dir
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    form: dict[str, str] = {}
    try:
        received = await upload.receive(
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            request.stream(),
            media_dir,
        )
        form = {k: received.fields.get(k, "") for k in UPLOAD_FIELDS}
        new = spots.SpotIn(**form)
        spot = await run_in_threadpool(
            spots.create_spot,
            engine,
            media_dir,
            user.id,
            campaign.id,
            new,
            received.file,
            received.filename,
        )
    except (Invalid, AudioRefused) as exc:
        # The form comes back with its text; the file must be chosen again (browsers insist).
        errors = exc.errors if isinstance(exc, Invalid) else {"file": exc.message}
        status = 422 if isinstance(exc, Invalid) else exc.status
        return await run_in_threadpool(
            _list_response, request, errors=errors, form=form, status=status
        )
    return htmx.redirect(request, f"/manage/spots/{spot.id}?created=1")


def _spot_response(request, *, errors=None, form=None, status=200) -> Response:
    detail = spots.detail(request.app.state.engine, request.path_params["spot_id"])
    context = {
        "detail": detail,
        "spot": detail.spot,
        "form": form or {"title": detail.spot.title, "transcript": detail.spot.transcript},
        "errors": errors or {},
        "saved": "saved" in request.query_params,
        "created": "created" in request.query_params,
    }
    return request.app.state.renderer.render(request, "spots/spot.html", context, status=status)


def spot_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _spot_response(request)


async def update(request: Request) -> Response:
    user = await staff(request, Role.manager)
    raw = await request.form()
    form = {k: str(raw.get(k, "")) for k in ("title", "transcript")}
    spot_id = request.path_params["spot_id"]
    try:
        await run_in_threadpool(
            spots.update_text, request.app.state.engine, user.id, spot_id, spots.SpotTextIn(**form)
        )
    except Invalid as exc:
        return await run_in_threadpool(
            _spot_response, request, errors=exc.errors, form=form, status=422
        )
    return htmx.redirect(request, f"/manage/spots/{spot_id}?saved=1")


async def publication(request: Request) -> Response:
    user = await staff(request, Role.manager)
    spot_id, published = request.path_params["spot_id"], request.url.path.endswith("/publish")
    try:
        await run_in_threadpool(
            spots.set_published, request.app.state.engine, user.id, spot_id, published
        )
    except Invalid as exc:
        return await run_in_threadpool(_spot_response, request, errors=exc.errors, status=422)
    return htmx.redirect(request, f"/manage/spots/{spot_id}?saved=1")


def listen(request: Request) -> Response:
    """The files of any spot, drafts included: managers listen before publishing."""
    require_role(request, Role.manager)
    state, kind, ext = request.app.state, request.path_params["kind"], request.path_params["ext"]
    spot_id = request.path_params["spot_id"]
    media = catalogue.media_file(
        state.engine, state.settings.media_dir, spot_id, kind, ext, drafts=True
    )
    return serve(request, media, PRIVATE_CACHE, attachment=kind == "original")


routes = [
    Route("/manage/spots", list_page, methods=["GET"], name="spots"),
    Route("/manage/spots", create, methods=["POST"], name="spots_create"),
    Route("/manage/spots/{spot_id:int}", spot_page, methods=["GET"], name="spot"),
    Route("/manage/spots/{spot_id:int}", update, methods=["POST"], name="spot_update"),
    Route("/manage/spots/{spot_id:int}/publish", publication, methods=["POST"]),
    Route("/manage/spots/{spot_id:int}/unpublish", publication, methods=["POST"]),
    Route("/manage/spots/{spot_id:int}/{kind:str}.{ext:str}", listen, methods=["GET", "HEAD"]),
]
