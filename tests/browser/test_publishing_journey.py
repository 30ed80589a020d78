"""Issue 6, done when: the manager uploads a photo and two spots (Bambara and French) for a
finalist and publishes; a visitor on a 360x740 screen opens the profile, plays the Bambara spot,
and the feed lists both spots."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PAGE_BUDGET, PHONE, SCREENSHOTS
from tests.browser.steps import portrait, publish_profile, publish_spot, sign_in, tap_play, tone
from tests.factories import make_campaign, make_user
from tests.profiles.helpers import add_finalist

NAME = "Aminata Goïta"
SPOTS = {  # language code -> (name on the site, title, transcript, file made by ffmpeg)
    "bm": ("Bamanankan", "Aminata ka kuma", "Aw ni ce.\nAn bɛ fɔ Aminata ko la.", "bm.mp3"),
    "fr": ("Français", "Aminata, en français", "Bonjour.\nVoici Aminata Goïta.", "fr.ogg"),
}
ENCODINGS = {
    "bm.mp3": ["sine=frequency=440:duration=3", "-b:a", "128k"],
    "fr.ogg": ["sine=frequency=660:duration=3", "-c:a", "libopus", "-b:a", "64k"],
}
SHOT_COPY = Path("/tmp/shots/publishing-visitor.png")


def _media(folder: Path) -> dict[str, Path]:
    """A photo-sized JPEG and the two spots' audio, made for real."""
    made = {"photo": portrait(folder / "portrait.jpg")}
    for name, codec in ENCODINGS.items():
        made[name] = tone(folder / name, *codec)
    return made


def _wire_recorder(page) -> dict[str, dict]:
    """Per request, the URL, the resource type and the bytes over the wire (compressed bodies
    plus headers) per CDP, cache off: what a first visit costs. ``clear()`` between pages."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    seen: dict[str, dict] = {}

    def received(e):
        seen.setdefault(e["requestId"], {}).update(url=e["response"]["url"], type=e["type"])

    def finished(e):
        seen.setdefault(e["requestId"], {})["bytes"] = int(e["encodedDataLength"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    return seen


def _weight(seen: dict[str, dict]) -> tuple[int, int, list[str]]:
    """(bytes of everything but media, bytes of images, the URLs of everything but media)."""
    done = [r for r in seen.values() if "bytes" in r and "url" in r]
    pages = [r for r in done if r["type"] not in ("Image", "Media")]
    images = sum(r["bytes"] for r in done if r["type"] == "Image")
    return sum(r["bytes"] for r in pages), images, sorted(r["url"] for r in pages)


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    yield context
    context.close()


def _manager_publishes(page, base: str, year: int, media: dict[str, Path]) -> dict[str, int]:
    """Through the pages, as a manager would; the spot ids by language."""
    sign_in(page, base, "boss@example.org")
    publish_profile(page, base, NAME, f"aminata-goita-{year}", year, media["photo"])
    ids = {
        code: publish_spot(page, base, NAME, language, title, transcript, media[file])
        for code, (language, title, transcript, file) in SPOTS.items()
    }

    page.goto(f"{base}/manage/spots")
    table = page.get_by_role("table").filter(has_text=SPOTS["bm"][1])
    expect(table.get_by_role("row")).to_have_count(3)  # the header and the two spots
    expect(table).to_contain_text("Bamanankan")
    expect(table).to_contain_text("Français")
    expect(page.get_by_text("Ce profil n'est pas publié", exact=False)).to_have_count(0)
    return ids


def test_manager_publishes_a_finalist_with_two_spots_and_a_phone_visitor_plays_one(
    engine, live_server_factory, desk, phone, tmp_path
):
    campaign = make_campaign(engine, "results")
    make_user(engine, "manager", "boss@example.org")
    add_finalist(engine, campaign.id, NAME, region="Koulikoro")
    media = _media(tmp_path)
    base = live_server_factory()

    ids = _manager_publishes(desk.new_page(), base, campaign.year, media)

    # A visitor who never came before (a fresh context: no cookies), on a small phone.
    page = phone.new_page()
    audio_requests: list[str] = []
    audio_answers: dict[str, int] = {}
    page.on("request", lambda r: "/audio/" in r.url and audio_requests.append(r.url))
    page.on("response", lambda r: "/audio/" in r.url and audio_answers.__setitem__(r.url, r.status))
    seen = _wire_recorder(page)
    page.goto(f"{base}/finalists", wait_until="networkidle")
    list_weight, _, _ = _weight(seen)
    seen.clear()

    page.get_by_role("link", name=re.compile(NAME)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    page.wait_for_load_state("networkidle")
    weight, image_bytes, fetched = _weight(seen)
    print(
        f"/finalists: {list_weight} B; profile page before media: {weight} B "
        f"for {fetched}; its photo: {image_bytes} B"
    )
    assert 0 < list_weight <= PAGE_BUDGET
    assert 0 < weight <= PAGE_BUDGET
    assert not any("/audio/" in url for url in fetched)

    photo = page.get_by_role("img", name=f"Portrait de {NAME}")
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=photo.element_handle(), timeout=10_000)  # fmt: skip
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [480, 600]

    spots = page.locator("li.spot")
    expect(spots).to_have_count(2)
    expect(spots.locator(".language")).to_have_text(["Bamanankan", "Français"])
    for language, title, _transcript, _file in SPOTS.values():
        expect(spots.filter(has_text=language).get_by_role("heading")).to_have_text(title)
    # preload="none": a phone on a metered plan downloads no sound it did not ask for.
    assert audio_requests == []

    bambara = spots.filter(has=page.get_by_role("heading", name=SPOTS["bm"][1]))
    player = bambara.locator("audio")
    expect(player).to_have_attribute("preload", "none")
    tap_play(page, player)

    light = {code: f"{base}/audio/{spot_id}/light.ogg" for code, spot_id in ids.items()}
    assert set(audio_requests) == {light["bm"]}
    assert audio_answers[light["bm"]] in (200, 206)
    print(f"Bambara spot: {audio_answers[light['bm']]} for {light['bm']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / "publishing-visitor-fr-360.png"
    page.screenshot(path=shot, full_page=True)
    SHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SHOT_COPY)

    # The feed, as a podcast app reads it: both spots, their light files' exact size and type.
    sizes = {
        code: int(httpx.head(url, timeout=10).headers["content-length"])
        for code, url in light.items()
    }
    enclosure = {
        code: [{"href": light[code], "length": str(sizes[code]), "type": "audio/ogg"}]
        for code in SPOTS
    }
    answer = httpx.get(f"{base}/feeds/audio.xml", timeout=10)
    assert answer.headers["content-type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(answer.content)
    assert parsed.bozo == 0
    # Newest first: the French spot was published last.
    assert [(e.title, e.enclosures) for e in parsed.entries] == [
        (SPOTS[code][1], enclosure[code]) for code in ("fr", "bm")
    ]

    answer = httpx.get(f"{base}/feeds/audio.xml?lang=bm", timeout=10)
    bambara_only = feedparser.parse(answer.content)
    assert bambara_only.bozo == 0
    assert [(e.title, e.enclosures) for e in bambara_only.entries] == [
        (SPOTS["bm"][1], enclosure["bm"])
    ]
