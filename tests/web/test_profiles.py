"""Profile pages for managers: the list with the finalists to profile and the past-edition form,
the edit page with the nominations beside it, photo uploads (bad ones refused, nothing changed),
publication and the preview; other roles are refused."""

from __future__ import annotations

import pytest

from profiles import editing, photos
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.profiles.helpers import (
    STORY,
    add_finalist,
    closed_final,
    noise_bytes,
    photo_bytes,
    png_declaring,
    state,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def results(engine):
    return make_campaign(engine, "results")


@pytest.fixture
def manager(client, engine, results):
    user = make_user(engine, "manager", "manager@example.org")
    login(client, user.email, PASSWORD)
    return user


@pytest.fixture
def finalists(engine, results):
    return [add_finalist(engine, results.id, n) for n in ("Awa Diallo", "Bakary Koné")]


@pytest.fixture
def draft(engine, results, manager, finalists):
    return editing.create_from_nominee(engine, manager.id, results.id, finalists[0])


def _media(settings) -> list[str]:
    root = settings.media_dir
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("role", ["juror", "volunteer"])
def test_profiles_pages_refuse_other_roles(client, engine, results, role):
    user = make_user(engine, role)
    login(client, user.email, PASSWORD)

    past_form = {"year": "2019", "name": "Awa Diallo"}
    pages = [client.get("/manage/profiles", headers=EN),
             post(client, "/manage/profiles/past", past_form, headers=EN)]  # fmt: skip

    assert [r.status_code for r in pages] == [403, 403]
    assert "This page is for another role." in text_of(pages[0].text)
    assert state(engine)[0] == []


def test_profiles_page_sends_a_visitor_to_the_login(client, results):
    response = client.get("/manage/profiles", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/manage/profiles",
    )


def test_list_offers_the_finalists_and_makes_a_profile(client, engine, results, manager, finalists):
    closed_final(engine, manager.id, results.id, {1: 1, 2: 4})
    page = text_of(client.get("/manage/profiles", headers=EN).text)
    assert (
        "Bakary Koné Integrity Icon (winner) · Sage-femme · CSCOM de Kalaban Coro · Kayes" in page
    )
    assert "Awa Diallo Finalist · Sage-femme" in page

    response = post(client, "/manage/profiles/create", {"nominee_id": str(finalists[1])},
                    headers=EN, follow_redirects=False)  # fmt: skip

    made = editing.profiles(engine, results.id)
    assert [(p.name, p.distinction, p.status) for p in made] == [("Bakary Koné", "winner", "draft")]
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/profiles/{made[0].id}",
    )


@pytest.mark.parametrize("nominee_id", ["999", "abc", ""])
def test_create_for_a_non_finalist_is_refused(client, engine, manager, finalists, nominee_id):
    before = state(engine)

    response = post(client, "/manage/profiles/create", {"nominee_id": nominee_id}, headers=EN)

    assert response.status_code == 422
    assert "This person is not a finalist of the campaign." in text_of(response.text)
    assert state(engine) == before


def test_add_past_edition_redirects_to_its_profile(client, engine, results, manager):
    values = {"year": "2019", "name": "Dr Aminata Goïta", "distinction": "winner",
              "position": "Médecin", "institution": "CSRéf", "region": "Kayes"}  # fmt: skip

    response = post(client, "/manage/profiles/past", values, headers=EN, follow_redirects=False)

    made = editing.profiles(engine, results.id)
    assert [(p.slug, p.year, p.nominee_id) for p in made] == [("dr-aminata-goita-2019", 2019, None)]
    assert response.headers["location"] == f"/manage/profiles/{made[0].id}"


def test_add_past_with_a_bad_year_keeps_the_form(client, engine, manager):
    before = state(engine)

    response = post(client, "/manage/profiles/past",
                    {"year": "1990", "name": "Dr Aminata Goïta", "distinction": "winner"},
                    headers=EN)  # fmt: skip

    assert response.status_code == 422
    assert "A year from 2010 to this campaign's year." in text_of(response.text)
    assert 'value="Dr Aminata Goïta"' in response.text
    assert state(engine) == before


def test_edit_page_shows_the_nominations_beside_the_form(client, manager, draft):
    page = text_of(client.get(f"/manage/profiles/{draft.id}", headers=EN).text)

    assert f"Patiente {STORY} (Awa Diallo)" in page
    assert f"Draft · {draft.year} · /finalists/{draft.slug}" in page


