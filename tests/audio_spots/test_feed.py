import feedparser
import pytest

from audio_spots import feed, spots
from campaign.errors import NotFound
from tests.audio_spots.helpers import make_profile, make_spot
from tests.factories import make_user

BASE = "https://icon.example.org"


@pytest.fixture
def published(engine, settings, campaign):
    """Two published spots (bm, fr) of a published profile, a draft, and a published spot of an
    unpublished profile."""
    manager = make_user(engine, "manager")
    aminata = make_profile(engine, campaign.id, "Aminata Goïta")
    hidden = make_profile(engine, campaign.id, "Ali Diallo", published=False)
    media = settings.media_dir
    made = [
        make_spot(
            engine, media, manager.id, campaign.id, aminata.id, title="Aminata, en bamanankan"
        ),
        make_spot(
            engine,
            media,
            manager.id,
            campaign.id,
            aminata.id,
            name="other.mp3",
            language="fr",
            title="Aminata, en français",
        ),
        make_spot(
            engine, media, manager.id, campaign.id, aminata.id, language="ses", title="Brouillon"
        ),
        make_spot(engine, media, manager.id, campaign.id, hidden.id, title="Profil caché"),
    ]
    for spot in (made[0], made[1], made[3]):
        spots.set_published(engine, manager.id, spot.id, True)
    return [spots.detail(engine, spot.id).spot for spot in made]


def parse(engine, campaign, **kwargs):
    built = feed.build(engine, campaign, BASE, "Des fonctionnaires honnêtes.", **kwargs)
    return built, feedparser.parse(built.body)


def test_feed_parses_cleanly_with_exact_enclosures(engine, campaign, published):
    bm, fr = published[0], published[1]
    _, parsed = parse(engine, campaign)
    assert parsed.bozo == 0
    assert parsed.version == "rss20"
    assert [e.title for e in parsed.entries] == ["Aminata, en français", "Aminata, en bamanankan"]
    assert [e.enclosures for e in parsed.entries] == [
        [
            {
                "href": f"{BASE}/audio/{fr.id}/light.ogg",
                "length": str(fr.light_bytes),
                "type": "audio/ogg",
            }
        ],
        [
            {
                "href": f"{BASE}/audio/{bm.id}/light.ogg",
                "length": str(bm.light_bytes),
                "type": "audio/ogg",
            }
        ],
    ]
    assert [(e.id, e.guidislink) for e in parsed.entries] == [
        (f"integrity-icon:ml:{campaign.year}:spot:{fr.id}", False),
        (f"integrity-icon:ml:{campaign.year}:spot:{bm.id}", False),
    ]
    assert [e.link for e in parsed.entries] == [f"{BASE}/finalists/aminata-goita-{campaign.id}"] * 2
    assert [e.itunes_duration for e in parsed.entries] == ["2", "3"]
    assert parsed.entries[1].summary == "Aw ni ce, an bɛ fɔ..."
    assert parsed.entries[1].published_parsed[:6] == bm.published_at.utctimetuple()[:6]


def test_feed_channel_has_the_podcast_tags(engine, campaign, published):
    built, parsed = parse(engine, campaign)
    channel = parsed.feed
    assert (channel.title, channel.link) == (campaign.title, f"{BASE}/finalists")
    assert channel.author == campaign.title
    assert channel.image.href == f"{BASE}/feeds/audio.png"
    assert channel.tags == [
        {"term": "Government", "scheme": "http://www.itunes.com/", "label": None}
    ]
    # feedgen 1.0 writes Apple's older "no" (still accepted), which feedparser reads as None.
    assert built.body.count(b"<itunes:explicit>no</itunes:explicit>") == 3
    assert parsed.namespaces["itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd"


def test_feed_for_one_language(engine, campaign, published):
    _, parsed = parse(engine, campaign, lang="fr")
    assert parsed.bozo == 0
    assert (parsed.feed.title, parsed.feed.language) == (f"{campaign.title} · Français", "fr")
    assert [e.title for e in parsed.entries] == ["Aminata, en français"]


def test_feed_in_original_quality_points_at_the_originals(engine, campaign, published):
    bm, fr = published[0], published[1]
    _, parsed = parse(engine, campaign, quality="original")
    assert [e.enclosures[0] for e in parsed.entries] == [
        {
            "href": f"{BASE}/audio/{fr.id}/original.mp3",
            "length": str(fr.original_bytes),
            "type": "audio/mpeg",
        },
        {
            "href": f"{BASE}/audio/{bm.id}/original.mp3",
            "length": str(bm.original_bytes),
            "type": "audio/mpeg",
        },
    ]


def test_feed_is_the_same_bytes_until_a_spot_changes(engine, campaign, published):
    first, _ = parse(engine, campaign)
    again, _ = parse(engine, campaign)
    spots.set_published(engine, None, published[0].id, False)
    after, parsed = parse(engine, campaign)
    assert first.etag == again.etag != after.etag
    assert [e.title for e in parsed.entries] == ["Aminata, en français"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lang": "en"}, "This campaign has no audio spots in that language."),
        ({"quality": "high"}, "No such feed: quality is light or original."),
    ],
)
def test_feed_refuses_unknown_language_or_quality(engine, campaign, kwargs, message):
    with pytest.raises(NotFound) as refused:
        parse(engine, campaign, **kwargs)
    assert refused.value.message == message


def test_empty_feed_still_parses(engine, campaign):
    _, parsed = parse(engine, campaign)
    assert (parsed.bozo, parsed.entries) == (0, [])


def test_cover_is_a_square_png_of_the_size_directories_ask_for():
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(feed.cover_png()))
    assert (image.format, image.size) == ("PNG", (1400, 1400))
