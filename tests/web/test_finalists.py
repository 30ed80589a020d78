"""The public pages: /finalists (this edition, winner first), a finalist's page (Open Graph tags
with absolute URLs, spot players that load nothing until played, transcripts), the photos
(ETag, long cache, 304), the hall of fame at /icons; drafts are 404 everywhere; light pages."""

from __future__ import annotations

import gzip
import io
import re

import pytest
from sqlalchemy import event

from campaign import languages
from profiles import editing
from tests.conftest import text_of
from tests.factories import make_campaign
from tests.profiles.helpers import add_spot, past, photo_bytes, published
from web.app import STATIC_DIR

EN = {"Accept-Language": "en"}
BASE = "http://127.0.0.1:8000"  # the settings fixture's base_url
LONG_STORY = "\n".join(
    ["Elle a refusé tout cadeau pour passer un patient avant les autres. " * 6] * 8
)


@pytest.fixture
def results(engine):
    return make_campaign(engine, "results")


@pytest.fixture
def goita(engine, settings, results, manager):
    """This edition's winner, published with a photo, a story and a video."""
    made = past(engine, manager.id, results.id, "Dr Aminata Goïta", results.year, "winner",
                position="Médecin", institution="CSRéf de Kati", region="Koulikoro")  # fmt: skip
    editing.set_photo(engine, manager.id, made.id, settings.media_dir, io.BytesIO(photo_bytes()))
    return published(engine, manager.id, made, bio="Médecin depuis 2001.", story=LONG_STORY,
                     video_url="https://video.example/goita")  # fmt: skip


def _meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)
    return {k: v for k, v in found if k.startswith(("og:", "twitter:"))}


def test_finalists_lists_this_editions_published_profiles_winner_first(
    client, engine, results, manager, goita
):
    for name in ("Zara Touré", "Awa Diallo"):
        made = past(engine, manager.id, results.id, name, results.year, "finalist",
                    position="Agent", region="Kayes")  # fmt: skip
        published(engine, manager.id, made)
    past(engine, manager.id, results.id, "Kadi Draft", results.year, "finalist")
    published(engine, manager.id, past(engine, manager.id, results.id, "Fatou Keïta", 2019))

    response = client.get("/finalists", headers=EN)

    y = results.year
    assert text_of(response.text).split("The finalists ")[2].split(" The Integrity Icons")[0] == (
        f"Integrity Icon Mali {y} "
        f"Dr Aminata Goïta Integrity Icon {y} Médecin Koulikoro "
        f"A Awa Diallo Finalist, Integrity Icon {y} Agent Kayes "  # "A": the initial, no photo
        f"Z Zara Touré Finalist, Integrity Icon {y} Agent Kayes"
    )
    assert (
        f'<img src="/finalists/{goita.slug}/photo-thumb.jpg?v={goita.photo[:16]}" width="80" '
        'height="80" loading="lazy" alt="">'
    ) in response.text


def test_finalists_before_any_profile_says_so(client, results):
    page = text_of(client.get("/finalists", headers=EN).text)

    assert (
        "The finalists will be presented here once the jury and the public have chosen them."
        in page
    )


def test_profile_page_has_open_graph_tags_with_absolute_urls(client, results, goita):
    response = client.get(f"/finalists/{goita.slug}", headers=EN)

    summary = f"Integrity Icon {results.year} · Médecin · CSRéf de Kati · Koulikoro"
    image = f"{BASE}/finalists/{goita.slug}/photo-og.jpg?v={goita.photo[:16]}"
    assert _meta(response.text) == {
        "og:type": "profile",
        "og:site_name": "Integrity Icon",
        "og:locale": "en_GB",
        "og:url": f"{BASE}/finalists/{goita.slug}",
        "og:title": "Dr Aminata Goïta",
        "og:description": summary,
        "og:image": image,
        "og:image:type": "image/jpeg",
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": "Dr Aminata Goïta",
        "twitter:card": "summary_large_image",
        "twitter:title": "Dr Aminata Goïta",
        "twitter:description": summary,
        "twitter:image": image,
    }
    assert f'<link rel="canonical" href="{BASE}/finalists/{goita.slug}">' in response.text
    page = text_of(response.text)
    assert (
        f"Integrity Icon {results.year} Dr Aminata Goïta Médecin CSRéf de Kati · Koulikoro" in page
    )
    assert 'href="https://video.example/goita" rel="noopener">Watch the video</a>' in response.text


def test_profile_page_in_french_by_default(client, results, goita):
    response = client.get(f"/finalists/{goita.slug}")

    assert _meta(response.text)["og:locale"] == "fr_FR"


