"""The real gateways' webhooks: ``/sms/<gateway>/<ICON_SMS_SECRET>`` for messages and
``.../dlr`` for delivery reports. Each adapter (campaign/gateways/) authenticates the call and
shapes the answer; here HTTP is only translated. Only the gateways in ``ICON_SMS_GATEWAY`` answer.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import gateways, sms_queue
from campaign.gateways import HttpIn, HttpOut, Refused
from web.routes import sms as sms_routes


def _respond(out: HttpOut) -> Response:
    response = Response(out.body, status_code=out.status, media_type=out.content_type)
    for name, value in out.headers:
        response.headers[name] = value
    return response


async def _http_in(request: Request) -> HttpIn:
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > gateways.MAX_BODY:
        raise Refused("body too large", 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > gateways.MAX_BODY:
            raise Refused("body too large", 413)
    query = request.url.query
    base = request.app.state.settings.base_url
    return HttpIn(
        method=request.method,
        url=base + request.url.path + (f"?{query}" if query else ""),
        query=query,
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        client=request.client.host if request.client else "",
        token=request.path_params["token"],
    )


def _adapter(request: Request):
    return request.app.state.gateways.get(request.path_params["name"])


async def inbound(request: Request) -> Response:
    adapter = _adapter(request)
    if adapter is None:
        return Response("unknown gateway", status_code=404, media_type="text/plain")
    try:
        message = adapter.inbound(await _http_in(request))
    except Refused as exc:
        return _respond(adapter.refusal(exc))
    reply = await sms_routes.reply(request.app, message.gateway_id, message.sender, message.text)
    if adapter.replies_inline:
        return _respond(adapter.answer(reply))
    # The reply goes out through the gateway's API; a redelivered message queues nothing new.
    dedup = f"reply:{message.gateway_id}" if message.gateway_id else None
    await run_in_threadpool(
        request.app.state.sms.send, message.sender, reply, kind="reply", dedup_key=dedup
    )
    return _respond(adapter.answer(""))


async def report(request: Request) -> Response:
    adapter = _adapter(request)
    if adapter is None:
        return Response("unknown gateway", status_code=404, media_type="text/plain")
    try:
        found = adapter.report(await _http_in(request))
    except Refused as exc:
        return _respond(adapter.refusal(exc))
    secret_key = request.app.state.settings.secret_key
    applied = await run_in_threadpool(
        sms_queue.apply_report, request.app.state.engine, found, secret_key
    )
    if not applied:
        return _respond(adapter.refusal(Refused("unknown message", 404)))
    return _respond(adapter.answer(""))


routes = [
    Route("/sms/{name}/{token}", inbound, methods=["GET", "POST"], name="sms_gateway"),
    Route("/sms/{name}/{token}/dlr", report, methods=["GET", "POST"], name="sms_gateway_dlr"),
]