def test_update_saves_and_a_bad_video_link_changes_nothing(client, engine, manager, draft):
    form = {"name": "Awa Diallo", "distinction": "finalist", "position": "Sage-femme",
            "institution": "CSCOM", "region": "Kayes", "bio": "Vingt ans au CSCOM.",
            "story": "Elle a refusé.", "video_url": "javascript:alert(1)"}  # fmt: skip
    before = state(engine)

    refused = post(client, f"/manage/profiles/{draft.id}", form, headers=EN)
    assert refused.status_code == 422
    assert "Give a web address starting with https://, or leave it empty." in text_of(refused.text)
    assert state(engine) == before

    saved = post(client, f"/manage/profiles/{draft.id}", form | {"video_url": "https://v.example/1"},
                 headers=EN, follow_redirects=False)  # fmt: skip
    assert saved.headers["location"] == f"/manage/profiles/{draft.id}?saved=details"
    edited = editing.editing(engine, draft.id).profile
    assert (edited.bio, edited.story, edited.video_url, edited.slug) == (
        "Vingt ans au CSCOM.",
        "Elle a refusé.",
        "https://v.example/1",
        draft.slug,
    )


def _upload(client, profile_id, data: bytes, filename="portrait.jpg", mime="image/jpeg"):
    files = {"photo": (filename, data, mime)}
    url = f"/manage/profiles/{profile_id}/photo"
    return post(client, url, {}, files=files, headers=EN, follow_redirects=False)


@pytest.mark.parametrize(
    "filename", ["portrait.jpg", "../../../etc/passwd.jpg", "pho to;rm -rf ~\x7f.JPG", "é.webp"]
)
def test_photo_upload_stores_renditions_by_hash_whatever_the_filename(
    client, engine, settings, manager, draft, filename
):
    response = _upload(client, draft.id, photo_bytes(), filename)

    photo = editing.editing(engine, draft.id).profile.photo
    assert response.headers["location"] == f"/manage/profiles/{draft.id}?saved=photo"
    assert _media(settings) == [f"{photo}-og.jpg", f"{photo}-page.jpg", f"{photo}-thumb.jpg"]
    assert {p.parent for p in settings.media_dir.rglob("*.jpg")} == {settings.media_dir / "photos"}
    thumb = client.get(f"/manage/profiles/{draft.id}/photo-thumb.jpg")
    assert (thumb.status_code, thumb.headers["content-type"]) == (200, "image/jpeg")
    assert thumb.content == (settings.media_dir / "photos" / f"{photo}-thumb.jpg").read_bytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_declaring(50_000, 50_000), "This image is too large: at most 40 million pixels."),
        (b"Je ne suis pas une image.\n" * 40, "This file is not a JPEG, PNG or WebP photo."),
        (b"", "This file is empty."),
        (photo_bytes()[:5000], "This photo is damaged or incomplete: export it again."),
        (noise_bytes()[:1000], "This photo is damaged or incomplete: export it again."),
    ],
    ids=["bomb", "fake", "empty", "truncated-jpeg", "truncated-png"],
)
def test_bad_photo_upload_is_refused_and_changes_nothing(
    client, engine, settings, manager, draft, data, message
):
    before = state(engine)

    response = _upload(client, draft.id, data, "../evil.jpg")

    assert response.status_code == 422
    page = text_of(response.text)
    assert ("Nothing was changed." in page, message in page) == (True, True)
    assert state(engine) == before
    assert _media(settings) == []


def test_photo_over_10_mb_is_refused_while_streaming(client, engine, settings, manager, draft):
    before = state(engine)

    response = _upload(client, draft.id, photo_bytes() + b"\x00" * photos.MAX_BYTES)

    assert response.status_code == 422
    assert "This photo is larger than 10 MB." in text_of(response.text)
    assert state(engine) == before
    assert _media(settings) == []


def test_publish_makes_the_page_public_and_unpublish_hides_it(client, engine, manager, draft):
    assert client.get(f"/finalists/{draft.slug}").status_code == 404

    published = post(client, f"/manage/profiles/{draft.id}/publish", headers=EN,
                     follow_redirects=False)  # fmt: skip
    public_page = client.get(f"/finalists/{draft.slug}", headers=EN)
    post(client, f"/manage/profiles/{draft.id}/unpublish", headers=EN)
    hidden = client.get(f"/finalists/{draft.slug}", headers=EN)

    assert published.headers["location"] == f"/manage/profiles/{draft.id}?saved=published"
    assert (public_page.status_code, hidden.status_code) == (200, 404)
    assert "Page not found" in text_of(hidden.text)


def test_preview_shows_a_draft_to_managers_only(client, engine, manager, draft, settings):
    _upload(client, draft.id, photo_bytes())

    page = client.get(f"/manage/profiles/{draft.id}/preview", headers=EN)

    assert page.status_code == 200
    assert "Preview: this draft is not public." in text_of(page.text)
    assert f'src="/manage/profiles/{draft.id}/photo-page.jpg?v=' in page.text
    client.cookies.clear()
    assert (
        client.get(f"/manage/profiles/{draft.id}/preview", follow_redirects=False).status_code
        == 303
    )
    assert client.get(f"/finalists/{draft.slug}/photo-page.jpg").status_code == 404
