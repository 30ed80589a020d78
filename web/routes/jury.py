"""The jurors' area: the board of their readings and the scoring page of each nominee.

With htmx every score and the comment are saved on change (``/score``, ``/comment`` answer a
small fragment); without JavaScript the reading page is one form posted whole. Every handler
checks the role itself, and the services check that the reading is the signed-in juror's own:
an id posted in a form is never trusted for who is scoring.
"""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns
from campaign.errors import Invalid, PhaseClosed
from campaign.models import Role
from shortlist import criteria, jury_board, jury_reading, scoring
from web import forms, htmx
from web.auth import require_role, staff

STAFF = (Role.juror, Role.manager)


def jury_home(request: Request) -> Response:
    user = require_role(request, *STAFF)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    filters = jury_board.BoardFilters.parse(request.query_params)
    context = {
        "campaign": campaign,
        "board": jury_board.board(engine, user.id, campaign.id, filters),
        "filters": filters,
        "statuses": jury_board.BOARD_STATUSES,
        "review_open": criteria.review_open(campaign),
        "all_done": request.query_params.get("done") == "1",
    }
    return request.app.state.renderer.render(request, "jury/home.html", context, block="results")


def _reading_response(
    request, user, assignment_id: int, *, errors=None, form=None, submitting=False, status=200
):
    view = jury_reading.reading(request.app.state.engine, user.id, assignment_id)
    q = request.query_params
    context = {
        "r": view,
        "campaign": view.campaign,
        "label": criteria.label,
        "errors": errors or {},
        "form": form,
        "submitting": submitting,
        "notice": q.get("notice", "") if q.get("notice") in ("saved", "stale", "submitted") else "",
    }
    return request.app.state.renderer.render(request, "jury/reading.html", context, status=status)


def reading_page(request: Request) -> Response:
    user = require_role(request, *STAFF)
    return _reading_response(request, user, request.path_params["assignment_id"])


def next_reading(request: Request) -> Response:
    """The board's "score the next nominee", and "next" from a reading that is locked."""
    user = require_role(request, *STAFF)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    after = forms.number(request.query_params.get("after"))
    next_id = jury_reading.next_assignment(engine, user.id, campaign.id, after)
    return htmx.redirect(request, f"/jury/readings/{next_id}" if next_id else "/jury?done=1")


def _state(request, target: str, *, result=None, message="", status=200) -> Response:
    context = {"target": target, "result": result, "message": message}
    return request.app.state.renderer.render(request, "jury/state.html", context, status=status)


async def save_score(request: Request) -> Response:
    user = await staff(request, *STAFF)
    form = await request.form()
    assignment_id = request.path_params["assignment_id"]
    criterion_id = forms.number(form.get("criterion")) or 0
    raw, version = form.get(f"score_{criterion_id}", ""), forms.number(form.get("version"))
    target = f"score-{criterion_id}-state"
    try:
        result = await run_in_threadpool(
            scoring.save_score,
            request.app.state.engine,
            user.id,
            assignment_id,
            criterion_id,
            raw,
            version,
        )
    except Invalid as exc:
        return _state(request, target, message=exc.errors["score"], status=422)
    except (PhaseClosed, scoring.Submitted) as exc:
        return _state(request, target, message=exc.message, status=422)
    return _state(request, target, result=result)


async def save_comment(request: Request) -> Response:
    user = await staff(request, *STAFF)
    form = await request.form()
    assignment_id = request.path_params["assignment_id"]
    comment, version = str(form.get("comment", "")), forms.number(form.get("version"))
    try:
        result = await run_in_threadpool(
            scoring.save_comment,
            request.app.state.engine,
            user.id,
            assignment_id,
            comment,
            version,
        )
    except Invalid as exc:
        return _state(request, "comment-state", message=exc.errors["comment"], status=422)
    except (PhaseClosed, scoring.Submitted) as exc:
        return _state(request, "comment-state", message=exc.message, status=422)
    return _state(request, "comment-state", result=result)


async def save_reading(request: Request) -> Response:
    """The whole form: save, or save, submit and open the next reading (also without
    JavaScript; with it the scores are already saved field by field)."""
    user = await staff(request, *STAFF)
    form = await request.form()
    engine, assignment_id = request.app.state.engine, request.path_params["assignment_id"]
    scores = {
        int(key[6:]): str(value)
        for key, value in form.multi_items()
        if key.startswith("score_") and forms.number(key[6:]) is not None
    }
    comment, action = str(form.get("comment", "")), str(form.get("action", "save"))
    result = None
    try:
        result = await run_in_threadpool(
            scoring.save_sheet,
            engine,
            user.id,
            assignment_id,
            scores,
            comment,
            forms.number(form.get("version")),
        )
        if action in ("submit", "submit_next"):
            await run_in_threadpool(scoring.submit, engine, user.id, assignment_id)
    except Invalid as exc:
        values = {"scores": scores, "comment": comment}
        return await run_in_threadpool(
            _reading_response,
            request,
            user,
            assignment_id,
            errors=exc.errors,
            form=values,
            submitting=result is not None,
            status=422,
        )
    # "submit_next" is the juror's one action per nominee: hand in, then the next reading.
    if action in ("next", "submit_next"):
        next_id = await run_in_threadpool(
            jury_reading.next_assignment, engine, user.id, result.campaign_id, assignment_id
        )
        return htmx.redirect(request, f"/jury/readings/{next_id}" if next_id else "/jury?done=1")
    notice = "submitted" if action == "submit" else "stale" if result.stale else "saved"
    return htmx.redirect(request, f"/jury/readings/{assignment_id}?notice={notice}")


async def submit_reading(request: Request) -> Response:
    user = await staff(request, *STAFF)
    engine, assignment_id = request.app.state.engine, request.path_params["assignment_id"]
    return await forms.post(
        request,
        partial(scoring.submit, engine, user.id, assignment_id),
        f"/jury/readings/{assignment_id}?notice=submitted",
        partial(_reading_response, request, user, assignment_id, submitting=True),
    )


READING = "/jury/readings/{assignment_id:int}"
routes = [
    Route("/jury", jury_home, name="jury_home"),
    Route("/jury/next", next_reading, name="jury_next"),
    Route(READING, reading_page, name="jury_reading"),
    Route(READING, save_reading, methods=["POST"], name="jury_save"),
    Route(READING + "/score", save_score, methods=["POST"], name="jury_score"),
    Route(READING + "/comment", save_comment, methods=["POST"], name="jury_comment"),
    Route(READING + "/submit", submit_reading, methods=["POST"], name="jury_submit"),
]
