"""Manager pages for audio spots: upload (streamed, checked by content), edit, publish."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlmodel import select

from audio_spots import storage
from audio_spots.models import AudioSpot
from campaign import db
from campaign.models import AuditEvent
from tests.audio_spots.helpers import files_under, make_profile, multipart, sample
from tests.conftest import csrf_token, login, post, run_async, text_of
from tests.factories import PASSWORD, make_user

EN = {"Accept-Language": "en"}
FORM = {"language": "bm", "title": "Aminata, en bamanankan", "transcript": "Aw ni ce."}


@pytest.fixture
def profile(engine, campaign):
    return make_profile(engine, campaign.id)


@pytest.fixture
def manager(client, engine, campaign):
    user = make_user(engine, "manager", "manager@example.org")
    login(client, user.email, PASSWORD)
    return user


def upload(client, profile, name="tone.mp3", filename=None, data=None, **fields):
    content = sample(name).read_bytes() if data is None else data
    files = {"file": (filename or name, content, "audio/mpeg")}
    form = {"profile_id": str(profile.id), **FORM, **fields}
    return post(client, "/manage/spots", form, files=files, headers=EN, follow_redirects=False)


def saved(engine) -> list[AudioSpot]:
    with db.session(engine) as s:
        return list(s.exec(select(AudioSpot).order_by(AudioSpot.id)))


def audited(engine) -> list[str]:
    with db.session(engine) as s:
        query = select(AuditEvent.action).where(AuditEvent.action.startswith("spot."))
        return list(s.exec(query.order_by(AuditEvent.id)))


def nothing_changed(engine, settings) -> tuple:
    return saved(engine), files_under(settings.media_dir), audited(engine)


def test_anonymous_is_sent_to_login(client, campaign):
    response = client.get("/manage/spots", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/manage/spots",
    )


def test_juror_is_refused_and_nothing_stored(client, engine, settings, campaign, profile):
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    page = client.get("/manage/spots", headers=EN)
    response = upload(client, profile)
    assert (page.status_code, response.status_code) == (403, 403)
    assert "This page is for another role." in text_of(response.text)
    assert nothing_changed(engine, settings) == ([], [], [])


def test_upload_form_offers_the_campaigns_languages_and_profiles(
    client, campaign, manager, profile
):
    html = client.get("/manage/spots", headers=EN).text
    languages = re.findall(r'<option value="(\w+)" lang="\w+">([^<]+)</option>', html)
    assert languages == [(lang["code"], lang["name"]) for lang in campaign.languages]
    assert f'<option value="{profile.id}">Aminata Goïta</option>' in html
    assert f'action="/manage/spots?csrf_token={csrf_token(client)}"' in html
    assert "No audio spot yet." in text_of(html)


def test_upload_makes_a_draft_and_lists_it(client, engine, settings, manager, profile):
    response = upload(client, profile)
    spot = saved(engine)[0]
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/spots/{spot.id}?created=1",
    )
    page = text_of(client.get(response.headers["location"], headers=EN).text)
    assert "The spot is saved as a draft." in page
    assert "Aminata Goïta · Bamanankan · 0:03 · Draft" in page
    listing = text_of(client.get("/manage/spots", headers=EN).text)
    assert (
        f"Aminata, en bamanankan Bamanankan 0:03 MP3, 49 KB "
        f"{round(spot.light_bytes / 1000)} KB Draft"
    ) in listing
    assert audited(engine) == ["spot.create"]


def test_upload_in_a_language_the_campaign_does_not_use_changes_nothing(
    client, engine, settings, manager, profile
):
    response = upload(client, profile, language="en")
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Nothing was saved: some fields need correcting." in page
    assert "Choose one of the campaign's languages." in page
    assert 'value="Aminata, en bamanankan"' in response.text  # the form comes back filled
    assert nothing_changed(engine, settings) == ([], [], [])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("text.mp3", "This is not an MP3, Ogg, M4A or WAV audio file."),
        ("empty.mp3", "The file is empty."),
        ("truncated.mp3", "This audio file could not be read: it may be damaged or cut short."),
        ("tone.flac", "This is not an MP3, Ogg, M4A or WAV audio file."),
    ],
)
def test_bad_file_is_refused_and_changes_nothing(
    client, engine, settings, manager, profile, name, message
):
    response = upload(client, profile, name)
    assert (response.status_code, message in text_of(response.text)) == (422, True)
    assert nothing_changed(engine, settings) == ([], [], [])


@pytest.mark.parametrize(
    "filename",
    [
        "../../../etc/cron.d/x.mp3",
        "..\\..\\a.mp3",
        "spot\x00.mp3;.sh",
        "«Aminata» 2024 (final).MP3",
    ],
)
def test_odd_filenames_never_reach_the_disk(client, engine, settings, manager, profile, filename):
    response = upload(client, profile, filename=filename)
    spot = saved(engine)[0]
    assert response.status_code == 303
    # Everything written next to the media folder: nothing but the spot's two files (and the
    # test's SQLite database, when the suite runs on SQLite).
    written = [f for f in files_under(settings.media_dir.parent) if not f.startswith("icon.db")]
    assert written == [
        f"media/audio/{spot.original_hash}.mp3",
        f"media/audio/{spot.light_hash}.ogg",
    ]


def test_no_file_chosen_is_a_clear_422(client, engine, settings, manager, profile):
    # As a browser sends it: the file part is there, with an empty name and no content.
    body = multipart({"profile_id": str(profile.id), **FORM}, "", b"", boundary="B")
    response = client.post(
        f"/manage/spots?csrf_token={csrf_token(client)}",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=B", **EN},
    )
    assert response.status_code == 422
    assert "Choose an audio file." in text_of(response.text)
    assert nothing_changed(engine, settings) == ([], [], [])


def test_a_200_mb_upload_is_refused_while_streaming(
    app, client, engine, settings, manager, profile
):
    """Driven through ASGI chunk by chunk (the TestClient would buffer the whole body first)."""
    head = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.mp3"\r\n'
        b"Content-Type: audio/mpeg\r\n\r\n"
    )
    pulled = 0

    async def body():
        nonlocal pulled
        pulled += len(head)
        yield head
        chunk = b"\xff" * (64 * 1024)
        for _ in range(200 * 16):  # 200 MB, never all in memory
            pulled += len(chunk)
            yield chunk

    async def send():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=dict(client.cookies)
        ) as ac:
            return await ac.post(
                f"/manage/spots?csrf_token={csrf_token(client)}",
                content=body(),
                headers={"Content-Type": "multipart/form-data; boundary=B", **EN},
            )

    response = run_async(send())
    assert response.status_code == 413
    assert "The file is larger than 20 MB." in text_of(response.text)
    assert storage.MAX_BYTES < pulled - len(head) <= storage.MAX_BYTES + 64 * 1024
    assert nothing_changed(engine, settings) == ([], [], [])


def test_a_declared_200_mb_upload_is_refused_before_reading(client, engine, settings, manager):
    url = f"/manage/spots?csrf_token={csrf_token(client)}"
    response = client.post(
        url,
        content=b"--B--\r\n",
        headers={
            "Content-Type": "multipart/form-data; boundary=B",
            "Content-Length": str(200 * 1024 * 1024),
            **EN,
        },
    )
    assert response.status_code == 413
    assert nothing_changed(engine, settings) == ([], [], [])


def test_edit_and_publish(client, engine, settings, manager, profile):
    upload(client, profile, transcript="")
    spot_id = saved(engine)[0].id
    refused = post(client, f"/manage/spots/{spot_id}/publish", headers=EN)
    assert refused.status_code == 422
    assert "Add the transcript before publishing." in text_of(refused.text)
    edited = post(
        client,
        f"/manage/spots/{spot_id}",
        {"title": "Aminata parle", "transcript": "Aw ni ce."},
        headers=EN,
        follow_redirects=False,
    )
    published = post(client, f"/manage/spots/{spot_id}/publish", follow_redirects=False)
    spot = saved(engine)[0]
    assert [edited.headers["location"], published.headers["location"]] == [
        f"/manage/spots/{spot_id}?saved=1"
    ] * 2
    assert (spot.title, spot.transcript, spot.status) == ("Aminata parle", "Aw ni ce.", "published")
    page = text_of(client.get(f"/manage/spots/{spot_id}", headers=EN).text)
    assert "Published: on the finalist's page and in the podcast feed." in page
    post(client, f"/manage/spots/{spot_id}/unpublish")
    assert saved(engine)[0].status == "draft"
    assert audited(engine) == ["spot.create", "spot.edit", "spot.publish", "spot.unpublish"]


def test_bad_edit_redisplays_with_422_and_changes_nothing(
    client, engine, settings, manager, profile
):
    upload(client, profile)
    spot_id = saved(engine)[0].id
    response = post(
        client, f"/manage/spots/{spot_id}", {"title": "x", "transcript": "y"}, headers=EN
    )
    assert response.status_code == 422
    assert "Between 3 and 200 characters." in text_of(response.text)
    assert saved(engine)[0].title == "Aminata, en bamanankan"
    assert audited(engine) == ["spot.create"]


def test_manager_listens_to_a_draft_the_public_cannot(client, engine, settings, manager, profile):
    upload(client, profile)
    spot = saved(engine)[0]
    light = settings.media_dir / "audio" / f"{spot.light_hash}.ogg"
    mine = client.get(f"/manage/spots/{spot.id}/light.ogg", headers={"Accept-Encoding": "identity"})
    original = client.get(
        f"/manage/spots/{spot.id}/original.mp3", headers={"Accept-Encoding": "identity"}
    )
    client.cookies.clear()
    public = client.get(f"/audio/{spot.id}/light.ogg")
    assert (mine.status_code, mine.content, mine.headers["cache-control"]) == (
        200,
        light.read_bytes(),
        "private, no-cache",
    )
    assert original.headers["content-disposition"] == (
        f'attachment; filename="aminata-en-bamanankan-{spot.id}.mp3"'
    )
    assert public.status_code == 404


def test_unknown_spot_is_404(client, manager):
    assert client.get("/manage/spots/999", headers=EN).status_code == 404
    assert post(client, "/manage/spots/999/publish", headers=EN).status_code == 404
