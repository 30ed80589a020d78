"""First-run setup page, the edition's settings, and editions for managers."""

from datetime import timedelta

import pytest
from sqlmodel import select

from campaign import campaigns, db, editions, setup
from campaign.models import Campaign, User
from tests.conftest import SECRET, login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.web.test_manage import VALID
from voting.models import Round

EN = {"accept-language": "en"}
SETUP = {"email": "sita@example.org", "name": "Sita Sharma", "password": "a long password 1",
         "confirm": "a long password 1", "country": "NP", "year": "2027", "title": ""}  # fmt: skip


def test_setup_page_creates_the_manager_and_nepal_edition_then_dies(client, engine):
    link = f"/setup/{setup.issue(engine, SECRET)}"
    page = text_of(client.get(link, headers=EN).text)
    assert "This link works once" in page and "Nepal" in page
    response = post(client, link, SETUP, headers=EN, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (
        303, "/manage/campaign?welcome=1",
    )  # fmt: skip
    settings = text_of(client.get("/manage/campaign?welcome=1", headers=EN).text)
    assert "The site is set up." in settings
    assert "Times are in Asia/Kathmandu." in settings
    campaign = campaigns.current(engine)
    assert (campaign.country, campaign.year, campaign.title) == (
        "NP", 2027, "Integrity Icon Nepal 2027",
    )  # fmt: skip
    assert campaign.languages[0] == {"code": "ne", "name": "Nepali"}
    again = post(client, link, SETUP | {"email": "other@example.org"}, headers=EN)
    assert again.status_code == 400
    assert "This site is already set up: sign in instead." in text_of(again.text)
    with db.session(engine) as s:
        assert s.exec(select(User.email)).all() == ["sita@example.org"]


def test_setup_page_with_bad_fields_says_which_and_makes_nothing(client, engine):
    link = f"/setup/{setup.issue(engine, SECRET)}"
    response = post(client, link, SETUP | {"country": "ZZ", "year": "2027x"}, headers=EN)
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Unknown country code: use the two letters of ISO 3166 (NP, ML, ...)." in page
    assert "Enter a year between 2000 and 2100." in page
    assert setup.needed(engine) is True


def test_setup_page_without_a_country_asks_to_choose_one(client, engine):
    # The country is a list; left on its empty choice, the page spoke of ISO 3166 codes.
    link = f"/setup/{setup.issue(engine, SECRET)}"
    response = post(client, link, SETUP | {"country": ""}, headers=EN)
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Choose the country." in page
    assert "ISO 3166" not in page
    assert setup.needed(engine) is True


def test_forged_setup_link_is_refused(client, engine):
    response = client.get("/setup/not-a-token", headers=EN)
    assert response.status_code == 400
    assert "This setup link is not valid." in text_of(response.text)


@pytest.fixture
def upcoming(engine):
    return make_campaign(engine, "upcoming")


def _as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def test_place_and_interface_languages_editable_before_nominations(client, engine, upcoming):
    _as_manager(client, engine)
    form = VALID | {"nominations_start": "2027-01-01T08:00", "nominations_end": "2027-02-01T08:00",
                    "review_start": "2027-02-02T08:00", "review_end": "2027-03-01T08:00",
                    "voting_start": "2027-03-02T08:00", "voting_end": "2027-04-01T08:00",
                    "results_at": "2027-04-02T08:00", "country": "np", "phone_country": "NP",
                    "timezone": "Asia/Kathmandu", "interface_languages": "ne en"}  # fmt: skip
    response = post(client, "/manage/campaign", form, follow_redirects=False)
    assert response.status_code == 303
    saved = campaigns.current(engine)
    assert (saved.country, saved.phone_country, saved.timezone) == ("NP", "NP", "Asia/Kathmandu")
    assert saved.interface_languages == ["ne", "en"]
    # Nepali has no catalogue yet: English is the one offered, whatever the browser asks.
    home = client.get("/", headers={"accept-language": "fr"})
    assert home.headers["content-language"] == "en"
    assert 'value="fr"' not in home.text and 'value="en"' in home.text
    refused = post(client, "/lang", {"code": "fr", "next": "/"})
    assert refused.status_code == 400


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Asia/Katmandoo", "This time zone does not exist (e.g. Asia/Kathmandu)."),
        ("regions", "  \n ", "One region per line (at most 100, each under 100 characters)."),
        ("country", "QQ", "Unknown country code: use the two letters of ISO 3166 (NP, ML, ...)."),
        ("phone_country", "Q1", "Unknown country code for phone numbers."),
        ("interface_languages", "", "List the interface languages by code (fr, en, ur...), "
         "the default first."),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_clearly_and_change_nothing(
    client, engine, upcoming, field, value, message
):
    _as_manager(client, engine)
    form = VALID | {"country": "ML", "phone_country": "ML", "timezone": "Africa/Bamako",
                    "interface_languages": "fr en", field: value}  # fmt: skip
    response = post(client, "/manage/campaign", form, headers=EN)
    assert response.status_code == 422
    assert message in text_of(response.text)
    after = campaigns.current(engine)
    assert (after.timezone, after.regions, after.title) == (
        upcoming.timezone, upcoming.regions, upcoming.title,
    )  # fmt: skip


def test_place_is_fixed_once_nominations_open(client, engine, campaign):
    _as_manager(client, engine)
    page = text_of(client.get("/manage/campaign", headers=EN).text)
    assert "Nominations have opened: the country, phone numbers and time zone are fixed." in page
    response = post(client, "/manage/campaign", VALID | {"timezone": "Asia/Kathmandu"}, headers=EN)
    assert response.status_code == 422
    assert "Fixed once nominations have opened." in text_of(response.text)
    assert campaigns.current(engine).timezone == "Africa/Bamako"


def test_new_edition_from_the_editions_page(client, engine):
    old = make_campaign(engine, "results", year=2027)
    _as_manager(client, engine)
    page = text_of(client.get("/manage/editions").text)
    assert "Nouvelle édition 2028" in page
    response = post(client, f"/manage/editions/{old.id}/next", {"year": "2028"},
                    follow_redirects=False)  # fmt: skip
    assert response.headers["location"] == "/manage/editions?started=2028"
    page = text_of(client.get("/manage/editions?started=2028").text)
    assert "L'édition 2028 a commencé." in page
    assert "2027 Integrity Icon Mali" in page and "Archivée" in page
    browse = text_of(client.get(f"/manage/editions/{old.id}").text)
    assert "cette édition ne peut plus changer" in browse
    again = post(client, f"/manage/editions/{old.id}/next", {"year": "2029"})
    assert again.status_code == 409
    assert "L'édition 2027 est archivée : elle ne peut plus changer." in text_of(again.text)
    # The public pages show 2028 and link to 2027.
    results = text_of(client.get("/stats").text)
    assert "Éditions : 2028 2027" in results
    assert client.get("/stats?year=2027").status_code == 200
    assert client.get("/stats?year=2019").status_code == 404


def test_new_edition_refused_while_a_round_is_open(client, engine):
    old = make_campaign(engine, "voting", year=2027)
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        s.add(Round(campaign_id=old.id, title="Finale", opens_at=now - timedelta(hours=1),
                    closes_at=now + timedelta(days=1)))  # fmt: skip
    _as_manager(client, engine)
    response = post(client, f"/manage/editions/{old.id}/next", {"year": "2028"}, headers=EN)
    assert response.status_code == 409
    assert "A voting round of this edition has not closed yet: close it first." in text_of(
        response.text
    )
    with db.session(engine) as s:
        assert s.exec(select(Campaign.year)).all() == [2027]


def test_new_edition_only_after_and_from_the_current_one(client, engine):
    old = make_campaign(engine, "results", year=2027)
    _as_manager(client, engine)
    response = post(client, f"/manage/editions/{old.id}/next", {"year": "2027"}, headers=EN)
    assert response.status_code == 422
    assert "The new edition must come after the current one." in text_of(response.text)
    editions.create(engine, None, "ML", 2030)
    response = post(client, f"/manage/editions/{old.id}/next", {"year": "2031"}, headers=EN)
    assert response.status_code == 422
    assert "Start the next edition from the current one." in text_of(response.text)
    with db.session(engine) as s:
        assert sorted(s.exec(select(Campaign.year)).all()) == [2027, 2030]
