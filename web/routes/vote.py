"""The public vote: ``/vote`` (phone, SMS code, choice, receipt) and ``/vote/receipt``.

Plain form posts all the way: works without JavaScript. The voter's phone travels in a hidden
field between the two steps (never in a URL). A counted vote redirects to ``/vote/counted``
(post/redirect/get: a reload never posts again), which shows the receipt kept in the signed
session, so the receipt never lands in a URL, the browser history or the server logs."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign import campaigns, db, phones, sms_commands, sms_settings
from campaign.errors import Invalid, PhaseClosed
from voting import ballot_view, receipts, rounds, vote_codes
from voting.errors import AlreadyVoted, CodeNotSent, RateLimited
from voting.web_batch import WebVote
from web import forms, htmx
from web.auth import client_address
from web.middleware import MAX_FIELDS, URLENCODED

FIELDS_KEPT = 16
RECEIPT_KEY = "vote_receipt"
# What the lean path (web/lean_vote.py) got from the batch for a vote it then hands on to the
# full stack (a refusal, an error): ``cast`` answers with it instead of casting the vote again.
CAST_RESULT = "icon.vote_result"


@db.retry_on_disconnect  # reads only: a vote refused as the connection is lost still gets its page
def _context(request: Request, engine, **extra) -> dict:
    campaign = campaigns.require_current(engine)
    return {
        "campaign": campaign,
        "ballot": ballot_view.ballot_view(engine, campaign),
        # Before any round, the campaign's voting date is the best answer to "when?"; after a
        # round's results, the page points to them instead.
        "voting_later": campaign.voting_start > db.utcnow()
        and not rounds.vote_now(engine, campaign.id).published,
        "sms_number": sms_settings.sms_number(campaign, request.app.state.settings.sms_number),
        "sms_words": sms_commands.Keywords.of(campaign.sms_keywords),
        "form": {},
        "errors": {},
        "notice": "",
        **extra,
    }


def _render(request: Request, template: str, context: dict, status: int = 200) -> Response:
    return request.app.state.renderer.render(request, template, context, status=status)


def _visitor(request: Request) -> tuple[str, str]:
    """The address and a keyed hash of the visitor's cookie id, for the fraud signals."""
    address = client_address(request)
    cookie = request.cookies.get("icon_csrf", "")
    secret = request.app.state.settings.secret_key
    return address, phones.keyed_hash(secret, cookie, "browser")[:32] if cookie else ""


async def _form(request: Request) -> dict:
    if request.headers.get("content-type", "").startswith(URLENCODED):
        # The vote's plain form: the standard library's parser reads it as Starlette's would
        # (latin-1 bytes, %-escapes in UTF-8, blanks kept, the last of a repeated name) at a
        # fraction of the cost, on voting night's second busiest request.
        text = (await request.body()).decode("latin-1")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:  # more fields than any form of ours: as Starlette, refused
            pairs = []
        fields = dict(pairs)
    else:
        fields = dict((await request.form()).items())
    return kept(fields)


def kept(fields: dict) -> dict:
    """The fields a vote form's handlers read, cut to size (web/lean_vote.py cuts them so too)."""
    return {k: str(v)[:200] for k, v in list(fields.items())[:FIELDS_KEPT]}


def web_vote(form: dict, address: str, browser: str) -> WebVote:
    return WebVote(
        forms.number(form.get("round_id")) or -1,
        form.get("phone", ""),
        form.get("code", ""),
        form.get("candidate", ""),
        address,
        browser,
    )


def session_receipt(receipt) -> dict:
    """What the session keeps of a counted vote, for /vote/counted."""
    return {
        "code": receipts.format_receipt(receipt.code),
        "round_title": receipt.round_title[:200],
        "candidate_number": receipt.candidate_number,
        "candidate_name": receipt.candidate_name[:200],
    }


