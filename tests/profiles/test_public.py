"""What the public reads: only published profiles; this edition's on /finalists, every edition's
in the hall of fame by year (newest first, winners first)."""

from __future__ import annotations

import io

import pytest

from campaign.errors import NotFound
from profiles import editing, public
from tests.factories import make_campaign
from tests.profiles.helpers import past, photo_bytes, published


@pytest.fixture
def results(engine):
    return make_campaign(engine, "results")


@pytest.fixture
def editions(engine, results, manager):
    """This year: a winner, two finalists (one a draft); 2019 and 2020 in the hall of fame."""
    y = results.year
    made = {
        "zara": past(engine, manager.id, results.id, "Zara Touré", y, "finalist"),
        "binta": past(engine, manager.id, results.id, "Binta Sy", y, "winner"),
        "awa": past(engine, manager.id, results.id, "Awa Diallo", y, "finalist"),
        "draft": past(engine, manager.id, results.id, "Kadi Draft", y, "finalist"),
        "goita": past(engine, manager.id, results.id, "Dr Aminata Goïta", 2019, "winner"),
        "cisse": past(engine, manager.id, results.id, "Moussa Cissé", 2019, "finalist"),
        "keita": past(engine, manager.id, results.id, "Fatou Keïta", 2020, "winner"),
    }
    for key, profile in made.items():
        if key != "draft":
            published(engine, manager.id, profile)
    return made


def test_finalists_are_this_editions_published_winner_first(engine, results, editions):
    found = public.finalists(engine)

    assert found.campaign.id == results.id
    assert [v.name for v in found.profiles] == ["Binta Sy", "Awa Diallo", "Zara Touré"]


def test_finalists_without_a_campaign_is_empty(engine):
    assert public.finalists(engine) == public.Finalists(None, [])


def test_hall_of_fame_groups_by_year_newest_first_winners_first(engine, results, editions):
    years = public.hall_of_fame(engine)

    assert [(year, [v.name for v in views]) for year, views in years] == [
        (results.year, ["Binta Sy", "Awa Diallo", "Zara Touré"]),
        (2020, ["Fatou Keïta"]),
        (2019, ["Dr Aminata Goïta", "Moussa Cissé"]),
    ]


def test_by_slug_finds_a_published_profile_with_its_campaign_languages(engine, editions):
    view = public.by_slug(engine, "dr-aminata-goita-2019")

    assert (view.name, view.year, view.distinction, view.url) == (
        "Dr Aminata Goïta",
        2019,
        "winner",
        "/finalists/dr-aminata-goita-2019",
    )
    assert view.languages["bm"] == "Bamanankan"


@pytest.mark.parametrize("slug", ["kadi-draft-{year}", "nobody-2019", "../../etc/passwd", ""])
def test_by_slug_of_a_draft_or_unknown_slug_is_not_found(engine, results, editions, slug):
    with pytest.raises(NotFound):
        public.by_slug(engine, slug.format(year=results.year))


def test_preview_finds_a_draft(engine, editions):
    assert public.preview(engine, editions["draft"].id).published is False


def test_photo_file_needs_a_photo_and_a_known_rendition(engine, manager, editions, tmp_path):
    with_photo = editing.set_photo(engine, manager.id, editions["goita"].id, tmp_path,
                                   io.BytesIO(photo_bytes()))  # fmt: skip
    view = public.by_slug(engine, with_photo.slug)

    assert public.photo_file(tmp_path, view, "thumb") == (
        tmp_path / "photos" / f"{with_photo.photo}-thumb.jpg"
    )
    assert view.photo_url("og") == f"{view.url}/photo-og.jpg?v={with_photo.photo[:16]}"
    for rendition in ("original", "../thumb", "THUMB"):
        with pytest.raises(NotFound):
            public.photo_file(tmp_path, view, rendition)
    with pytest.raises(NotFound):
        public.photo_file(tmp_path, public.by_slug(engine, "moussa-cisse-2019"), "thumb")
