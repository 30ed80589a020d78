"""What the public pages and figures read: only published spots of published profiles."""

from audio_spots import catalogue, spots
from tests.audio_spots.helpers import make_profile, make_spot
from tests.factories import make_user


def test_counts_by_language_leave_out_drafts_and_spots_of_draft_profiles(
    engine, settings, campaign
):
    manager = make_user(engine, "manager").id
    public, hidden = (
        make_profile(engine, campaign.id),
        make_profile(engine, campaign.id, "Awa", False),
    )
    made = [
        make_spot(engine, settings.media_dir, manager, campaign.id, public.id, language="bm"),
        make_spot(engine, settings.media_dir, manager, campaign.id, public.id, language="fr"),
        make_spot(engine, settings.media_dir, manager, campaign.id, public.id, language="fr"),
        make_spot(engine, settings.media_dir, manager, campaign.id, hidden.id, language="bm"),
    ]
    for spot in (made[0], made[1], made[3]):  # made[2] stays a draft
        spots.set_published(engine, manager, spot.id, True)

    assert catalogue.published_counts_by_language(engine, campaign.id) == {"bm": 1, "fr": 1}
