from datetime import timedelta

from sqlmodel import select

from campaign import db, people
from campaign.models import AuditEvent, RateEvent
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user


def _actions(engine) -> list[str]:
    with db.session(engine) as s:
        return list(s.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def test_login_manager_lands_on_manage_and_is_audited(client, engine, campaign):
    user = make_user(engine, "manager", "boss@example.org")
    response = login(client, "Boss@Example.org ", PASSWORD)
    assert (response.status_code, response.headers["location"]) == (303, "/manage")
    assert client.get("/manage/campaign").status_code == 200
    assert _actions(engine) == ["user.login"]
    assert people.active_user(engine, user.id).email == "boss@example.org"


def test_login_juror_lands_on_jury(client, engine, campaign):
    make_user(engine, "juror", "j@example.org")
    response = login(client, "j@example.org", PASSWORD)
    assert response.headers["location"] == "/jury"
    assert "Jury" in text_of(client.get("/jury").text)


def test_login_wrong_password_is_refused_and_counted(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    response = login(client, "boss@example.org", "not the password")
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in text_of(response.text)
    assert "icon_session" not in client.cookies
    with db.session(engine) as s:
        keys = sorted(s.exec(select(RateEvent.key)).all())
    assert keys == ["account:boss@example.org", "address:testclient"]


def test_login_locks_account_after_five_failures_and_says_when(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    statuses = [login(client, "boss@example.org", "wrong").status_code for _ in range(5)]
    locked = login(client, "boss@example.org", PASSWORD)
    assert statuses == [400] * 5
    assert locked.status_code == 429
    assert "Trop de tentatives échouées. Réessayez après" in text_of(locked.text)
    assert client.get("/manage/campaign", follow_redirects=False).status_code == 303


def test_login_lock_lifts_after_the_window(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    old = db.utcnow() - people.LOCK_WINDOW - timedelta(seconds=1)
    with db.session(engine) as s, s.begin():
        for _ in range(5):
            s.add(RateEvent(key="account:boss@example.org", at=old))
    assert login(client, "boss@example.org", PASSWORD).status_code == 303


def test_login_limits_per_address_across_accounts(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "nobody@example.org", "wrong")  # counted against the address too
    with db.session(engine) as s, s.begin():
        for _ in range(people.ADDRESS_FAILURES - 1):
            s.add(RateEvent(key="address:testclient", at=db.utcnow()))
    response = login(client, "boss@example.org", PASSWORD)
    assert response.status_code == 429


def test_login_deactivated_account_is_refused(client, engine, campaign):
    make_user(engine, "juror", "gone@example.org", active=False)
    response = login(client, "gone@example.org", PASSWORD)
    assert response.status_code == 400
    assert "icon_session" not in client.cookies


def test_deactivation_ends_an_open_session(client, engine, campaign):
    boss = make_user(engine, "manager", "boss@example.org")
    juror = make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    people.set_active(engine, boss.id, juror.id, False)
    response = client.get("/jury", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/jury")


def test_anonymous_visitor_is_sent_to_login_from_staff_pages(client, campaign):
    for path in ("/manage/campaign", "/manage/people", "/manage/audit", "/jury"):
        response = client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"/login?next={path}",
        )


def test_juror_on_manager_page_gets_403_in_their_language(client, engine, campaign):
    make_user(engine, "juror", "j@example.org")
    login(client, "j@example.org", PASSWORD)
    french = client.get("/manage/people")
    english = client.get("/manage/people", headers={"Accept-Language": "en"})
    assert french.status_code == 403
    assert "Accès refusé" in text_of(french.text)
    assert "This page is for another role." in text_of(english.text)


def test_volunteer_cannot_open_jury_or_manage(client, engine, campaign):
    make_user(engine, "volunteer", "v@example.org")
    login(client, "v@example.org", PASSWORD)
    assert [client.get(p).status_code for p in ("/jury", "/manage/campaign")] == [403, 403]


def test_login_next_is_followed_only_when_local(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    response = post(
        client,
        "/login",
        {"email": "boss@example.org", "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/manage"


def test_logout_clears_session_and_is_audited(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    response = post(client, "/logout", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert client.get("/manage/campaign", follow_redirects=False).status_code == 303
    assert _actions(engine) == ["user.login", "user.logout"]


def test_session_cookie_is_httponly_lax_and_holds_only_the_id_and_its_checks(
    client, engine, campaign
):
    make_user(engine, "manager", "boss@example.org")
    response = login(client, "boss@example.org", PASSWORD)
    cookie = next(v for v in response.headers.get_list("set-cookie") if "icon_session" in v)
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # the base URL is http in tests
    import base64
    import json

    payload = client.cookies["icon_session"].split(".")[0]
    data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert sorted(data) == ["csrf", "iat", "sv", "uid"]
    assert (data["uid"], data["sv"], len(data["csrf"])) == (1, 0, 43)


def test_session_cookie_is_secure_when_base_url_is_https(settings, engine):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from web.app import create_app

    make_campaign(engine)
    make_user(engine, "manager", "boss@example.org")
    app = create_app(replace(settings, base_url="https://icon.example.org"), engine)
    with TestClient(app, base_url="https://testserver") as c:
        response = login(c, "boss@example.org", PASSWORD)
    cookies = response.headers.get_list("set-cookie")
    assert all("secure" in v.lower() for v in cookies)
    assert response.headers["strict-transport-security"] == "max-age=31536000"
