from datetime import timedelta

from campaign import db
from tests.conftest import post, text_of
from tests.factories import make_campaign


def test_home_shows_campaign_phase_and_dates_in_french_by_default(client, engine):
    make_campaign(engine, "nominations")
    response = client.get("/")
    page = text_of(response.text)
    assert response.headers["content-language"] == "fr"
    assert "Integrity Icon Mali" in page
    assert "Les nominations sont ouvertes." in page
    assert "Dates clés" in page
    assert "Nominations" in page and "Vote du public" in page


def test_home_in_english_after_switching_language(client, engine):
    make_campaign(engine, "voting")
    switched = post(client, "/lang", {"code": "en", "next": "/"}, follow_redirects=False)
    response = client.get("/")
    assert (switched.status_code, switched.headers["location"]) == (303, "/")
    assert response.headers["content-language"] == "en"
    assert "No vote is open right now." in text_of(response.text)


def test_home_follows_accept_language_until_a_choice_is_made(client, engine):
    make_campaign(engine, "review")
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "The jury is reviewing the nominations." in text_of(response.text)


def test_home_between_phases_says_what_comes_next(client, engine):
    now = db.utcnow()
    make_campaign(
        engine,
        nominations_start=now - timedelta(days=30),
        nominations_end=now - timedelta(days=1),
        review_start=now + timedelta(days=2),
    )
    page = text_of(client.get("/", headers={"Accept-Language": "en"}).text)
    assert "The next step is coming soon." in page
    assert "Next: Jury review, from" in page


def test_home_without_campaign_says_so(client):
    page = text_of(client.get("/", headers={"Accept-Language": "en"}).text)
    assert "The campaign has not been set up yet." in page


def test_set_language_unknown_code_is_refused_and_sets_nothing(client, engine):
    make_campaign(engine)
    response = post(client, "/lang", {"code": "xx", "next": "/"}, follow_redirects=False)
    assert response.status_code == 400
    assert "Cette langue n'est pas disponible." in text_of(response.text)
    assert "lang" not in client.cookies


def test_set_language_never_redirects_off_site(client, engine):
    data = {"code": "en", "next": "//evil.example/"}
    response = post(client, "/lang", data, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_unknown_language_cookie_falls_back_to_french(client, engine):
    make_campaign(engine)
    client.cookies.set("lang", "zz")
    assert client.get("/").headers["content-language"] == "fr"
