"""Public media: spot files (range requests, validators) and the podcast feed.

Caching: a spot's files never change under its URL (new audio is a new spot), so the content
hash is a strong ETag and revalidation is a cheap 304. They are not ``immutable`` for a year,
though: a spot taken back to draft must disappear from shared caches within the hour.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from audio_spots import catalogue, feed, ranges
from audio_spots.catalogue import MediaFile
from campaign import campaigns
from campaign.errors import NotFound
from campaign.i18n import N_

log = logging.getLogger("icon")
CHUNK = 64 * 1024
PUBLIC_CACHE = "public, max-age=3600"
FEED_CACHE = "public, max-age=300"  # a new spot reaches podcast apps within minutes
RSS = "application/rss+xml; charset=utf-8"
FEED_DESCRIPTION = N_("Honest civil servants, in their own words and in the country's languages.")


def _chunks(path: Path, start: int, end: int) -> Iterator[bytes]:
    # A plain generator: Starlette iterates it in the thread pool, off the event loop.
    with path.open("rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0 and (chunk := f.read(min(CHUNK, left))):
            left -= len(chunk)
            yield chunk


def serve(request: Request, media: MediaFile, cache: str, attachment: bool = False) -> Response:
    """A spot file, whole or one byte range, honouring If-None-Match and If-Range."""
    if not media.path.is_file():
        log.error("spot file missing: %s", media.path)
        raise NotFound(catalogue.NO_SPOT)
    headers = {"ETag": media.etag, "Accept-Ranges": "bytes", "Cache-Control": cache}
    if attachment:
        headers["Content-Disposition"] = f'attachment; filename="{media.download_name}"'
    if ranges.etag_matches(request.headers.get("if-none-match"), media.etag):
        return Response(status_code=304, headers=headers)
    try:
        span = ranges.byte_range(
            request.headers.get("range"), media.size, request.headers.get("if-range"), media.etag
        )
    except ranges.Unsatisfiable:
        headers["Content-Range"] = f"bytes */{media.size}"
        return Response(status_code=416, headers=headers)
    start, end = span or (0, media.size - 1)
    headers["Content-Length"] = str(end - start + 1)
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{media.size}"
    status = 206 if span is not None else 200
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media.mime)
    body = _chunks(media.path, start, end)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=media.mime)


def _media(request: Request, kind: str, ext: str, drafts: bool = False) -> MediaFile:
    media_dir = request.app.state.settings.media_dir
    spot_id = request.path_params["spot_id"]
    return catalogue.media_file(
        request.app.state.engine, media_dir, spot_id, kind, ext, drafts=drafts
    )


def light(request: Request) -> Response:
    return serve(request, _media(request, "light", "ogg"), PUBLIC_CACHE)


def original(request: Request) -> Response:
    media = _media(request, "original", request.path_params["ext"])
    return serve(request, media, PUBLIC_CACHE, attachment=True)


def podcast(request: Request) -> Response:
    state = request.app.state
    campaign = campaigns.require_current(state.engine)
    description = state.renderer.gettext(request, FEED_DESCRIPTION)
    lang, quality = request.query_params.get("lang") or None, request.query_params.get("quality")
    try:
        built = feed.build(
            state.engine, campaign, state.settings.base_url, description, lang, quality or "light"
        )
    except NotFound as exc:
        return PlainTextResponse(state.renderer.gettext(request, exc.message), status_code=404)
    headers = {"ETag": built.etag, "Cache-Control": FEED_CACHE, "Vary": "Accept-Language"}
    if ranges.etag_matches(request.headers.get("if-none-match"), built.etag):
        return Response(status_code=304, headers=headers)
    return Response(built.body, headers=headers, media_type=RSS)


def cover(request: Request) -> Response:
    return Response(
        feed.cover_png(), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


routes = [
    Route("/audio/{spot_id:int}/light.ogg", light, methods=["GET", "HEAD"], name="audio_light"),
    Route(
        "/audio/{spot_id:int}/original.{ext}",
        original,
        methods=["GET", "HEAD"],
        name="audio_original",
    ),
    Route(feed.PATH, podcast, methods=["GET", "HEAD"], name="audio_feed"),
    Route(feed.COVER_PATH, cover, methods=["GET", "HEAD"], name="audio_cover"),
]
