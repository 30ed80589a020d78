"""``/manage/callbacks``: volunteers call back the authors of SMS nominations
(nominations/callbacks.py)."""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns
from campaign.errors import Invalid
from campaign.models import Role
from nominations import callbacks
from web import htmx
from web.auth import require_role, staff
from web.i18n import DEFAULT

ROLES = (Role.volunteer, Role.manager)


def _page(request: Request, user_id: int, *, form=None, errors=None, status=200, open_id=None):
    context = {
        "calls": callbacks.queue(request.app.state.engine, user_id),
        "reasons": callbacks.REASONS,
        "form": form or {},
        "errors": errors or {},
        "open_id": open_id,
        "done": request.query_params.get("done", ""),
    }
    return request.app.state.renderer.render(
        request, "volunteer/callbacks.html", context, status=status
    )


def calls_page(request: Request) -> Response:
    user = require_role(request, *ROLES)
    return _page(request, user.id)


async def act(request: Request) -> Response:
    user = await staff(request, *ROLES)
    engine, nomination_id = request.app.state.engine, request.path_params["nomination_id"]
    action = request.path_params["action"]
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        if action == "claim":
            await run_in_threadpool(callbacks.claim, engine, user.id, nomination_id)
        elif action == "no-answer":
            await run_in_threadpool(callbacks.no_answer, engine, user.id, nomination_id)
        elif action == "close":
            await run_in_threadpool(
                callbacks.close, engine, user.id, nomination_id, form.get("reason", "")
            )
        elif action == "complete":
            await _complete(request, user.id, nomination_id, form)
        else:
            return Response("no such action", status_code=404, media_type="text/plain")
    except Invalid as exc:
        errors = exc.errors
    else:
        return htmx.redirect(request, f"/manage/callbacks?done={action}")
    return await run_in_threadpool(
        partial(
            _page, request, user.id, form=form, errors=errors, status=422, open_id=nomination_id
        )
    )


async def _complete(request: Request, user_id: int, nomination_id: int, form: dict) -> None:
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    done = await run_in_threadpool(
        callbacks.complete, engine, user_id, nomination_id, form, campaign.country
    )
    if done.phone:
        text = request.app.state.renderer.catalogue.gettext(DEFAULT, callbacks.COMPLETE_SMS)
        await run_in_threadpool(
            request.app.state.sms.send,
            done.phone,
            text % {"code": done.code},
            kind="tracking",
            dedup_key=f"callback:{nomination_id}",
        )


routes = [
    Route("/manage/callbacks", calls_page, name="callbacks"),
    Route(
        "/manage/callbacks/{nomination_id:int}/{action:str}",
        act,
        methods=["POST"],
        name="callback_action",
    ),
]
