"""``/manage/sms``: the outgoing SMS queue (what waits, what failed and why), broadcasts, and
the edition's SMS keywords and short code."""

from __future__ import annotations

import secrets
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns, gsm, sms_broadcast, sms_commands, sms_settings
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Role
from web import htmx
from web.auth import require_role, staff

# The queue's states (sms_queue.py) as the manager reads them, in the order a message goes.
STATUSES = (
    ("queued", N_("Queued")),
    ("sending", N_("Sending")),
    ("sent", N_("Sent")),
    ("delivered", N_("Delivered")),
    ("failed", N_("Failed")),
    ("unknown", N_("Uncertain")),
    ("stored", N_("Stored, not sent")),
)


def _words_form(request: Request) -> dict:
    campaign = campaigns.current(request.app.state.engine)
    words = sms_commands.Keywords.of(campaign.sms_keywords if campaign else None)
    form = {f"kw_{c}": getattr(words, c) for c in sms_commands.COMMANDS}
    return form | {"sms_number": campaign.sms_number if campaign else ""}


def _context(
    request: Request,
    form: dict | None = None,
    errors: dict | None = None,
    words: dict | None = None,
    word_errors: dict | None = None,
) -> dict:
    form = form or {"key": secrets.token_hex(16)}
    text = form.get("text", "")
    return {
        "words": words or _words_form(request),
        "word_errors": word_errors or {},
        "commands": sms_commands.COMMANDS,
        "number_fallback": request.app.state.settings.sms_number,
        "saved": request.query_params.get("saved", ""),
        "queue": sms_broadcast.summary(request.app.state.engine),
        "statuses": STATUSES,
        "status_labels": dict(STATUSES),
        "form": form,
        "errors": errors or {},
        "segments": gsm.segments(text) if text else 0,
        "not_gsm": gsm.outside(text),
        "sending": request.app.state.settings.sms_backend == "http",
        "sent": request.query_params.get("sent", ""),
    }


def sms_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return request.app.state.renderer.render(
        request, "manage/sms.html", _context(request), block="queue"
    )


async def broadcast(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = {k: str(v) for k, v in (await request.form()).items()}
    settings = request.app.state.settings
    entry = sms_broadcast.BroadcastIn(
        form.get("text", ""), form.get("numbers", ""), form.get("key", "")
    )
    try:
        added = await run_in_threadpool(
            sms_broadcast.broadcast,
            request.app.state.engine,
            user.id,
            settings.sms_gateways[0],
            entry,
            store_only=settings.sms_backend != "http",
            secret_key=settings.secret_key,
        )
    except Invalid as exc:
        context = await run_in_threadpool(_context, request, form, exc.errors)
        return request.app.state.renderer.render(request, "manage/sms.html", context, status=422)
    if request.app.state.sms_sender is not None:
        request.app.state.sms_sender.wake()
    return htmx.redirect(request, f"/manage/sms?sent={added}")


async def keywords(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = {k: str(v) for k, v in (await request.form()).items()}
    engine = request.app.state.engine
    try:
        campaign = await run_in_threadpool(campaigns.require_current, engine)
        await run_in_threadpool(sms_settings.update_sms, engine, user.id, campaign.id, form)
    except Invalid as exc:
        context = await run_in_threadpool(
            partial(_context, request, words=form, word_errors=exc.errors)
        )
        return request.app.state.renderer.render(request, "manage/sms.html", context, status=422)
    cache = getattr(request.app.state, "sms_keywords", None)
    if cache is not None:
        cache.forget()
    return htmx.redirect(request, "/manage/sms?saved=1")


async def send_again(request: Request) -> Response:
    user = await staff(request, Role.manager)
    message_id = request.path_params["message_id"]
    done = await run_in_threadpool(
        sms_broadcast.send_again, request.app.state.engine, user.id, message_id
    )
    if not done:
        raise NotFound(N_("This message is not waiting for a decision."))
    if request.app.state.sms_sender is not None:
        request.app.state.sms_sender.wake()
    return htmx.redirect(request, "/manage/sms")


routes = [
    Route("/manage/sms", sms_page, name="manage_sms"),
    Route("/manage/sms/broadcast", broadcast, methods=["POST"], name="manage_sms_broadcast"),
    Route("/manage/sms/keywords", keywords, methods=["POST"], name="manage_sms_keywords"),
    Route(
        "/manage/sms/{message_id:int}/again", send_again, methods=["POST"], name="manage_sms_again"
    ),
]
