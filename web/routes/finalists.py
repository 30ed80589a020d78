"""The public pages of the published profiles: /finalists, each finalist's page (photo, story,
audio spots) with Open Graph tags for links shared on WhatsApp and Facebook, their photos, and
the hall of fame at /icons. A draft is a 404 everywhere here."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from audio_spots import catalogue
from campaign import campaigns
from profiles import photos, public
from web.auth import current_user

# A photo URL carries its content hash (?v=): that exact URL never changes content.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=300"


def finalists_page(request: Request) -> Response:
    current_user(request)
    engine = request.app.state.engine
    campaign, years = campaigns.showing(engine, request.query_params.get("year"))
    context = {"found": public.finalists(engine, campaign), "years": years}
    return request.app.state.renderer.render(request, "finalists/list.html", context)


def profile_context(request: Request, view: public.ProfileView, photo_base: str = "") -> dict:
    """What the profile page shows; ``photo_base`` serves a draft's photos to its preview."""
    spots = catalogue.published_spots(request.app.state.engine, [view.id]).get(view.id, [])
    order = list(view.languages)
    spots = sorted(spots, key=lambda s: order.index(s.language) if s.language in order else 99)
    base_url = request.app.state.settings.base_url
    urls = {
        name: f"{photo_base or view.url}/photo-{name}.jpg?v={view.photo[:16]}"
        for name in photos.RENDITIONS
    }
    return {
        "profile": view,
        "spots": spots,
        "photo": urls if view.photo else {},
        "sizes": photos.RENDITIONS,
        "canonical": base_url + view.url,
        # Crawlers (WhatsApp, Facebook) need absolute URLs, from the configured public address.
        "og_image": base_url + view.photo_url("og") if view.photo else "",
    }


def profile_page(request: Request) -> Response:
    current_user(request)
    view = public.by_slug(request.app.state.engine, request.path_params["slug"])
    context = profile_context(request, view)
    return request.app.state.renderer.render(request, "finalists/profile.html", context)


def photo(request: Request) -> Response:
    view = public.by_slug(request.app.state.engine, request.path_params["slug"])
    rendition = request.path_params["rendition"]
    found = public.photo_file(request.app.state.settings.media_dir, view, rendition)
    fresh = request.query_params.get("v") == view.photo[:16]
    headers = {
        "ETag": f'"{view.photo}-{rendition}"',
        "Cache-Control": IMMUTABLE if fresh else REVALIDATE,
    }
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(found, media_type="image/jpeg", headers=headers)


def icons_page(request: Request) -> Response:
    current_user(request)
    years = public.hall_of_fame(request.app.state.engine)
    return request.app.state.renderer.render(request, "finalists/icons.html", {"years": years})


routes = [
    Route("/finalists", finalists_page, name="finalists"),
    Route("/finalists/{slug}", profile_page, name="finalist"),
    Route("/finalists/{slug}/photo-{rendition}.jpg", photo, name="finalist_photo"),
    Route("/icons", icons_page, name="icons"),
]
