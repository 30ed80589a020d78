"""Managers' pages: campaign settings, people, audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from campaign import audit, campaigns, people
from campaign.campaigns import PHASE_FIELDS, CampaignSettingsIn
from campaign.db import utcnow
from campaign.errors import Invalid, NotFound
from campaign.i18n import N_
from campaign.models import Role
from campaign.text import whole
from web import htmx
from web.auth import require_role, staff

AUDIT_PAGE = 100


def manage_home(request: Request) -> Response:
    require_role(request, Role.manager)
    return RedirectResponse("/manage/campaign", status_code=303)


ELIGIBILITY_FIELDS = ("key", "expected", "text_fr", "text_en", "refusal_fr", "refusal_en")


def _eligibility_rows(campaign) -> list[dict]:
    """The questions as form rows, plus two blank rows for new ones."""
    rows = [
        {
            "key": q["key"],
            "expected": "yes" if q["expected"] else "no",
            "text_fr": q["text"].get("fr", ""),
            "text_en": q["text"].get("en", ""),
            "refusal_fr": q["refusal"].get("fr", ""),
            "refusal_en": q["refusal"].get("en", ""),
        }
        for q in campaign.eligibility
    ]
    return rows + [dict.fromkeys(ELIGIBILITY_FIELDS, "") for _ in range(2)]


def _settings_context(campaign, form: dict | None = None, errors: dict | None = None) -> dict:
    if form is None:
        form = {
            name: campaigns.local_input(getattr(campaign, name), campaign.timezone)
            for name in PHASE_FIELDS
        }
        form |= {
            "title": campaign.title,
            "regions": "\n".join(campaign.regions),
            "languages": "\n".join(f"{lang['code']} {lang['name']}" for lang in campaign.languages),
            "country": campaign.country,
            "phone_country": campaign.phone_country,
            "timezone": campaign.timezone,
            "interface_languages": " ".join(campaign.interface_languages),
        }
    return {
        "campaign": campaign,
        "form": form,
        "errors": errors or {},
        "phase_fields": PHASE_FIELDS,
        "questions": _eligibility_rows(campaign),
        "questions_errors": {},
        "questions_editable": utcnow() < campaign.nominations_start,
        "place_editable": utcnow() < campaign.nominations_start,
    }


async def campaign_settings(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    if request.method == "GET":
        installed = renderer.catalogue.codes()
        context = _settings_context(campaign) | {
            "saved": "saved" in request.query_params,
            "installed": installed,
        }
        # An edition naming none offers every installed language: say so in the field.
        context["form"]["interface_languages"] = " ".join(campaign.interface_languages or installed)
        return renderer.render(request, "manage/campaign.html", context)
    form = {k: str(v) for k, v in (await request.form()).items()}
    settings_in = CampaignSettingsIn(
        title=form.get("title", ""),
        phase_dates={name: form.get(name, "") for name in PHASE_FIELDS},
        regions=form.get("regions", ""),
        languages=form.get("languages", ""),
        # Absent from the form once nominations have opened: they keep their values.
        **{name: form.get(name) for name in (*campaigns.PLACE_FIELDS, "interface_languages")},
    )
    try:
        await run_in_threadpool(
            campaigns.update_settings, engine, user.id, campaign.id, settings_in
        )
    except Invalid as exc:
        context = _settings_context(campaign, form, exc.errors)
        context["installed"] = renderer.catalogue.codes()
        return renderer.render(request, "manage/campaign.html", context, status=422, block="form")
    return htmx.redirect(request, "/manage/campaign?saved=1")


async def eligibility(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign = await run_in_threadpool(campaigns.require_current, engine)
    form = await request.form()
    count = min(len(campaign.eligibility) + 2, campaigns.MAX_QUESTIONS + 2)
    rows = [{f: str(form.get(f"{f}_{i}", "")) for f in ELIGIBILITY_FIELDS} for i in range(count)]
    try:
        await run_in_threadpool(campaigns.update_eligibility, engine, user.id, campaign.id, rows)
    except Invalid as exc:
        context = _settings_context(campaign) | {"questions": rows, "questions_errors": exc.errors}
        return renderer.render(request, "manage/campaign.html", context, status=422)
    return htmx.redirect(request, "/manage/campaign?saved=1#eligibility")


def people_page(request: Request) -> Response:
    require_role(request, Role.manager)
    engine, settings = request.app.state.engine, request.app.state.settings
    context = {"people": people.list_users(engine), "roles": list(Role), "form": {}, "errors": {}}
    invited = request.query_params.get("invited", "")
    if whole(invited, 1, 10**9) is not None:
        invitee, token = people.pending_invitation(engine, settings.secret_key, int(invited))
        context["invitee"] = invitee
        context["invitation_url"] = f"{settings.base_url}/invitation/{token}"
    return request.app.state.renderer.render(request, "manage/people.html", context)


async def invite(request: Request) -> Response:
    user = await staff(request, Role.manager)
    engine, settings = request.app.state.engine, request.app.state.settings
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        invitee, _token = await run_in_threadpool(
            people.invite,
            engine,
            settings.secret_key,
            user.id,
            form.get("email", ""),
            form.get("role", ""),
            form.get("name", ""),
        )
    except Invalid as exc:
        users = await run_in_threadpool(people.list_users, engine)
        context = {"people": users, "roles": list(Role), "form": form, "errors": exc.errors}
        return request.app.state.renderer.render(request, "manage/people.html", context, status=422)
    return htmx.redirect(request, f"/manage/people?invited={invitee.id}")


async def set_active(request: Request) -> Response:
    user = await staff(request, Role.manager)
    action = request.path_params["action"]
    if action not in ("activate", "deactivate"):
        raise NotFound(N_("No such page."))
    active = action == "activate"
    await run_in_threadpool(
        people.set_active, request.app.state.engine, user.id, request.path_params["user_id"], active
    )
    return htmx.redirect(request, "/manage/people")


def _day(value: str, tz: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz))
    except ValueError:
        return None


def audit_log(request: Request) -> Response:
    require_role(request, Role.manager)
    engine = request.app.state.engine
    campaign = campaigns.require_current(engine)
    q = request.query_params
    actor = q.get("actor", "")
    since, until = (
        _day(q.get("since", ""), campaign.timezone),
        _day(q.get("until", ""), campaign.timezone),
    )
    page = whole(q.get("page"), 1, 10**6, 1)
    result = audit.search(
        engine,
        actor_id=whole(actor, 1, 10**9),
        action=q.get("action") or None,
        since=since,
        until=until + timedelta(days=1) if until else None,
        limit=AUDIT_PAGE,
        offset=(page - 1) * AUDIT_PAGE,
    )
    context = {
        "campaign": campaign,
        "result": result,
        "people": people.list_users(engine),
        "filters": {k: q.get(k, "") for k in ("actor", "action", "since", "until")},
        "page": page,
        "pages": max(1, -(-result.total // AUDIT_PAGE)),
    }
    return request.app.state.renderer.render(request, "manage/audit.html", context, block="results")


routes = [
    Route("/manage", manage_home, name="manage_home"),
    Route("/manage/campaign", campaign_settings, methods=["GET", "POST"], name="manage_campaign"),
    Route("/manage/campaign/eligibility", eligibility, methods=["POST"], name="manage_eligibility"),
    Route("/manage/people", people_page, name="manage_people"),
    Route("/manage/people/invite", invite, methods=["POST"], name="manage_invite"),
    Route(
        "/manage/people/{user_id:int}/{action:str}",
        set_active,
        methods=["POST"],
        name="manage_set_active",
    ),
    Route("/manage/audit", audit_log, name="manage_audit"),
]
