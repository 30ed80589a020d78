"""The app factory: settings in, Starlette app out; shared objects live in app.state."""

from __future__ import annotations

import logging
import re
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial

from python_multipart.exceptions import FormParserError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from campaign import db, gateways, languages, migrations, sms, sms_queue
from campaign.errors import DomainError, Invalid, LoginLocked
from campaign.i18n import N_
from campaign.settings import Settings
from nominations import csvfile
from voting.intake import VoteIntake
from web import htmx
from web.auth import LoginRequired, login_url
from web.body_limit import KB, MB, BodyLimit
from web.housekeeping import Housekeeping
from web.i18n import DEFAULT, Catalogue, OfferedLanguages
from web.lean import LeanWebhook
from web.lean_session import SESSION_COOKIE
from web.lean_vote import GZIP_LEVEL, GZIP_MINIMUM, LeanVote
from web.middleware import CSRFProtect, Metrics, SecurityHeaders, route_label
from web.routes import (
    audio,
    editions,
    finalists,
    jury,
    manage,
    matches,
    moderation,
    nominate,
    profiles,
    public,
    review,
    rounds,
    setup,
    shortlist,
    sms_manage,
    spots,
    staff,
    stats,
    volunteer,
    vote,
)
from web.routes import callbacks as callback_routes
from web.routes import gateways as gateway_routes
from web.routes import sms as sms_routes
from web.templating import TEMPLATE_DIR, Renderer

log = logging.getLogger("icon")
STATIC_DIR = TEMPLATE_DIR.parent / "static"
# Audio and photos are compressed already; audio also answers ranges (see CompressPages).
MEDIA_PATH = re.compile(r"^/audio/|^/manage/spots/\d+/(light|original)\.|/photo-[a-z]+\.jpg$")
# The uploads that stream to disk under their own limits (20 MB spots, 10 MB photos); every other
# body is read whole by the CSRF check, up to 30 MB.
STREAMED_UPLOADS = re.compile(r"^/manage/(spots|profiles/\d+/photo)$")
# Body caps by route, first match (web/body_limit.py); the streamed uploads keep their own.
BODY_CAPS = (
    (STREAMED_UPLOADS, None),
    # A gateway's own routes cap their bodies and answer as that gateway expects (Kannel
    # retries anything but a 200): only the signed webhook is capped here.
    (re.compile(r"^/sms/(?!inbound$)"), None),
    (re.compile(r"^/sms/"), 8 * KB),
    (re.compile(r"^/(vote|login|logout|lang)(/|$)"), 8 * KB),
    (re.compile(r"^/manage/entry/upload$"), csvfile.MAX_BYTES + 64 * KB),
    (re.compile(r"^/(manage|jury)/"), 1 * MB),
)
UNREADABLE_FORM = N_("This form could not be read. Reload the page and try again.")
PUBLIC_FORM_CAP = 64 * KB  # a nomination with its story, in UTF-8, with room to spare


class CompressPages(GZipMiddleware):
    """Gzip for pages, never for media: audio is compressed already, and a gzipped 206 would
    carry a Content-Range that no longer matches its bytes (players could not seek)."""

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and MEDIA_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


