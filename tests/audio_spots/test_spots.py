import pytest
from sqlmodel import select

from audio_spots import spots
from audio_spots.errors import AudioRefused
from audio_spots.models import AudioSpot
from campaign import db
from campaign.errors import Invalid
from campaign.models import AuditEvent
from tests.audio_spots.helpers import files_under, make_profile, make_spot, pending
from tests.factories import make_campaign


@pytest.fixture
def profile(engine, campaign):
    return make_profile(engine, campaign.id)


def saved(engine) -> list[AudioSpot]:
    with db.session(engine) as s:
        return list(s.exec(select(AudioSpot).order_by(AudioSpot.id)))


def audit_actions(engine) -> list[tuple[str, str]]:
    with db.session(engine) as s:
        rows = s.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.target_id) for e in rows]


def test_create_spot_stores_both_files_by_hash_and_records_it(
    engine, settings, campaign, manager, profile
):
    spot = make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id)
    row = saved(engine)[0]
    assert (row.profile_id, row.language, row.title, row.status) == (
        profile.id,
        "bm",
        "Un agent intègre",
        "draft",
    )
    assert (row.original_format, row.original_bytes, round(row.duration_s, 1)) == (
        "mp3",
        48945,
        3.0,
    )
    assert round(row.bitrate / 1000) == 128
    assert files_under(settings.media_dir) == sorted(
        [f"audio/{row.original_hash}.mp3", f"audio/{row.light_hash}.ogg"]
    )
    light = settings.media_dir / "audio" / f"{row.light_hash}.ogg"
    assert row.light_bytes == light.stat().st_size
    assert audit_actions(engine) == [("spot.create", str(spot.id))]


def test_same_audio_twice_makes_two_spots_and_keeps_one_copy(
    engine, settings, campaign, manager, profile
):
    make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id, language="bm")
    make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id, language="fr")
    first, second = saved(engine)
    assert (first.original_hash, first.light_hash) == (second.original_hash, second.light_hash)
    assert len(files_under(settings.media_dir)) == 2


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"language": "en"}, {"language": "Choose one of the campaign's languages."}),
        ({"title": "  a "}, {"title": "Between 3 and 200 characters."}),
        ({"transcript": "x" * 20_001}, {"transcript": "At most 20,000 characters."}),
        ({"profile_id": "999"}, {"profile_id": "Choose a finalist."}),
        ({"profile_id": "../1"}, {"profile_id": "Choose a finalist."}),
    ],
)
def test_bad_form_makes_nothing(engine, settings, campaign, manager, profile, form, errors):
    with pytest.raises(Invalid) as refused:
        make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id, **form)
    assert refused.value.errors == errors
    assert (saved(engine), files_under(settings.media_dir), audit_actions(engine)) == ([], [], [])


def test_profile_of_another_campaign_is_refused(engine, settings, campaign, manager):
    other = make_campaign(engine, year=2019, title="Integrity Icon Mali 2019")
    theirs = make_profile(engine, other.id, "Someone Else")
    with pytest.raises(Invalid) as refused:
        make_spot(engine, settings.media_dir, manager.id, campaign.id, theirs.id)
    assert refused.value.errors == {"profile_id": "Choose a finalist."}
    assert saved(engine) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("text.mp3", "This is not an MP3, Ogg, M4A or WAV audio file."),
        ("truncated.mp3", "This audio file could not be read: it may be damaged or cut short."),
        ("truncated.wav", "The sound stops before the end of the file: it is cut short."),
    ],
)
def test_bad_audio_makes_nothing(engine, settings, campaign, manager, profile, name, message):
    with pytest.raises(AudioRefused) as refused:
        make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id, name=name)
    assert refused.value.message == message
    assert (saved(engine), files_under(settings.media_dir), audit_actions(engine)) == ([], [], [])


def test_missing_file_is_reported_with_the_other_fields(engine, settings, campaign, manager):
    form = spots.SpotIn(profile_id="", language="bm", title="Un titre", transcript="")
    with pytest.raises(Invalid) as refused:
        spots.create_spot(engine, settings.media_dir, manager.id, campaign.id, form, None)
    assert refused.value.errors == {
        "profile_id": "Choose a finalist.",
        "file": "Choose an audio file.",
    }


def test_publish_needs_a_transcript_and_sets_the_date(engine, settings, campaign, manager, profile):
    spot = make_spot(engine, settings.media_dir, manager.id, campaign.id, profile.id, transcript="")
    with pytest.raises(Invalid) as refused:
        spots.set_published(engine, manager.id, spot.id, True)
    assert refused.value.errors == {"transcript": "Add the transcript before publishing."}
    assert saved(engine)[0].status == "draft"
    spots.update_text(engine, manager.id, spot.id, spots.SpotTextIn("Un agent intègre", "Texte."))
    spots.set_published(engine, manager.id, spot.id, True)
    published = saved(engine)[0]
    spots.set_published(engine, manager.id, spot.id, False)
    back = saved(engine)[0]
    assert (published.status, published.published_at is not None) == ("published", True)
    assert (back.status, back.published_at) == ("draft", None)
    assert [a for a, _ in audit_actions(engine)] == [
        "spot.create",
        "spot.edit",
        "spot.publish",
        "spot.unpublish",
    ]


def test_manager_list_groups_by_profile_name(engine, settings, campaign, manager):
    zoe = make_profile(engine, campaign.id, "Zoé Traoré")
    ali = make_profile(engine, campaign.id, "Ali Diallo", published=False)
    make_spot(engine, settings.media_dir, manager.id, campaign.id, zoe.id, language="fr")
    make_spot(engine, settings.media_dir, manager.id, campaign.id, ali.id, name="other.mp3")
    make_spot(engine, settings.media_dir, manager.id, campaign.id, zoe.id, language="bm")
    groups = spots.manager_list(engine, campaign.id)
    assert [(g.profile.name, [s.language for s in g.spots]) for g in groups] == [
        ("Ali Diallo", ["bm"]),
        ("Zoé Traoré", ["bm", "fr"]),
    ]


def test_pending_upload_is_consumed_even_when_refused(engine, settings, campaign, manager):
    upload = pending(settings.media_dir, "tone.mp3")
    form = spots.SpotIn(profile_id="1", language="xx", title="Un titre")
    with pytest.raises(Invalid):
        spots.create_spot(engine, settings.media_dir, manager.id, campaign.id, form, upload)
    assert files_under(settings.media_dir) == []
