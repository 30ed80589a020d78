"""Voting rounds for managers (making, settings, live count, closing, fraud review, CSV) and the
public results page. Every manager handler checks the role itself."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from campaign import campaigns, db
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Role
from campaign.text import whole
from profiles import directory
from voting import counting, exports, fraud_review, retention, round_changes, round_form, rounds
from web import forms, htmx
from web.auth import current_user, require_role, staff

TEXT_FIELDS = (
    "title",
    "opens_at",
    "closes_at",
    "seats",
    "alternates",
    "weight_jury",
    "weight_web",
    "weight_sms",
    "code_budget",
    "previous_round_id",
)


def _round_in(form) -> round_form.RoundIn:
    text = {k: str(form.get(k, "")) for k in TEXT_FIELDS}
    text["code_budget"] = str(form.get("code_budget", round_form.RoundIn.code_budget))
    return round_form.RoundIn(
        **text,
        channels=tuple(str(c) for c in form.getlist("channels")),
        results_live=form.get("results_live") == "on",
        source=str(form.get("source", "shortlist")),
    )


def _typed(form: round_form.RoundIn) -> dict:
    values = dict(form.__dict__)
    values["channels"] = list(form.channels)
    return values


def _list_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    lines = rounds.rounds(engine, campaign.id)
    context = {
        "campaign": campaign,
        "lines": lines,
        "previous": [line.round for line in lines if line.state == "closed"],
        "errors": errors or {},
        "form": form or _typed(round_form.RoundIn()),  # the domain's own defaults
    }
    return request.app.state.renderer.render(request, "rounds/list.html", context, status=status)


def list_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _list_response(request)


async def create(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = _round_in(await request.form())
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    try:
        names = await run_in_threadpool(directory.names_by_nominee, engine, campaign.id)
        made = await run_in_threadpool(
            round_changes.create_round, engine, user.id, campaign.id, form, names
        )
    except Invalid as exc:
        return await run_in_threadpool(
            _list_response, request, errors=exc.errors, form=_typed(form), status=422
        )
    return htmx.redirect(request, f"/manage/rounds/{made.id}")


def _round_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    round_id = request.path_params["round_id"]
    detail = rounds.detail(engine, round_id)
    context = {
        "detail": detail,
        "live": counting.live_count(engine, round_id),
        "result": counting.results(engine, round_id, manager=True),
        "errors": errors or {},
        "form": form or detail.form,
        "closed": "closed" in request.query_params,
        "saved": "saved" in request.query_params,
    }
    return request.app.state.renderer.render(
        request, "rounds/round.html", context, status=status, block="live"
    )


def round_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _round_response(request)


async def update(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = _round_in(await request.form())
    round_id = request.path_params["round_id"]
    return await forms.post(
        request,
        partial(round_changes.update_round, request.app.state.engine, user.id, round_id, form),
        f"/manage/rounds/{round_id}?saved=1",
        partial(_round_response, request, form=_typed(form)),
    )


async def rename(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    round_id, number = request.path_params["round_id"], request.path_params["number"]
    name = str(form.get("name", ""))[:1000]
    engine = request.app.state.engine
    return await forms.post(
        request,
        partial(round_changes.rename_candidate, engine, user.id, round_id, number, name),
        f"/manage/rounds/{round_id}?saved=1#ballot",
        partial(_round_response, request),
    )


async def close(request: Request) -> Response:
    user = await staff(request, Role.manager)
    round_id = request.path_params["round_id"]
    engine, settings = request.app.state.engine, request.app.state.settings
    await run_in_threadpool(round_changes.close_round, engine, user.id, round_id)
    days = timedelta(days=settings.verification_retention_days)
    await run_in_threadpool(retention.purge, engine, days)
    return htmx.redirect(request, f"/manage/rounds/{round_id}?closed=1")


def _fraud_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    round_id = request.path_params["round_id"]
    context = {
        "detail": rounds.detail(engine, round_id),
        "clusters": fraud_review.clusters(engine, round_id),
        "voided": request.query_params.get("voided", ""),
        "errors": errors or {},
        "form": form or {},
    }
    return request.app.state.renderer.render(request, "rounds/fraud.html", context, status=status)


def fraud_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _fraud_response(request)


async def void(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    raw = str(form.get("vote_ids", ""))
    reason, kind, key = (str(form.get(k, "")) for k in ("reason", "kind", "key"))
    round_id = request.path_params["round_id"]
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    values = {"target": f"{kind} {key}", "reason": reason}
    try:
        if not all(whole(p, 1, 10**11) is not None for p in parts):
            raise Invalid({"vote_ids": N_("Some of these votes are not in this round.")})
        voided = await run_in_threadpool(
            fraud_review.void_cluster,
            request.app.state.engine,
            user.id,
            round_id,
            [int(p) for p in parts],
            reason,
            kind,
            key,
        )
    except Invalid as exc:
        return await run_in_threadpool(
            _fraud_response, request, errors=exc.errors, form=values, status=422
        )
    return htmx.redirect(request, f"/manage/rounds/{round_id}/fraud?voided={voided}")


def tally_csv(request: Request) -> Response:
    user = require_role(request, Role.manager)
    round_id = request.path_params["round_id"]
    chunks = exports.tally_csv(request.app.state.engine, round_id, actor_id=user.id)
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="tally-round-{round_id}.csv"',
            "Cache-Control": "no-store",
        },
    )


def results_page(request: Request) -> Response:
    current_user(request)
    engine = request.app.state.engine
    campaign, years = campaigns.showing(engine, request.query_params.get("year"))
    if campaign is None:
        raise NotFound(N_("No campaign has been set up yet."))
    shown = counting.public_results(engine, campaign.id)
    ids = [row.nominee_id for row in shown.result.rows] if shown and shown.result else []
    profiles = directory.published_by_nominee(engine, campaign.id, ids)
    # Past the announced results date a hidden result needs saying why, not "after the close".
    due = db.utcnow() >= campaign.results_at
    context = {
        "campaign": campaign,
        "shown": shown,
        "profiles": profiles,
        "due": due,
        "years": years,
    }
    return request.app.state.renderer.render(request, "rounds/results.html", context)


_ROUND = "/manage/rounds/{round_id:int}"
routes = [
    Route("/manage/rounds", list_page, name="manage_rounds"),
    Route("/manage/rounds", create, methods=["POST"], name="manage_rounds_create"),
    Route(_ROUND, round_page, name="manage_round"),
    Route(_ROUND, update, methods=["POST"], name="manage_round_update"),
    Route(_ROUND + "/live", round_page, name="manage_round_live"),
    Route(
        _ROUND + "/candidates/{number:int}", rename, methods=["POST"], name="manage_round_rename"
    ),
    Route(_ROUND + "/close", close, methods=["POST"], name="manage_round_close"),
    Route(_ROUND + "/fraud", fraud_page, name="manage_round_fraud"),
    Route(_ROUND + "/void", void, methods=["POST"], name="manage_round_void"),
    Route(_ROUND + "/tally.csv", tally_csv, name="manage_round_tally"),
    Route("/results", results_page, name="results"),
]
