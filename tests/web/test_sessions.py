"""Staff sessions end for real: logout, a new password or a deactivation stop every copy of the
cookie, a session lasts at most ICON_SESSION_HOURS, and its CSRF token is its own."""

import dataclasses
import re
import time

import pytest
from starlette.testclient import TestClient

from campaign import people
from campaign.settings import SettingsError, load_settings
from tests.conftest import SECRET, csrf_token, login, post, session_data
from tests.factories import PASSWORD, make_user
from web.app import create_app

STAFF_PAGE = "/manage/campaign"


def _copy(client: TestClient, app) -> TestClient:
    """A second browser holding the same cookies (a stolen or copied cookie)."""
    thief = TestClient(app, base_url="http://testserver")
    for name in ("icon_session", "icon_csrf"):
        thief.cookies.set(name, client.cookies[name])
    return thief


def _signed_in(client: TestClient) -> bool:
    return client.get(STAFF_PAGE, follow_redirects=False).status_code == 200


def test_copied_cookie_is_signed_out_by_logout(client, app, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    assert login(client, "boss@example.org", PASSWORD).status_code == 303
    thief = _copy(client, app)
    assert _signed_in(thief)
    assert post(client, "/logout", follow_redirects=False).status_code == 303
    response = thief.get(STAFF_PAGE, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/manage/campaign",
    )


def test_copied_cookie_is_signed_out_by_a_password_change(client, app, engine, campaign):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    thief = _copy(client, app)
    assert _signed_in(thief)
    _, token = people.invite(engine, SECRET, None, "boss@example.org", "manager")
    people.accept_invitation(engine, SECRET, token, "a new password 2027", "a new password 2027")
    assert not _signed_in(thief)
    assert not _signed_in(client)
    assert people.active_user(engine, user.id).session_version == 1


def test_reactivation_does_not_revive_old_cookies(client, app, engine, campaign):
    boss = make_user(engine, "manager", "boss@example.org")
    juror = make_user(engine, "juror", "j@example.org")
    other = TestClient(app, base_url="http://testserver")
    login(other, "j@example.org", PASSWORD)
    assert other.get("/jury", follow_redirects=False).status_code == 200
    people.set_active(engine, boss.id, juror.id, False)
    people.set_active(engine, boss.id, juror.id, True)
    response = other.get("/jury", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/jury")
    assert login(other, "j@example.org", PASSWORD).status_code == 303  # a fresh sign-in works
    assert other.get("/jury", follow_redirects=False).status_code == 200


def test_a_session_ends_after_its_lifetime(settings, engine, campaign, monkeypatch):
    make_user(engine, "manager", "boss@example.org")
    app = create_app(dataclasses.replace(settings, session_hours=2), engine)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "boss@example.org", PASSWORD)
        signed_at = session_data(client)["iat"]
        monkeypatch.setattr(time, "time", lambda: signed_at + 2 * 3600 - 1)
        assert _signed_in(client)  # still within, though it kept being used
        monkeypatch.setattr(time, "time", lambda: signed_at + 2 * 3600)
        assert not _signed_in(client)


def test_csrf_token_of_another_session_is_refused(client, app, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    other = TestClient(app, base_url="http://testserver")
    login(other, "boss@example.org", PASSWORD)
    theirs = csrf_token(other)
    assert theirs != csrf_token(client)
    # Even with the other browser's CSRF cookie copied alongside its token.
    client.cookies.set("icon_csrf", other.cookies["icon_csrf"])
    refused = client.post("/logout", data={"csrf_token": theirs}, follow_redirects=False)
    assert refused.status_code == 403
    assert _signed_in(client)
    page = client.get(STAFF_PAGE).text
    assert re.search(r'name="csrf_token" value="([^"]+)"', page).group(1) == csrf_token(client)
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 200


@pytest.mark.parametrize("value", ["0", "721", "12h", "٣", ""])
def test_session_hours_out_of_range_is_refused(value, tmp_path):
    env = {"ICON_ENV": "development", "ICON_SESSION_HOURS": value}
    with pytest.raises(SettingsError, match="ICON_SESSION_HOURS must be a whole number of hours"):
        load_settings(env, dev_key_file=tmp_path / "key")


def test_session_hours_default_and_value(tmp_path):
    key = tmp_path / "key"
    assert load_settings({"ICON_ENV": "development"}, dev_key_file=key).session_hours == 12
    month = load_settings(
        {"ICON_ENV": "development", "ICON_SESSION_HOURS": "720"}, dev_key_file=key
    )
    assert month.session_hours == 720
