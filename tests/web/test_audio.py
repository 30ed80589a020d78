"""Public spot files (ranges, validators, 404 for anything unpublished) and the podcast feed."""

from __future__ import annotations

import feedparser
import pytest

from audio_spots import spots
from tests.audio_spots.helpers import make_profile, make_spot

# What browsers send for <audio>: media is never to be compressed on the way.
MEDIA = {"Accept-Encoding": "identity;q=1, *;q=0"}
BASE = "http://127.0.0.1:8000"  # the test settings' ICON_BASE_URL


@pytest.fixture
def spot(engine, settings, campaign, manager):
    """A published spot of a published profile, with an odd title for the download name."""
    profile = make_profile(engine, campaign.id)
    made = make_spot(
        engine,
        settings.media_dir,
        manager.id,
        campaign.id,
        profile.id,
        title='Aminata Goïta / "Sage-femme" ../..',
    )
    spots.set_published(engine, manager.id, made.id, True)
    return spots.detail(engine, made.id).spot


def light_bytes(settings, spot) -> bytes:
    return (settings.media_dir / "audio" / f"{spot.light_hash}.ogg").read_bytes()


def test_light_whole_file_with_validators(client, settings, spot):
    response = client.get(f"/audio/{spot.id}/light.ogg", headers=MEDIA)
    assert response.status_code == 200
    assert response.content == light_bytes(settings, spot)
    assert {
        k: response.headers.get(k)
        for k in (
            "content-type",
            "content-length",
            "etag",
            "accept-ranges",
            "cache-control",
            "content-encoding",
        )
    } == {
        "content-type": "audio/ogg",
        "content-length": str(spot.light_bytes),
        "etag": f'"{spot.light_hash}"',
        "accept-ranges": "bytes",
        "cache-control": "public, max-age=3600",
        "content-encoding": None,
    }


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-10", 10, 10),
        ("bytes=0-999999999", 0, None),
    ],
)
def test_range_gives_206_with_exact_bytes(client, settings, spot, header, first, last):
    data = light_bytes(settings, spot)
    size = len(data)
    start = first % size
    end = size - 1 if last is None else last
    response = client.get(f"/audio/{spot.id}/light.ogg", headers={"Range": header, **MEDIA})
    assert response.status_code == 206
    assert response.content == data[start : end + 1]
    assert (response.headers["content-range"], response.headers["content-length"]) == (
        f"bytes {start}-{end}/{size}",
        str(end - start + 1),
    )


@pytest.mark.parametrize("header", ["bytes=999999-", "bytes=-0"])
def test_range_past_the_end_is_416(client, spot, header):
    response = client.get(f"/audio/{spot.id}/light.ogg", headers={"Range": header, **MEDIA})
    assert (response.status_code, response.headers["content-range"], response.content) == (
        416,
        f"bytes */{spot.light_bytes}",
        b"",
    )


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-9", "bytes=9-1", "pages=1-2", "bytes=x-", "bytes=" + "9" * 5000 + "-"]
)
def test_ranges_we_do_not_serve_get_the_whole_file(client, settings, spot, header):
    response = client.get(f"/audio/{spot.id}/light.ogg", headers={"Range": header, **MEDIA})
    assert (response.status_code, response.content) == (200, light_bytes(settings, spot))


def test_if_none_match_gives_304(client, spot):
    etag = f'"{spot.light_hash}"'
    response = client.get(
        f"/audio/{spot.id}/light.ogg", headers={"If-None-Match": f'"other", {etag}', **MEDIA}
    )
    assert (response.status_code, response.content, response.headers["etag"]) == (304, b"", etag)


def test_if_range_with_another_etag_sends_the_whole_file(client, settings, spot):
    stale = client.get(
        f"/audio/{spot.id}/light.ogg", headers={"Range": "bytes=0-9", "If-Range": '"old"', **MEDIA}
    )
    fresh = client.get(
        f"/audio/{spot.id}/light.ogg",
        headers={"Range": "bytes=0-9", "If-Range": f'"{spot.light_hash}"', **MEDIA},
    )
    assert (stale.status_code, stale.content) == (200, light_bytes(settings, spot))
    assert (fresh.status_code, fresh.content) == (206, light_bytes(settings, spot)[:10])


def test_head_gives_the_headers_only(client, spot):
    whole = client.head(f"/audio/{spot.id}/light.ogg", headers=MEDIA)
    part = client.head(f"/audio/{spot.id}/light.ogg", headers={"Range": "bytes=5-", **MEDIA})
    assert (whole.status_code, whole.content, whole.headers["content-length"]) == (
        200,
        b"",
        str(spot.light_bytes),
    )
    assert (part.status_code, part.headers["content-range"]) == (
        206,
        f"bytes 5-{spot.light_bytes - 1}/{spot.light_bytes}",
    )