class CachedStatic(StaticFiles):
    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def create_app(settings: Settings, engine=None) -> Starlette:
    engine = (
        engine
        if engine is not None
        else db.make_engine(settings.database_url, settings.sqlite_synchronous)
    )
    # Refuse to serve an unmigrated database: every page would fail later, and less clearly.
    migrations.ensure_migrated(engine)
    renderer = Renderer(Catalogue())

    votes = VoteIntake(
        engine,
        settings.secret_key,
        lambda msgid, params: renderer.catalogue.gettext(DEFAULT, msgid) % params,
    )

    adapters = gateways.adapters(settings)
    sender = None
    if settings.sms_backend == "http":
        first = adapters[settings.sms_gateways[0]]
        sender = sms_queue.Sender(engine, first, settings.sms_rate)
    retention = timedelta(days=settings.verification_retention_days)
    replies_kept = timedelta(days=settings.inbound_sms_retention_days)
    housekeeping = Housekeeping(engine, retention, settings.housekeeping_minutes * 60, replies_kept)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        housekeeping.start()
        if sender is not None:
            sender.start()
        yield
        await housekeeping.stop()
        if sender is not None:
            await run_in_threadpool(sender.stop)
        await run_in_threadpool(votes.close)  # waits for the last batches to commit
        engine.dispose()

    # The voting-night paths first: the router tries routes in order.
    routes = [
        *sms_routes.routes,
        *gateway_routes.routes,
        *vote.routes,
        *public.routes,
        *staff.routes,
        *setup.routes,
        *jury.routes,
        *manage.routes,
        *sms_manage.routes,
        *callback_routes.routes,
        *editions.routes,
        *matches.routes,
        *moderation.routes,
        *review.routes,
        *shortlist.routes,
        *rounds.routes,
        *volunteer.routes,
        *nominate.routes,
        *profiles.routes,
        *spots.routes,
        *finalists.routes,
        *audio.routes,
        *stats.routes,
        Mount("/static", CachedStatic(directory=STATIC_DIR), name="static"),
    ]

    async def reject(scope, receive, send, reason: str) -> None:
        request = Request(scope, receive)
        if reason == "too_large":
            page = error_page(request, 413, N_("This upload is too large."))
        else:
            page = renderer.render(request, "errors/csrf.html", status=403)
        await page(scope, receive, send)

    def error_page(request: Request, status: int, message: str = "", **params) -> Response:
        context = {"status": status, "message": message, "params": params}
        return renderer.render(request, "errors/error.html", context, status=status)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, "")

    async def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, Invalid | LoginLocked):
            # Handlers catch these to redisplay their form; reaching here is a handler's bug.
            log.error("unhandled %s on %s", type(exc).__name__, route_label(request.scope))
        return error_page(request, exc.status, exc.message, **exc.params)

    async def unreadable_form(request: Request, exc: FormParserError) -> Response:
        # python-multipart's own parse errors (a part's headers over 4 KB, too many of them)
        # pass through Starlette, which only turns its MultiPartException into a 400.
        return error_page(request, 400, UNREADABLE_FORM)

    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return htmx.redirect(request, login_url(exc.next_path))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error on %s", route_label(request.scope), exc_info=exc)
        return error_page(request, 500, "")

    middleware = [
        Middleware(Metrics, routes=routes),
        # The signed SMS webhook is answered here, before what it has no use for (web/lean.py).
        Middleware(LeanWebhook, https=settings.https),
        # So are the web vote and its confirmation page, in their common case (web/lean_vote.py).
        Middleware(
            LeanVote,
            secret_key=settings.secret_key,
            session_seconds=settings.session_hours * 3600,
            https=settings.https,
            body_cap=next(cap for path, cap in BODY_CAPS if path.match("/vote")),
            known=partial(languages.known_interface_languages, engine),
        ),
        Middleware(
            OfferedLanguages,
            load=partial(languages.interface_languages, engine),
            known=partial(languages.known_interface_languages, engine),
        ),
        Middleware(SecurityHeaders, https=settings.https),
        Middleware(BodyLimit, reject=reject, caps=BODY_CAPS, default=PUBLIC_FORM_CAP),
        # Level 6: a 300 KB board compresses in 5 ms instead of 17, for 3.5% more bytes.
        Middleware(CompressPages, minimum_size=GZIP_MINIMUM, compresslevel=GZIP_LEVEL),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=settings.session_hours * 3600,
            same_site="lax",
            https_only=settings.https,
        ),
        Middleware(
            CSRFProtect,
            reject=reject,
            exempt=("/sms/",),
            streamed=STREAMED_UPLOADS,
            secure=settings.https,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            HTTPException: http_error,
            DomainError: domain_error,
            FormParserError: unreadable_form,
            LoginRequired: login_required,
            Exception: server_error,
        },
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.renderer = renderer
    app.state.sms = sms.gateway(settings, engine, sender.wake if sender else lambda: None)
    app.state.gateways = adapters
    app.state.sms_sender = sender
    app.state.votes = votes
    app.state.housekeeping = housekeeping
    return app