def test_profile_page_plays_spots_in_the_campaigns_language_order(client, engine, results, goita):
    fr = add_spot(engine, goita, "fr", title="Le portrait", duration_s=95.4)
    bm = add_spot(engine, goita, "bm", title="Ka jaa", transcript="")
    add_spot(engine, goita, "ses", title="Brouillon", status="draft")

    response = client.get(f"/finalists/{goita.slug}", headers=EN)

    players = re.findall(r"<audio ([^>]*)></audio>", response.text)
    assert players == [
        f'controls preload="none" src="/audio/{bm}/light.ogg" aria-labelledby="spot-{bm}"',
        f'controls preload="none" src="/audio/{fr}/light.ogg" aria-labelledby="spot-{fr}"',
    ]
    page = text_of(response.text)
    assert "Ka jaa Bamanankan · 1 min 02 s Original for radio stations (MP3, 2.4 MB)" in page
    assert (
        "Le portrait Français · 1 min 35 s Read the transcript Première ligne. Deuxième ligne."
        in page
    )
    assert f'<a href="/audio/{fr}/original.mp3" type="audio/mpeg" download>' in response.text
    assert "Brouillon" not in page


@pytest.mark.parametrize("path", ["/finalists/{slug}", "/finalists/{slug}/photo-og.jpg"])
def test_unpublished_profile_is_404_not_403(client, engine, manager, goita, path):
    editing.set_status(engine, manager.id, goita.id, "draft")

    response = client.get(path.format(slug=goita.slug), headers=EN)

    assert response.status_code == 404
    assert "Page not found" in text_of(response.text)


@pytest.mark.parametrize("slug", ["nobody-2019", "..%2F..%2Fetc%2Fpasswd", "%00"])
def test_unknown_slug_is_404(client, results, slug):
    assert client.get(f"/finalists/{slug}", headers=EN).status_code == 404


def test_photo_has_etag_long_cache_and_answers_304(client, settings, goita):
    url = f"/finalists/{goita.slug}/photo-thumb.jpg?v={goita.photo[:16]}"

    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    unversioned = client.get(f"/finalists/{goita.slug}/photo-thumb.jpg")

    stored = settings.media_dir / "photos" / f"{goita.photo}-thumb.jpg"
    assert (first.status_code, first.content) == (200, stored.read_bytes())
    assert (first.headers["etag"], first.headers["cache-control"]) == (
        f'"{goita.photo}-thumb"',
        "public, max-age=31536000, immutable",
    )
    assert (again.status_code, again.content) == (304, b"")
    assert unversioned.headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize("rendition", ["original", "THUMB", "..", "thumb.jpg%00"])
def test_photo_of_an_unknown_rendition_is_404(client, goita, rendition):
    assert client.get(f"/finalists/{goita.slug}/photo-{rendition}.jpg").status_code == 404


def test_icons_groups_every_edition_newest_first_winners_first(
    client, engine, results, manager, goita
):
    for name, year, distinction in [("Moussa Cissé", 2019, "finalist"),
                                    ("Aminata Goita", 2019, "winner"),
                                    ("Fatou Keïta", 2020, "winner")]:  # fmt: skip
        published(engine, manager.id, past(engine, manager.id, results.id, name, year, distinction))
    past(engine, manager.id, results.id, "Kadi Draft", 2020, "finalist")

    page = text_of(client.get("/icons", headers=EN).text)

    y = results.year
    assert page.split("edition. ")[1].split(" Finalists Integrity Icons")[0] == (
        f"{y} Dr Aminata Goïta Integrity Icon {y} Médecin Koulikoro "
        "2020 F Fatou Keïta Integrity Icon 2020 "
        "2019 A Aminata Goita Integrity Icon 2019 M Moussa Cissé Finalist, Integrity Icon 2019"
    )


def _count_queries(engine, client, url) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_finalists_page_queries_do_not_grow_with_profiles(
    client, engine, results, manager, monkeypatch
):
    # Every request reads the languages, as after the short cache expires: both counts alike.
    monkeypatch.setattr(languages, "LANGUAGES_TTL", 0.0)
    published(engine, manager.id, past(engine, manager.id, results.id, "Awa", results.year))
    one = _count_queries(engine, client, "/finalists")
    for i in range(30):
        profile = past(engine, manager.id, results.id, f"Finalist {i}", results.year, "finalist")
        published(engine, manager.id, profile)

    many = _count_queries(engine, client, "/finalists")

    assert (one, many) == (one, one)
    # The edition's interface languages, the edition and its years (links to earlier ones), the
    # profiles; with SQLite's BEGINs.
    assert one <= 7


@pytest.mark.parametrize("url", ["/finalists", "/finalists/{slug}", "/icons"])
def test_pages_weigh_under_30_kb_before_media(client, engine, goita, url):
    for language in ("bm", "fr", "ses", "ff", "tmh", "snk"):
        add_spot(engine, goita, language, transcript=LONG_STORY[:1500])

    html = client.get(url.format(slug=goita.slug)).content
    css = (STATIC_DIR / "site.css").read_bytes()

    # The server gzips both (level 6); headers add about 1 KB.
    weight = len(gzip.compress(html, 6)) + len(gzip.compress(css, 6)) + 2 * 1024
    assert weight < 30 * 1024, weight
