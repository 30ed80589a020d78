"""Profiles for managers: the list (finalists without a profile, the hall of fame's past
editions), the edit page with the nominations beside it, the photo upload, publication and a
preview. Every handler checks the role itself."""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

from campaign import campaigns
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.models import Role
from campaign.text import whole
from profiles import editing, photos, public
from profiles.forms import PastIn, ProfileIn
from web import forms, htmx
from web.auth import require_role, staff
from web.routes.finalists import profile_context

# The multipart envelope around the file: boundaries, headers, the CSRF field.
UPLOAD_OVERHEAD = 64 * 1024
TOO_LARGE = N_("This photo is larger than 10 MB.")
EDIT_FIELDS = (
    "name",
    "distinction",
    "position",
    "institution",
    "region",
    "bio",
    "story",
    "video_url",
)
PAST_FIELDS = ("year", "name", "distinction", "position", "institution", "region")


def _list_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    context = {
        "campaign": campaign,
        "candidates": editing.candidates(engine, campaign.id),
        "profiles": editing.profiles(engine, campaign.id),
        "errors": errors or {},
        "form": form or {"distinction": "winner"},
    }
    return request.app.state.renderer.render(request, "profiles/list.html", context, status=status)


def list_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _list_response(request)


async def create(request: Request) -> Response:
    user = await staff(request, Role.manager)
    raw = str((await request.form()).get("nominee_id", ""))
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    try:
        if whole(raw, 1, 10**9) is None:
            raise Invalid({"nominee_id": N_("This person is not a finalist of the campaign.")})
        made = await run_in_threadpool(
            editing.create_from_nominee, engine, user.id, campaign.id, int(raw)
        )
    except Invalid as exc:
        return await run_in_threadpool(_list_response, request, errors=exc.errors, status=422)
    return htmx.redirect(request, f"/manage/profiles/{made.id}")


async def add_past(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in PAST_FIELDS}
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    return await forms.post(
        request,
        lambda: editing.add_past(engine, user.id, campaign.id, PastIn(**values)),
        lambda made: f"/manage/profiles/{made.id}",
        partial(_list_response, request, form=values),
    )


def _edit_response(request, *, errors=None, form=None, status=200) -> Response:
    found = editing.editing(request.app.state.engine, request.path_params["profile_id"])
    p = found.profile
    context = {
        "editing": found,
        "profile": p,
        "thumb": f"/manage/profiles/{p.id}/photo-thumb.jpg?v={p.photo[:16]}" if p.photo else "",
        "form": form or {k: getattr(p, k) for k in EDIT_FIELDS},
        "errors": errors or {},
        "saved": request.query_params.get("saved", ""),
    }
    return request.app.state.renderer.render(request, "profiles/edit.html", context, status=status)


def edit_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _edit_response(request)


async def update(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in EDIT_FIELDS}
    profile_id, engine = request.path_params["profile_id"], request.app.state.engine
    return await forms.post(
        request,
        lambda: editing.update(engine, user.id, profile_id, ProfileIn(**values)),
        f"/manage/profiles/{profile_id}?saved=details",
        partial(_edit_response, request, form=values),
    )


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that refuses a body past ``limit`` bytes while it streams in, so an
    oversized upload is never spooled to disk whole."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise photos.refuse(TOO_LARGE)
        return message

    return wrapped


async def photo(request: Request) -> Response:
    user = await staff(request, Role.manager)
    settings, engine = request.app.state.settings, request.app.state.engine
    profile_id = request.path_params["profile_id"]
    limit = photos.MAX_BYTES + UPLOAD_OVERHEAD
    try:
        length = request.headers.get("content-length", "")
        if (whole(length) or 0) > limit:
            raise photos.refuse(TOO_LARGE)
        capped = Request(request.scope, _capped(request.receive, limit))
        # Starlette spools the file to a temporary file past 1 MB: it is never held in memory.
        async with capped.form(max_files=1, max_fields=2) as form:
            upload = form.get("photo")
            if not isinstance(upload, UploadFile):
                raise photos.refuse(N_("Choose a photo."))
            await run_in_threadpool(
                editing.set_photo, engine, user.id, profile_id, settings.media_dir, upload.file
            )
    except Invalid as exc:
        return await run_in_threadpool(_edit_response, request, errors=exc.errors, status=422)
    return htmx.redirect(request, f"/manage/profiles/{profile_id}?saved=photo")


def _status(status: str):
    async def handler(request: Request) -> Response:
        user = await staff(request, Role.manager)
        profile_id = request.path_params["profile_id"]
        await run_in_threadpool(
            editing.set_status, request.app.state.engine, user.id, profile_id, status
        )
        return htmx.redirect(request, f"/manage/profiles/{profile_id}?saved={status}")

    return handler


def preview(request: Request) -> Response:
    require_role(request, Role.manager)
    view = public.preview(request.app.state.engine, request.path_params["profile_id"])
    # The public page itself, its photos from the managers' route: a draft's public URL is a 404.
    photo_base = f"/manage/profiles/{view.id}"
    context = profile_context(request, view, photo_base) | {"preview": True}
    return request.app.state.renderer.render(request, "finalists/profile.html", context)


def preview_photo(request: Request) -> Response:
    require_role(request, Role.manager)
    view = public.preview(request.app.state.engine, request.path_params["profile_id"])
    found = public.photo_file(
        request.app.state.settings.media_dir, view, request.path_params["rendition"]
    )
    return FileResponse(found, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


_ONE = "/manage/profiles/{profile_id:int}"
routes = [
    Route("/manage/profiles", list_page, name="manage_profiles"),
    Route("/manage/profiles/create", create, methods=["POST"], name="manage_profiles_create"),
    Route("/manage/profiles/past", add_past, methods=["POST"], name="manage_profiles_past"),
    Route(_ONE, edit_page, name="manage_profile"),
    Route(_ONE, update, methods=["POST"], name="manage_profile_update"),
    Route(_ONE + "/photo", photo, methods=["POST"], name="manage_profile_photo"),
    Route(_ONE + "/publish", _status("published"), methods=["POST"], name="manage_profile_publish"),
    Route(_ONE + "/unpublish", _status("draft"), methods=["POST"], name="manage_profile_unpublish"),
    Route(_ONE + "/preview", preview, name="manage_profile_preview"),
    Route(_ONE + "/photo-{rendition}.jpg", preview_photo, name="manage_profile_photo_file"),
]
