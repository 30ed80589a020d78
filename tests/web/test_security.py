from sqlalchemy import func
from sqlmodel import select

from audio_spots.models import AudioSpot
from campaign import db
from nominations.models import Nomination
from tests.conftest import csrf_token, login, post, text_of
from tests.factories import PASSWORD, make_user


def test_post_without_csrf_token_is_refused_with_an_explanation(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    client.get("/login")
    response = client.post("/login", data={"email": "boss@example.org", "password": PASSWORD})
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in text_of(response.text)
    assert "icon_session" not in client.cookies


def test_post_with_wrong_csrf_token_is_refused_and_changes_nothing(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    before = client.get("/manage/campaign").text
    response = client.post(
        "/manage/campaign", data={"csrf_token": "x" * 43, "title": "Hijacked title"}
    )
    assert response.status_code == 403
    assert client.get("/manage/campaign").text.count("Hijacked") == 0
    assert "Integrity Icon Mali" in before


def test_post_without_csrf_cookie_is_refused(client, engine, campaign):
    token = csrf_token(client)
    client.cookies.clear()
    response = client.post("/lang", data={"csrf_token": token, "code": "en"})
    assert response.status_code == 403
    assert "lang" not in client.cookies


def test_csrf_token_in_header_is_accepted_for_htmx(client, campaign):
    token = csrf_token(client)
    response = client.post(
        "/lang", data={"code": "en"}, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert response.status_code == 303


def test_csrf_cookie_is_set_once_httponly_and_lax(client, campaign):
    first = client.get("/")
    second = client.get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("icon_csrf=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "set-cookie" not in second.headers


def test_security_headers_on_every_page(client, campaign):
    for path in ("/", "/login", "/no-such-page", "/static/site.css"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        csp = headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp


def test_pages_carry_no_inline_script(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    for path in ("/", "/login", "/manage/campaign", "/manage/people", "/manage/audit"):
        html = client.get(path).text
        scripts = html.split("<script")[1:]
        assert all(' src="' in s.split(">")[0] for s in scripts), path
        assert " onclick=" not in html and " style=" not in html, path


def test_oversized_post_is_refused(client, campaign):
    token = csrf_token(client)
    response = client.post(
        "/lang", data={"csrf_token": token, "code": "en", "pad": "x" * (31 * 1024 * 1024)}
    )
    assert response.status_code == 413
    assert "Ce fichier est trop volumineux." in text_of(response.text)


def test_error_pages_in_both_languages(client, campaign):
    french = client.get("/no-such-page")
    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert (french.status_code, english.status_code) == (404, 404)
    assert "Page introuvable" in text_of(french.text)
    assert "Page not found" in text_of(english.text)


def test_server_error_page_in_both_languages(settings, engine, campaign):
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from web.app import create_app

    def broken(request):
        raise RuntimeError("boom")

    app = create_app(settings, engine)
    app.router.routes.insert(0, Route("/broken", broken))
    with TestClient(app, raise_server_exceptions=False) as c:
        french = c.get("/broken")
        english = c.get("/broken", headers={"Accept-Language": "en"})
    assert (french.status_code, english.status_code) == (500, 500)
    assert "Une erreur s'est produite" in text_of(french.text)
    assert "Something went wrong" in text_of(english.text)
    assert "boom" not in french.text


def test_a_server_error_is_logged_by_route_not_by_the_token_in_its_path(
    settings, engine, campaign, caplog
):
    """Kannel's URL failing (the database gone) must not write its secret, nor the sender's
    number, into the log: the error names the route."""
    import dataclasses

    from starlette.testclient import TestClient

    from campaign import db
    from web.app import create_app

    app = create_app(dataclasses.replace(settings, sms_gateways=("kannel",)), engine)
    caplog.set_level("INFO", logger="icon")
    with TestClient(app, raise_server_exceptions=False) as c:
        app.state.engine = db.make_engine("sqlite:////nonexistent-dir/x.db")
        answer = c.get("/sms/kannel/sms-test-secret?sender=76000001&message=AIDE&id=gw-1")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert answer.status_code == 500
    assert errors == ["error on /sms/{name}/{token}"]
    for carried in ("sms-test-secret", "76000001", "AIDE"):
        assert carried not in caplog.text


def test_logout_requires_csrf(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    assert client.post("/logout").status_code == 403
    assert client.get("/manage/campaign", follow_redirects=False).status_code == 200
    assert post(client, "/logout", follow_redirects=False).status_code == 303


def test_streamed_upload_without_csrf_token_in_query_is_refused_and_changes_nothing(
    client, engine, campaign
):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    files = {"file": ("spot.mp3", b"ID3" + b"\0" * 100, "audio/mpeg")}
    # The token in the body is not read: this upload's body streams through unbuffered.
    response = client.post("/manage/spots", data={"csrf_token": csrf_token(client)}, files=files)
    assert response.status_code == 403
    wrong = client.post("/manage/spots?csrf_token=" + "x" * 43, files=files)
    assert wrong.status_code == 403
    with db.session(engine) as s:
        assert s.exec(select(func.count()).select_from(AudioSpot)).one() == 0


def test_other_multipart_posts_are_read_whole_and_limited(client, campaign):
    token = csrf_token(client)
    files = {"photo": ("big.bin", b"x" * (31 * 1024 * 1024), "application/octet-stream")}

    response = client.post(f"/nominate?csrf_token={token}", files=files)

    assert response.status_code == 413
    assert "Ce fichier est trop volumineux." in text_of(response.text)


def test_buffered_upload_takes_the_token_from_the_body_or_the_query(client, engine, campaign):
    make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    files = {"file": ("forms.csv", b"a;b\r\n", "text/csv")}
    token = csrf_token(client)

    in_body = client.post("/manage/entry/upload", data={"csrf_token": token}, files=files)
    in_query = client.post(f"/manage/entry/upload?csrf_token={token}", files=files)

    assert (in_body.status_code, in_query.status_code) == (422, 422)  # the CSV's own complaint
    with db.session(engine) as s:
        assert s.exec(select(func.count()).select_from(Nomination)).one() == 0


def test_a_form_with_thousands_of_fields_is_refused_and_changes_nothing(client, engine, campaign):
    token = csrf_token(client)
    body = "&".join(f"f{n}=x" for n in range(2000)) + f"&csrf_token={token}"

    response = client.post(
        "/nominate", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 403
    with db.session(engine) as s:
        assert s.exec(select(func.count()).select_from(Nomination)).one() == 0
