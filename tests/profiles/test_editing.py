"""Making and editing profiles: who may get one (the jury's finalists, the closed round's
winner), stable ASCII slugs, past editions, validation that changes nothing, photos, publication
and the audit of each change."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from campaign import db
from campaign.errors import Invalid, NotFound
from campaign.models import AuditEvent
from profiles import editing, slugs
from profiles.forms import ProfileIn
from profiles.models import Profile
from tests.factories import make_campaign
from tests.profiles.helpers import (
    STORY,
    add_finalist,
    closed_final,
    past,
    photo_bytes,
    state,
)
from tests.shortlist.test_board import add_nominee


@pytest.fixture
def results(engine):
    return make_campaign(engine, "results")


@pytest.fixture
def three(engine, results):
    return [
        add_finalist(engine, results.id, n)
        for n in ("Awa Diallo", "Bakary Koné", "Dr Aminata Goïta")
    ]


def _audits(engine) -> list[tuple[str, str, dict]]:
    with db.session(engine) as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.action.startswith("profile.")))
        return [(e.action, e.target_id, e.details) for e in rows]


def _form(profile, **changes) -> ProfileIn:
    return ProfileIn(**({k: getattr(profile, k) for k in ProfileIn.__dataclass_fields__} | changes))


# --- who may get a profile --------------------------------------------------------------------


def test_candidates_are_the_jury_finalists_before_any_round(engine, results, three):
    found = editing.candidates(engine, results.id)

    assert [(c.nominee_id, c.name, c.distinction, c.profile_id) for c in found] == [
        (three[0], "Awa Diallo", "finalist", None),
        (three[1], "Bakary Koné", "finalist", None),
        (three[2], "Dr Aminata Goïta", "finalist", None),
    ]


def test_candidates_put_the_closed_final_round_winner_first(engine, results, manager, three):
    closed_final(engine, manager.id, results.id, {1: 2, 2: 5, 3: 1})

    found = editing.candidates(engine, results.id)

    assert [(c.name, c.distinction) for c in found] == [
        ("Bakary Koné", "winner"),
        ("Awa Diallo", "finalist"),
        ("Dr Aminata Goïta", "finalist"),
    ]
    assert (found[0].position, found[0].institution, found[0].region) == (
        "Sage-femme",
        "CSCOM de Kalaban Coro",
        "Kayes",
    )


# --- making profiles --------------------------------------------------------------------------


def test_create_copies_the_nominee_and_makes_an_ascii_slug(engine, results, manager, three):
    made = editing.create_from_nominee(engine, manager.id, results.id, three[2])

    year = results.year
    assert (made.slug, made.year, made.name, made.position, made.institution, made.region) == (
        f"dr-aminata-goita-{year}",
        year,
        "Dr Aminata Goïta",
        "Sage-femme",
        "CSCOM de Kalaban Coro",
        "Kayes",
    )
    assert (made.status, made.distinction, made.nominee_id, made.photo) == (
        "draft",
        "finalist",
        three[2],
        "",
    )
    assert _audits(engine) == [
        ("profile.create", str(made.id), {"slug": made.slug, "nominee": three[2], "year": year})
    ]
    assert editing.candidates(engine, results.id)[2].profile_id == made.id


def test_create_for_someone_not_a_finalist_changes_nothing(engine, results, manager, three):
    other = add_nominee(engine, results.id, "Coumba Sow")
    before = state(engine)

    with pytest.raises(Invalid) as caught:
        editing.create_from_nominee(engine, manager.id, results.id, other)

    assert caught.value.errors == {"nominee_id": "This person is not a finalist of the campaign."}
    assert state(engine) == before


def test_create_twice_changes_nothing(engine, results, manager, three):
    editing.create_from_nominee(engine, manager.id, results.id, three[0])
    before = state(engine)

    with pytest.raises(Invalid) as caught:
        editing.create_from_nominee(engine, manager.id, results.id, three[0])

    assert caught.value.errors == {"nominee_id": "This person already has a profile."}
    assert state(engine) == before


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Dr Aminata Goïta", "dr-aminata-goita-2019"),
        ("Ɲɛlɛ Kɔnɛ", "nyele-kone-2019"),
        ("  Oumou   Sangaré-Maïga ", "oumou-sangare-maiga-2019"),
        ("Ousmane ../../etc/passwd", "ousmane-etc-passwd-2019"),
        ("محمد", "mhmd-2019"),
        ("राम प्रसाद शर्मा", "ram-prsad-srma-2019"),
        ("ශ්‍රීමතී පෙරේරා", "srimti-perera-2019"),  # a joiner inside a word splits nothing
        ("😀 ✓", "icon-2019"),
    ],
)
def test_slug_is_ascii_lower_case_and_safe(name, slug):
    assert slugs.make(name, 2019, set()) == slug


def test_same_name_same_year_gets_a_numbered_slug(engine, results, manager):
    first = past(engine, manager.id, results.id, "Awa Diallo", 2019)
    second = past(engine, manager.id, results.id, "Awa  Diallo", 2019, "finalist")

    assert (first.slug, second.slug) == ("awa-diallo-2019", "awa-diallo-2019-2")


def test_a_drafts_slug_follows_the_corrected_name(engine, results, manager):
    made = past(engine, manager.id, results.id, "DIARRA Boubaca", 2019)

    editing.update(engine, manager.id, made.id, _form(made, name="Boubacar Diarra"))

    with db.session(engine) as s:
        assert (s.get(Profile, made.id).name, s.get(Profile, made.id).slug) == (
            "Boubacar Diarra",
            "boubacar-diarra-2019",
        )


def test_slug_stays_once_published_when_the_name_is_corrected(engine, results, manager):
    made = past(engine, manager.id, results.id, "Aminata Goita", 2019)
    editing.set_status(engine, manager.id, made.id, "published")
    editing.set_status(engine, manager.id, made.id, "draft")

    editing.update(engine, manager.id, made.id, _form(made, name="Dr Aminata Goïta"))

    with db.session(engine) as s:
        assert (s.get(Profile, made.id).name, s.get(Profile, made.id).slug) == (
            "Dr Aminata Goïta",
            "aminata-goita-2019",
        )


def test_add_past_keeps_the_given_fields(engine, results, manager):
    made = past(engine, manager.id, results.id, "Dr Aminata Goïta", 2019, position="Médecin",
                institution="CSRéf de Kati", region="Koulikoro")  # fmt: skip

    assert (made.year, made.distinction, made.nominee_id, made.position, made.region) == (
        2019,
        "winner",
        None,
        "Médecin",
        "Koulikoro",
    )
    assert _audits(engine)[0][0] == "profile.add_past"


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"year": "1999"}, {"year": "A year from 2010 to this campaign's year."}),
        ({"year": "3000"}, {"year": "A year from 2010 to this campaign's year."}),
        ({"year": "2019'; DROP"}, {"year": "A year from 2010 to this campaign's year."}),
        ({"name": " A "}, {"name": "At least 2 characters."}),
        ({"distinction": "hero"}, {"distinction": "Choose winner or finalist."}),
        ({"region": "x" * 101}, {"region": "At most 100 characters."}),
    ],
)
def test_add_past_with_a_bad_field_changes_nothing(engine, results, manager, values, errors):
    before = state(engine)

    with pytest.raises(Invalid) as caught:
        past(engine, manager.id, results.id, **({"name": "Awa Diallo", "year": 2019} | values))

    assert caught.value.errors == errors
    assert state(engine) == before


# --- editing ----------------------------------------------------------------------------------


def test_editing_shows_the_nominations_stories(engine, results, manager, three):
    made = editing.create_from_nominee(engine, manager.id, results.id, three[0])

    found = editing.editing(engine, made.id)

    assert [(r.channel, r.relation, r.story) for r in found.reasons] == [
        ("web", "Patiente", f"{STORY} (Awa Diallo)")
    ]
    assert found.timezone == "Africa/Bamako"


def test_update_keeps_paragraphs_and_audits_the_changed_fields(engine, results, manager):
    made = past(engine, manager.id, results.id, "Awa Diallo", 2019)

    editing.update(engine, manager.id, made.id, _form(
        made, bio="Sage-femme depuis 1998.", story="Premier paragraphe.\r\n\r\nSecond.\x07",
        video_url="https://www.youtube.com/watch?v=abc"))  # fmt: skip

    with db.session(engine) as s:
        p = s.get(Profile, made.id)
        assert (p.bio, p.story, p.video_url) == (
            "Sage-femme depuis 1998.",
            "Premier paragraphe.\n\nSecond.",
            "https://www.youtube.com/watch?v=abc",
        )
    assert _audits(engine)[-1] == (
        "profile.update",
        str(made.id),
        {"fields": ["bio", "story", "video_url"]},
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"video_url": "javascript:alert(1)"},
         {"video_url": "Give a web address starting with https://, or leave it empty."}),
        ({"video_url": "ftp://example.org/v.mp4"},
         {"video_url": "Give a web address starting with https://, or leave it empty."}),
        ({"video_url": "https://"},
         {"video_url": "Give a web address starting with https://, or leave it empty."}),
        ({"video_url": "https://exa mple.org/"},
         {"video_url": "Give a web address starting with https://, or leave it empty."}),
        ({"bio": "x" * 1001}, {"bio": "At most 1,000 characters."}),
        ({"story": "x" * 6001}, {"story": "At most 6,000 characters."}),
        ({"name": ""}, {"name": "At least 2 characters."}),
    ],
)  # fmt: skip
def test_update_with_a_bad_field_changes_nothing(engine, results, manager, changes, errors):
    made = past(engine, manager.id, results.id, "Awa Diallo", 2019)
    before = state(engine)

    with pytest.raises(Invalid) as caught:
        editing.update(engine, manager.id, made.id, _form(made, **changes))

    assert caught.value.errors == errors
    assert state(engine) == before


def test_set_photo_stores_it_and_audits_the_hashes(engine, results, manager, tmp_path):
    made = past(engine, manager.id, results.id, "Awa Diallo", 2019)

    updated = editing.set_photo(engine, manager.id, made.id, tmp_path, io.BytesIO(photo_bytes()))

    assert len(updated.photo) == 64
    assert (tmp_path / "photos" / f"{updated.photo}-thumb.jpg").is_file()
    assert _audits(engine)[-1] == (
        "profile.photo",
        str(made.id),
        {"before": "", "after": updated.photo},
    )


def test_set_photo_with_a_fake_image_changes_nothing(engine, results, manager, tmp_path):
    made = past(engine, manager.id, results.id, "Awa Diallo", 2019)
    before = state(engine)

    with pytest.raises(Invalid):
        editing.set_photo(engine, manager.id, made.id, tmp_path, io.BytesIO(b"not a photo"))

    assert state(engine) == before
    assert not (tmp_path / "photos").exists()


def test_set_photo_of_a_missing_profile_writes_nothing(engine, manager, tmp_path):
    with pytest.raises(NotFound):
        editing.set_photo(engine, manager.id, 999, tmp_path, io.BytesIO(photo_bytes()))

    assert not (tmp_path / "photos").exists()


def test_publish_then_unpublish_is_audited_once_each(engine, results, manager):
    made = past(engine, manager.id, results.id, "Awa Diallo", 2019)

    published = editing.set_status(engine, manager.id, made.id, "published")
    editing.set_status(engine, manager.id, made.id, "published")
    draft = editing.set_status(engine, manager.id, made.id, "draft")

    assert (published.status, published.published_at is not None, draft.status) == (
        "published",
        True,
        "draft",
    )
    actions = [a for a, _id, _details in _audits(engine)]
    assert actions == ["profile.add_past", "profile.publish", "profile.unpublish"]
