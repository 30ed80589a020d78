"""Staff sign-in: login, logout, and setting a password from an invitation."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign import people
from campaign.errors import Invalid, InvalidCredentials, InvitationInvalid, LoginLocked
from campaign.models import Role
from web.auth import client_address, current_user, safe_next, sign_in, sign_out

LANDING = {Role.manager: "/manage", Role.juror: "/jury", Role.volunteer: "/manage/entry"}


async def login(request: Request) -> Response:
    renderer = request.app.state.renderer
    if request.method == "GET":
        user = await run_in_threadpool(current_user, request)
        return renderer.render(
            request,
            "staff/login.html",
            {"next": request.query_params.get("next", ""), "signed_in": user},
        )
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_path = str(form.get("next", ""))
    context = {"email": email, "next": next_path}
    try:
        user = await run_in_threadpool(
            people.authenticate, request.app.state.engine, email, password, client_address(request)
        )
    except LoginLocked as exc:
        context["locked_until"] = exc.until
        return renderer.render(request, "staff/login.html", context, status=429)
    except InvalidCredentials as exc:
        context["error"] = exc.message
        return renderer.render(request, "staff/login.html", context, status=400)
    sign_in(request, user)
    return RedirectResponse(safe_next(next_path, LANDING[Role(user.role)]), status_code=303)


async def logout(request: Request) -> Response:
    user = await run_in_threadpool(current_user, request)
    if user is not None:
        await run_in_threadpool(people.record_logout, request.app.state.engine, user.id)
    sign_out(request)
    return RedirectResponse("/", status_code=303)


async def invitation(request: Request) -> Response:
    renderer = request.app.state.renderer
    engine, key = request.app.state.engine, request.app.state.settings.secret_key
    token = request.path_params["token"]
    try:
        if request.method == "GET":
            user = await run_in_threadpool(people.check_invitation, engine, key, token)
            return renderer.render(request, "staff/invitation.html", {"invitee": user})
        form = await request.form()
        user = await run_in_threadpool(
            people.accept_invitation,
            engine,
            key,
            token,
            str(form.get("password", "")),
            str(form.get("confirm", "")),
        )
    except InvitationInvalid as exc:
        return renderer.render(
            request, "errors/error.html", {"status": 400, "message": exc.message}, status=400
        )
    except Invalid as exc:
        invitee = await run_in_threadpool(people.check_invitation, engine, key, token)
        return renderer.render(
            request, "staff/invitation.html", {"invitee": invitee, "errors": exc.errors}, status=422
        )
    sign_in(request, user)
    return RedirectResponse(LANDING[Role(user.role)], status_code=303)


routes = [
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/invitation/{token}", invitation, methods=["GET", "POST"], name="invitation"),
]
