"""The managers' shortlist: the ranked board with filters and balance, staged decisions with
their justifications, a finalist's withdrawal, and the CSV of every score. Every handler checks
the manager role itself."""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from campaign import campaigns
from campaign.i18n import N_
from campaign.models import Role
from nominations.moderation import parse_ids
from shortlist import board, decisions, export
from shortlist.models import Stage
from web import forms
from web.auth import require_role, staff

NO_NOMINEE = N_("No such nominee.")


def _board_response(request, filters, *, errors=None, form=None, status=200) -> Response:
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign = campaigns.require_current(engine)
    result = board.load_board(engine, campaign.id, filters, renderer.language(request))
    q = request.query_params
    placed = q.get("placed", "")
    context = {
        "campaign": campaign,
        "board": result,
        "filters": filters.values(),
        "back": filters.query(),
        "decided": forms.number(q.get("decided")),
        "placed": placed if placed in set(Stage) else "",
        "errors": errors or {},
        "form": form or {},
    }
    return renderer.render(request, "shortlist/board.html", context, status=status, block="results")


def board_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _board_response(request, board.BoardFilters.parse(request.query_params))


async def decide(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    # The board the manager was looking at: rebuilt from parsed values, never echoed as given.
    filters = board.BoardFilters.parse(dict(parse_qsl(str(form.get("back", "")))))
    stage, justification = str(form.get("stage", "")), str(form.get("justification", ""))
    ids = parse_ids(form.getlist("nominee"), NO_NOMINEE)
    engine = request.app.state.engine
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    values = {"stage": stage, "justification": justification, "ids": ids}

    def done(made) -> str:
        counts = urlencode({"decided": len(made), "placed": stage})
        return "/manage/shortlist?" + "&".join(p for p in (filters.query(), counts) if p)

    return await forms.post(
        request,
        partial(decisions.decide, engine, user.id, campaign.id, stage, ids, justification),
        done,
        partial(_board_response, request, filters, form=values),
    )


def _stages_response(request, *, errors=None, form=None, status=200) -> Response:
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    q = request.query_params
    context = {
        "campaign": campaign,
        "stages": decisions.overview(engine, campaign.id),
        "removed": forms.number(q.get("removed")),
        "promoted": "promoted" in q,
        "errors": errors or {},
        "form": form or {},
    }
    return request.app.state.renderer.render(
        request, "shortlist/stages.html", context, status=status
    )


def stages_page(request: Request) -> Response:
    require_role(request, Role.manager)
    return _stages_response(request)


async def remove(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    decision_id, reason = request.path_params["decision_id"], str(form.get("reason", ""))
    values = {"target": f"remove-{decision_id}", "reason": reason}
    return await forms.post(
        request,
        partial(decisions.remove, request.app.state.engine, user.id, decision_id, reason),
        lambda gone: f"/manage/shortlist/stages?removed={len(gone)}",
        partial(_stages_response, request, form=values),
    )


async def withdraw(request: Request) -> Response:
    user = await staff(request, Role.manager)
    form = await request.form()
    nominee_id, reason = request.path_params["nominee_id"], str(form.get("reason", ""))
    engine = request.app.state.engine
    values = {"target": f"withdraw-{nominee_id}", "reason": reason}
    return await forms.post(
        request,
        partial(decisions.withdraw_finalist, engine, user.id, nominee_id, reason),
        "/manage/shortlist/stages?promoted=1",
        partial(_stages_response, request, form=values),
    )


def scores_csv(request: Request) -> Response:
    user = require_role(request, Role.manager)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign = campaigns.require_current(engine)
    lang = renderer.language(request)
    chunks = export.export_scores(engine, campaign.id, lang, actor_id=user.id)
    # A sync iterator: Starlette reads it in the thread pool, so its queries never block the loop.
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="scores-{campaign.country}-'
            f'{campaign.year}.csv"',
            "Cache-Control": "no-store",
        },
    )


routes = [
    Route("/manage/shortlist", board_page, name="manage_shortlist"),
    Route("/manage/shortlist/decide", decide, methods=["POST"], name="manage_shortlist_decide"),
    Route("/manage/shortlist/stages", stages_page, name="manage_shortlist_stages"),
    Route(
        "/manage/shortlist/decisions/{decision_id:int}/remove",
        remove,
        methods=["POST"],
        name="manage_shortlist_remove",
    ),
    Route(
        "/manage/shortlist/finalists/{nominee_id:int}/withdraw",
        withdraw,
        methods=["POST"],
        name="manage_shortlist_withdraw",
    ),
    Route("/manage/shortlist/scores.csv", scores_csv, name="manage_shortlist_scores"),
]
