"""First run: the setup link prints at start-up; its page creates the first manager and edition."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign import db, presets, setup
from campaign.errors import Invalid, InvitationInvalid
from web.auth import sign_in

FIELDS = ("email", "name", "password", "confirm", "country", "year", "title")


def _context(lang: str, form: dict, errors: dict | None = None) -> dict:
    ours, others = presets.choices(lang)
    return {"form": form, "errors": errors or {}, "ours": ours, "others": others}


async def setup_page(request: Request) -> Response:
    renderer, engine = request.app.state.renderer, request.app.state.engine
    key, token = request.app.state.settings.secret_key, request.path_params["token"]
    lang = renderer.language(request)
    try:
        if request.method == "GET":
            await run_in_threadpool(setup.check, engine, key, token)
            form = {"year": str(db.utcnow().year + 1)}
            context = await run_in_threadpool(_context, lang, form)
            return renderer.render(request, "setup/form.html", context)
        data = await request.form()
        form = {k: str(data.get(k, "")) for k in FIELDS}
        user, _campaign = await run_in_threadpool(
            setup.complete, engine, key, token, setup.SetupIn(**form), lang
        )
    except InvitationInvalid as exc:
        return renderer.render(
            request, "errors/error.html", {"status": 400, "message": exc.message}, status=400
        )
    except Invalid as exc:
        form["password"] = form["confirm"] = ""
        context = await run_in_threadpool(_context, lang, form, exc.errors)
        return renderer.render(request, "setup/form.html", context, status=422)
    sign_in(request, user)
    return RedirectResponse("/manage/campaign?welcome=1", status_code=303)


routes = [Route("/setup/{token}", setup_page, methods=["GET", "POST"], name="setup")]
