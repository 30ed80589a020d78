"""The public nomination form and tracking page."""

from __future__ import annotations

import contextlib
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign import campaigns, phases, sms_commands, sms_settings
from campaign.db import utcnow
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.sms import SmsGatewayError
from nominations import intake, tracking
from web.auth import client_address

FIELDS_KEPT = 64  # a form never has more fields than this; the rest is ignored


def _form_context(request: Request, campaign, form: dict, errors: dict) -> dict:
    return {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "form_id": form.get("form_id") or secrets.token_urlsafe(16),
        "open": phases.is_open(campaign, phases.Phase.nominations, utcnow()),
        "now": utcnow(),
        "sms_number": sms_settings.sms_number(campaign, request.app.state.settings.sms_number),
        "sms_words": sms_commands.Keywords.of(campaign.sms_keywords),
    }


def nominate_page(request: Request) -> Response:
    campaign = campaigns.require_current(request.app.state.engine)
    context = _form_context(request, campaign, {}, {})
    return request.app.state.renderer.render(request, "nominate/form.html", context)


async def nominate(request: Request) -> Response:
    engine, settings = request.app.state.engine, request.app.state.settings
    form = dict(list((await request.form()).items())[:FIELDS_KEPT])
    address = client_address(request)
    try:
        receipt = await run_in_threadpool(
            intake.submit_web,
            engine,
            settings.secret_key,
            form,
            address,
            str(form.get("form_id", "")),
        )
    except Invalid as exc:
        campaign = await run_in_threadpool(campaigns.require_current, engine)
        context = _form_context(request, campaign, form, exc.errors)
        return request.app.state.renderer.render(request, "nominate/form.html", context, status=422)
    if receipt.created and receipt.nominator_phone:
        await run_in_threadpool(_send_code, request, receipt)
    return RedirectResponse(f"/nominate/done?code={receipt.tracking_code}", status_code=303)


def _send_code(request: Request, receipt: intake.Receipt) -> None:
    """The code by SMS too; the nomination is already committed, so a gateway failure only
    costs the SMS (the page shows the code anyway)."""
    renderer = request.app.state.renderer
    text = renderer.catalogue.gettext(renderer.language(request), SMS_CODE) % {
        "code": intake.format_code(receipt.tracking_code),
        "url": f"{request.app.state.settings.base_url}/track",
    }
    # A failure is recorded in the SMS log; the visitor has the code on the page anyway.
    with contextlib.suppress(SmsGatewayError):
        request.app.state.sms.send(receipt.nominator_phone, text)


SMS_CODE = N_("Integrity Icon: nomination received. Your code: %(code)s. Follow it at %(url)s")


async def check(request: Request) -> Response:
    """htmx inline validation: the error of the field that just changed, swapped out of band."""
    form = dict(list((await request.form()).items())[:FIELDS_KEPT])
    field = request.headers.get("X-Icon-Field", "")[:40]
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    try:
        intake.NominationIn(form).parse(campaign)
        errors = {}
    except Invalid as exc:
        errors = exc.errors
    context = {"campaign": campaign, "field": field, "errors": errors}
    return request.app.state.renderer.render(request, "nominate/check.html", context)


def done(request: Request) -> Response:
    code = intake.clean_code(request.query_params.get("code", ""))
    if not code:
        return RedirectResponse("/track", status_code=303)
    track_url = f"{request.app.state.settings.base_url}/track"
    context = {"code": intake.format_code(code), "track_url": track_url}
    return request.app.state.renderer.render(request, "nominate/done.html", context)


def track(request: Request) -> Response:
    raw = request.query_params.get("code", "")
    address = client_address(request)
    engine = request.app.state.engine
    result = tracking.lookup(engine, raw, address) if raw else None
    campaign = campaigns.require_current(engine)
    context = {"code": raw[:20], "result": result, "tz": campaign.timezone}
    return request.app.state.renderer.render(request, "nominate/track.html", context)


routes = [
    Route("/nominate", nominate_page, methods=["GET"], name="nominate"),
    Route("/nominate", nominate, methods=["POST"]),
    Route("/nominate/check", check, methods=["POST"], name="nominate_check"),
    Route("/nominate/done", done, name="nominate_done"),
    Route("/track", track, name="track"),
]
