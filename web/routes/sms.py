"""``POST /sms/inbound``: the SMS gateway's webhook (contract in DESIGN.md).

Signed with HMAC-SHA256 of the raw body; a bad or missing signature gets 403 and changes nothing.
Replies go back as text/plain, in the campaign's default language (French)."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from campaign import sms_commands, sms_inbound, sms_settings
from campaign.text import clean_form
from nominations import sms as nominations_sms
from voting import sms as voting_sms
from web.i18n import DEFAULT

MAX_BODY = 8 * 1024


def _router(secret_key: str, keywords: sms_commands.Keywords):
    nominate = sms_inbound.Route("NOM", partial(nominations_sms.record, secret_key=secret_key))
    vote = sms_inbound.Route("VOTE", partial(voting_sms.record, secret_key=secret_key))
    track = sms_inbound.Route("TRACK", partial(nominations_sms.track, secret_key=secret_key))
    help_ = sms_inbound.Route("HELP", partial(nominations_sms.help_reply, secret_key=secret_key))
    by_kind = {"nominate": nominate, "vote": vote, "track": track, "help": help_}

    def route(text: str) -> sms_inbound.Route | None:
        command = sms_commands.parse(text, keywords)
        return by_kind[command.kind] if command is not None else None

    return route


def keywords(app) -> sms_commands.Keywords:
    """The current edition's SMS words, cached for a few seconds (sms_commands.KeywordCache)."""
    cache = getattr(app.state, "sms_keywords", None)
    if cache is None:
        cache = app.state.sms_keywords = sms_commands.KeywordCache(
            partial(sms_settings.sms_keywords, app.state.engine)
        )
    return cache.get()


async def inbound(request: Request) -> Response:
    body = await request.body()
    settings = request.app.state.settings
    if len(body) > MAX_BODY or not sms_inbound.signature_ok(
        settings.sms_secret, body, request.headers.get("x-icon-signature")
    ):
        return PlainTextResponse("invalid signature", status_code=403)
    form = clean_form({k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()})
    sender = form.get("from", "")
    if not sender:
        return PlainTextResponse("missing sender", status_code=400)
    gateway_id = (form.get("id") or "").strip() or None
    return PlainTextResponse(await reply(request.app, gateway_id, sender, form.get("text", "")))


async def reply(app, gateway_id: str | None, sender: str, text: str) -> str:
    """The reply to one inbound SMS, whichever gateway brought it (web/routes/gateways.py)."""
    text = text[: sms_inbound.MAX_TEXT]
    cache = getattr(app.state, "sms_keywords", None)
    words = cache.peek() if cache is not None else None
    if words is None:
        words = await run_in_threadpool(keywords, app)
    command = sms_commands.parse(text, words)
    if command is not None and command.kind == "vote" and command.number is not None:
        # The batched vote path takes the number: the text is parsed once, here.
        answer = await app.state.votes.sms(gateway_id, sender, command.number)
        if answer is not None:
            return answer
    return await one_at_a_time(app, gateway_id, sender, text, words)


async def one_at_a_time(
    app, gateway_id: str | None, sender: str, text: str, words: sms_commands.Keywords | None = None
) -> str:
    """The path with every reply and refusal, one message per transaction."""
    if words is None:
        words = await run_in_threadpool(keywords, app)
    settings = app.state.settings
    catalogue = app.state.renderer.catalogue
    track = f"{settings.base_url}/track"
    params = words.params() | {"url": track}
    return await run_in_threadpool(
        sms_inbound.handle,
        app.state.engine,
        settings.secret_key,
        gateway_id,
        sender,
        text,
        _router(settings.secret_key, words),
        # Every reply may name the edition's words and point to the tracking page.
        lambda msgid, given: catalogue.gettext(DEFAULT, msgid) % (params | given),
    )


routes = [Route("/sms/inbound", inbound, methods=["POST"], name="sms_inbound")]
