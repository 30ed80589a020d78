"""``icon demo``'s profiles: the demo campaign's finalists (and, once the vote is closed, its
winner and the hall of fame) published with real photo and audio renditions."""

from __future__ import annotations

from collections import Counter

import feedparser
import pytest
from sqlmodel import select

from audio_spots import storage
from audio_spots.models import AudioSpot
from campaign import db, demo
from campaign.models import Campaign
from campaign.phases import Phase
from profiles import editing, photos, public
from tests.conftest import SECRET, text_of


@pytest.fixture
def seeded(engine, settings, tmp_path, monkeypatch):
    """Seed the demo in ``phase``; the profiles' seeding reads ICON_MEDIA_DIR, as `icon` does."""
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_MEDIA_DIR", str(settings.media_dir))
    monkeypatch.chdir(tmp_path)

    def seed(phase: Phase) -> Campaign:
        demo.seed(engine, phase)
        with db.session(engine) as s:
            return s.exec(select(Campaign)).one()

    return seed


def spots_by_profile(engine) -> dict[int, list[AudioSpot]]:
    found: dict[int, list[AudioSpot]] = {}
    with db.session(engine) as s:
        for spot in s.exec(select(AudioSpot).order_by(AudioSpot.language)):
            found.setdefault(spot.profile_id, []).append(spot)
    return found


def test_demo_results_publishes_every_finalist_with_a_photo_and_two_spots(engine, settings, seeded):
    campaign = seeded(Phase.results)

    candidates = editing.candidates(engine, campaign.id)
    shown = public.finalists(engine).profiles
    spots = spots_by_profile(engine)
    assert len(candidates) == 5
    assert sorted(p.id for p in shown) == sorted(c.profile_id for c in candidates)
    assert Counter(p.distinction for p in shown) == {"finalist": 4, "winner": 1}
    assert [bool(p.bio and p.story and p.photo) for p in shown] == [True] * 5
    thumbs = [photos.path(settings.media_dir, p.photo, "thumb") for p in shown]
    assert [t.stat().st_size < 15 * 1024 for t in thumbs] == [True] * 5
    assert {p.id: [(s.language, s.original_format, s.status) for s in spots[p.id]]
            for p in shown} == {p.id: [("bm", "m4a", "published"), ("fr", "mp3", "published")]
                                for p in shown}  # fmt: skip
    every = [s for p in shown for s in spots[p.id]]
    light = [storage.path_for(settings.media_dir, s.light_hash, "ogg") for s in every]
    sizes = [f.stat().st_size == s.light_bytes for f, s in zip(light, every, strict=True)]
    assert sizes == [True] * 10
    assert [3 <= s.duration_s <= 7 and s.transcript != "" for s in every] == [True] * 10


def test_demo_results_pages_feed_and_hall_of_fame_show_the_profiles(engine, client, seeded):
    campaign = seeded(Phase.results)
    shown = public.finalists(engine).profiles

    pages = [client.get(p.url) for p in shown]
    statuses = [
        (r.status_code, p.name in text_of(r.text)) for r, p in zip(pages, shown, strict=True)
    ]
    listing = text_of(client.get("/finalists").text)
    feed = feedparser.parse(client.get("/feeds/audio.xml").content)
    years = public.hall_of_fame(engine)
    icons = text_of(client.get("/icons").text)

    assert statuses == [(200, True)] * 5
    assert [p.name in listing for p in shown] == [True] * 5
    assert (feed.bozo, len(feed.entries)) == (False, 10)
    assert {e.enclosures[0].type for e in feed.entries} == {"audio/ogg"}
    assert [(year, len(views)) for year, views in years] == [
        (campaign.year, 5), (2019, 1), (2017, 1)
    ]  # fmt: skip
    assert [(views[0].name, views[0].distinction) for _, views in years[1:]] == [
        ("Dr Aminata Goïta", "winner"), ("Jacques N'tji Dembélé", "winner")
    ]  # fmt: skip
    assert [v.bio != "" and v.photo != "" for _, views in years[1:] for v in views] == [True] * 2
    assert ["Dr Aminata Goïta" in icons, "Jacques N&#39;tji Dembélé" in icons] == [True] * 2


def test_demo_voting_publishes_the_finalists_on_the_ballot_without_a_winner(engine, seeded):
    campaign = seeded(Phase.voting)

    shown = public.finalists(engine).profiles
    years = [year for year, _ in public.hall_of_fame(engine)]

    assert [p.distinction for p in shown] == ["finalist"] * 5
    assert years == [campaign.year, 2019, 2017]
    assert sorted(len(v) for v in spots_by_profile(engine).values()) == [2] * 5


def test_demo_nominations_shows_only_the_known_past_icons(engine, seeded):
    seeded(Phase.nominations)

    years = public.hall_of_fame(engine)

    assert [(year, [(v.name, v.distinction) for v in views]) for year, views in years] == [
        (2019, [("Dr Aminata Goïta", "winner")]), (2017, [("Jacques N'tji Dembélé", "winner")])
    ]  # fmt: skip