def test_original_is_a_download_with_a_safe_name(client, settings, spot):
    response = client.get(f"/audio/{spot.id}/original.mp3", headers=MEDIA)
    original = settings.media_dir / "audio" / f"{spot.original_hash}.mp3"
    assert (response.status_code, response.content) == (200, original.read_bytes())
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="aminata-goita-sage-femme-{spot.id}.mp3"'
    )


@pytest.mark.parametrize(
    "path",
    ["original.ogg", "original.wav", "light.mp3", "original.", "original.mp3%2F..%2F..%2Ficon.db"],
)
def test_other_names_for_a_spot_are_404(client, spot, path):
    assert client.get(f"/audio/{spot.id}/{path}").status_code == 404


def test_unpublished_spot_is_404_not_403(client, engine, manager, spot):
    spots.set_published(engine, manager.id, spot.id, False)
    responses = [client.get(f"/audio/{spot.id}/{p}") for p in ("light.ogg", "original.mp3")]
    assert [r.status_code for r in responses] == [404, 404]
    assert client.get("/audio/999/light.ogg").status_code == 404


def test_published_spot_of_an_unpublished_profile_is_404(
    client, engine, settings, campaign, manager
):
    hidden = make_profile(engine, campaign.id, "Ali Diallo", published=False)
    made = make_spot(engine, settings.media_dir, manager.id, campaign.id, hidden.id)
    spots.set_published(engine, manager.id, made.id, True)
    assert client.get(f"/audio/{made.id}/light.ogg").status_code == 404


def test_audio_is_never_gzipped(client, settings, spot):
    response = client.get(
        f"/audio/{spot.id}/light.ogg", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    )
    assert response.headers.get("content-encoding") is None
    assert response.headers["content-length"] == "100"


def test_feed_validates_with_exact_enclosures(client, spot):
    response = client.get("/feeds/audio.xml")
    parsed = feedparser.parse(response.content)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert parsed.bozo == 0
    assert [e.enclosures for e in parsed.entries] == [
        [
            {
                "href": f"{BASE}/audio/{spot.id}/light.ogg",
                "length": str(spot.light_bytes),
                "type": "audio/ogg",
            }
        ]
    ]
    assert sorted((link["rel"], link["href"]) for link in parsed.feed.links) == [
        ("alternate", f"{BASE}/finalists"),
        ("self", f"{BASE}/feeds/audio.xml"),
    ]


def test_feed_for_radio_partners_points_at_the_originals(client, spot):
    parsed = feedparser.parse(client.get("/feeds/audio.xml?quality=original").content)
    assert [e.enclosures for e in parsed.entries] == [
        [
            {
                "href": f"{BASE}/audio/{spot.id}/original.mp3",
                "length": str(spot.original_bytes),
                "type": "audio/mpeg",
            }
        ]
    ]


def test_feed_by_language(client, spot):
    bm = feedparser.parse(client.get("/feeds/audio.xml?lang=bm").content)
    fr = feedparser.parse(client.get("/feeds/audio.xml?lang=fr").content)
    assert ([len(bm.entries), len(fr.entries)], bm.feed.language) == ([1, 0], "bm")


def test_feed_in_a_language_the_campaign_does_not_use_is_404(client, spot):
    response = client.get("/feeds/audio.xml?lang=en", headers={"Accept-Language": "en"})
    assert (response.status_code, response.headers["content-type"], response.text) == (
        404,
        "text/plain; charset=utf-8",
        "This campaign has no audio spots in that language.",
    )


def test_feed_etag_gives_304(client, spot):
    first = client.get("/feeds/audio.xml")
    again = client.get("/feeds/audio.xml", headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content, first.headers["cache-control"]) == (
        304,
        b"",
        "public, max-age=300",
    )


def test_feed_cover_is_a_png(client, campaign):
    response = client.get("/feeds/audio.png")
    assert (response.status_code, response.headers["content-type"]) == (200, "image/png")
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_control_characters_are_cleaned_and_the_feed_stays_valid(
    client, engine, settings, campaign, manager
):
    profile = make_profile(engine, campaign.id)
    title, transcript = "Un\x0b agent\x00 intègre", "Ligne\x0b une\r\nLigne deux"
    made = make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id,
                     title=title, transcript=transcript)  # fmt: skip
    spots.set_published(engine, manager.id, made.id, True)

    stored = spots.detail(engine, made.id).spot
    parsed = feedparser.parse(client.get("/feeds/audio.xml").content)
    assert (stored.title, stored.transcript) == ("Un agent intègre", "Ligne une\nLigne deux")
    assert parsed.bozo == 0
    assert [e.title for e in parsed.entries] == ["Un agent intègre"]