def vote_page(request: Request) -> Response:
    return _render(request, "vote/index.html", _context(request, request.app.state.engine))


async def send_code(request: Request) -> Response:
    engine, settings = request.app.state.engine, request.app.state.settings
    form = await _form(request)
    address, browser = _visitor(request)
    message = request.app.state.renderer.gettext(request, vote_codes.SMS_CODE)
    try:
        masked = await run_in_threadpool(
            vote_codes.request_code,
            engine,
            settings.secret_key,
            request.app.state.sms.send,
            forms.number(form.get("round_id")) or -1,
            form.get("phone", ""),
            address,
            browser,
            message,
        )
    except (Invalid, RateLimited, AlreadyVoted, CodeNotSent, PhaseClosed) as exc:
        errors = getattr(exc, "errors", {})
        context = await run_in_threadpool(
            _context,
            request,
            engine,
            form=form,
            errors=errors,
            notice="" if errors else exc.message,
            until=getattr(exc, "until", None),
        )
        return _render(request, "vote/index.html", context, status=422 if errors else exc.status)
    context = await run_in_threadpool(_context, request, engine, form=form, masked=masked)
    return _render(request, "vote/choose.html", context)


async def cast(request: Request) -> Response:
    engine = request.app.state.engine
    form = await _form(request)
    vote = web_vote(form, *_visitor(request))
    try:
        receipt = await _counted(request, vote)
    except Invalid as exc:
        template = "vote/index.html" if "phone" in exc.errors else "vote/choose.html"
        context = await run_in_threadpool(_context, request, engine, form=form, errors=exc.errors)
        # The number as the first step showed it ("+223 •••• 56"), not as it was typed.
        e164 = phones.national(form.get("phone", ""), context["campaign"].phone_country)
        context["masked"] = phones.masked(e164) if e164 else ""
        return _render(request, template, context, status=422)
    except (AlreadyVoted, PhaseClosed) as exc:
        context = await run_in_threadpool(_context, request, engine, notice=exc.message)
        return _render(request, "vote/index.html", context, status=exc.status)
    # Only this one receipt, replaced by the next vote from this browser; the page shows it on
    # every reload, and no URL ever holds it.
    request.session[RECEIPT_KEY] = session_receipt(receipt)
    return htmx.redirect(request, "/vote/counted")


async def _counted(request: Request, vote: WebVote):
    """The vote's receipt once its batch committed; raises what ``cast_web`` would raise. A vote
    the lean path cast already is answered with what its batch said, never cast twice."""
    found = request.scope.pop(CAST_RESULT, None)
    if found is None:
        return await request.app.state.votes.web(vote)
    if isinstance(found, BaseException):
        raise found
    return found


def counted_page(request: Request) -> Response:
    receipt = request.session.get(RECEIPT_KEY)
    if not isinstance(receipt, dict):
        return RedirectResponse("/vote/receipt", status_code=303)
    # The voting night's most asked page: filled in from a page rendered once (templating.py).
    response = request.app.state.renderer.render_filled(
        request, "vote/voted.html", receipt, _receipt_context
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _receipt_context(receipt: dict) -> dict:
    return {"receipt": receipt, "code": receipt.get("code", "")}


def receipt_page(request: Request) -> Response:
    raw = request.query_params.get("code", "")
    address = client_address(request)
    engine = request.app.state.engine
    result = receipts.check_receipt(engine, raw, address) if raw else None
    campaign = campaigns.require_current(engine)
    context = {"code": raw[:30], "result": result, "tz": campaign.timezone}
    return _render(request, "vote/receipt.html", context)


routes = [
    Route("/vote", vote_page, methods=["GET"], name="vote"),
    Route("/vote", cast, methods=["POST"]),
    Route("/vote/code", send_code, methods=["POST"], name="vote_code"),
    Route("/vote/counted", counted_page, name="vote_counted"),
    Route("/vote/receipt", receipt_page, name="vote_receipt"),
]
