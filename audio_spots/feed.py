"""The podcast feed of published spots: RSS 2.0 with enclosures and the iTunes tags.

Which file the enclosures point at: the light rendition by default, the original with
``quality=original``. Podcast apps download every new episode by themselves, mostly over mobile
data that listeners buy by the megabyte: a one-minute spot is ~180 KB light against ~1 MB or more
as recorded. The campaign's listeners are overwhelmingly on Android, whose podcast apps play Ogg
Opus. Radio partners are a handful of stations, given the original-quality address once: they
rebroadcast, so they get the file as recorded (and the spot page offers it as a download).
Apple's directory does not list Ogg enclosures: a campaign that wants it submits the original feed.

Only published spots of published profiles appear, newest first. The document depends only on
them (lastBuildDate is the latest publication), so its hash is a stable ETag.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from urllib.parse import urlencode

import lxml.etree  # noqa: F401 - feedgen 1.0 reaches lxml.etree without importing it

# isort: split
from feedgen.feed import FeedGenerator
from PIL import Image, ImageDraw
from sqlalchemy.engine import Engine

from audio_spots import catalogue
from audio_spots.catalogue import LIGHT_MIME
from campaign import text
from campaign.errors import NotFound
from campaign.i18n import N_
from campaign.models import Campaign

QUALITIES = ("light", "original")
PATH, COVER_PATH = "/feeds/audio.xml", "/feeds/audio.png"
CATEGORY = "Government"  # Apple's category list; the closest to a civic campaign
COVER_SIZE = 1400  # the smallest square Apple accepts
# The site's icon (web/static/icon.svg): a gold star on green, drawn on a 32-unit grid.
STAR = [
    (16, 5),
    (19.2, 11.9),
    (26.7, 12.7),
    (21.1, 17.8),
    (22.7, 25.2),
    (16, 21.4),
    (9.3, 25.2),
    (10.9, 17.8),
    (5.3, 12.7),
    (12.8, 11.9),
]


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str


def guid(campaign: Campaign, spot_id: int) -> str:
    """Stable for the life of the spot, whatever the site's address or the feed's quality."""
    return f"integrity-icon:{campaign.country.lower()}:{campaign.year}:spot:{spot_id}"


def build(
    engine: Engine,
    campaign: Campaign,
    base_url: str,
    description: str,
    lang: str | None = None,
    quality: str = "light",
) -> Feed:
    """NotFound for a language the campaign does not use or an unknown quality."""
    names = {language["code"]: language["name"] for language in campaign.languages}
    if lang is not None and lang not in names:
        raise NotFound(N_("This campaign has no audio spots in that language."))
    if quality not in QUALITIES:
        raise NotFound(N_("No such feed: quality is light or original."))
    spots, profiles = catalogue.newest_published(engine, campaign.id, lang)

    fg = FeedGenerator()
    fg.load_extension("podcast")
    params = {"lang": lang} if lang else {}
    if quality != "light":
        params["quality"] = quality
    fg.title(f"{campaign.title} · {names[lang]}" if lang else campaign.title)
    # feedgen makes RSS's <link> of the last link given: the page, so the self link goes first.
    fg.link(href=f"{base_url}{PATH}" + (f"?{urlencode(params)}" if params else ""), rel="self")
    fg.link(href=f"{base_url}/finalists", rel="alternate")
    fg.description(description)
    if lang:
        fg.language(lang)
    fg.image(url=f"{base_url}{COVER_PATH}", title=fg.title(), link=f"{base_url}/finalists")
    fg.lastBuildDate(spots[0].published_at if spots else campaign.created_at)
    fg.generator("Integrity Icon")
    fg.podcast.itunes_author(campaign.title)
    fg.podcast.itunes_image(f"{base_url}{COVER_PATH}")
    fg.podcast.itunes_category(CATEGORY)
    fg.podcast.itunes_explicit("no")
    for spot in spots:
        profile = profiles[spot.profile_id]
        entry = fg.add_entry(order="append")
        entry.guid(guid(campaign, spot.id), permalink=False)
        # Cleaned again here: one control character stored by older code would break the XML.
        entry.title(text.one_line(spot.title))
        entry.link(href=f"{base_url}{profile.url}")
        entry.description(text.paragraphs(spot.transcript))
        entry.pubDate(spot.published_at)
        if quality == "original":
            entry.enclosure(
                f"{base_url}{spot.original_url}", str(spot.original_bytes), spot.original_mime
            )
        else:
            entry.enclosure(f"{base_url}{spot.light_url}", str(spot.light_bytes), LIGHT_MIME)
        name = text.one_line(profile.name)
        entry.podcast.itunes_author(name)
        entry.podcast.itunes_subtitle(f"{name} · {names.get(spot.language, spot.language)}")
        entry.podcast.itunes_duration(round(spot.duration_s))
        entry.podcast.itunes_explicit("no")
    body = fg.rss_str(pretty=True)
    return Feed(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


@functools.cache
def cover_png() -> bytes:
    """The podcast artwork: the site's icon, square, at the size podcast directories ask for."""
    scale = COVER_SIZE / 32
    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), "#0b5d3b")
    ImageDraw.Draw(image).polygon([(x * scale, y * scale) for x, y in STAR], fill="#f2b705")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
