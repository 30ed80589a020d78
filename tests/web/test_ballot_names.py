"""The ballot prints a finalist's corrected name (the profile's, or as a manager corrected it on
the round page), never the nominators' raw spelling: voters text the number beside the name."""

from __future__ import annotations

import pytest
from sqlmodel import select

from campaign import db
from campaign.models import AuditEvent
from profiles import editing
from profiles.forms import ProfileIn
from profiles.models import Profile
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_campaign, make_user
from tests.voting.test_rounds import form, shortlist
from tests.web.test_rounds import new_round_form
from voting import round_changes
from voting.models import Candidate, Round

EN = {"Accept-Language": "en"}


@pytest.fixture
def voting(engine):
    return make_campaign(engine, "voting")


@pytest.fixture
def manager(client, engine, voting):
    user = make_user(engine, "manager", "manager@example.org")
    login(client, user.email, PASSWORD)
    return user


@pytest.fixture
def raw(engine, voting):
    return shortlist(engine, voting.id, ["Boubacac Diarraa", "AICHA SIDIBE"])


def _profile(engine, campaign, nominee_id: int, name: str) -> int:
    with db.session(engine) as s, s.begin():
        p = Profile(campaign_id=campaign.id, nominee_id=nominee_id, slug=f"p-{nominee_id}",
                    year=campaign.year, name=name)  # fmt: skip
        s.add(p)
        s.flush()
        return p.id


def snapshot(engine) -> tuple:
    with db.session(engine) as s:
        return (
            s.exec(select(Candidate.round_id, Candidate.number, Candidate.name)).all(),
            len(s.exec(select(AuditEvent.id)).all()),
        )


def _ballot(client) -> str:
    return text_of(client.get("/vote", headers=EN).text)


def test_new_round_takes_the_profile_name_over_the_nominations_spelling(
    client, engine, manager, voting, raw
):
    _profile(engine, voting, raw[0], "Boubacar Diarra")

    post(client, "/manage/rounds", new_round_form(weight_web="50"), headers=EN)

    page = _ballot(client)
    assert "1 B Boubacar Diarra" in page
    assert "Boubacac Diarraa" not in page
    assert "2 A AICHA SIDIBE" in page


def test_profile_name_corrected_during_the_round_reaches_the_ballot_not_a_closed_one(
    client, engine, manager, voting, raw
):
    closed = round_changes.create_round(engine, manager.id, voting.id, form(title="Premier tour"))
    round_changes.close_round(engine, manager.id, closed.id)
    round_changes.create_round(engine, manager.id, voting.id, form())
    profile_id = _profile(engine, voting, raw[1], "AICHA SIDIBE")

    editing.update(engine, manager.id, profile_id, ProfileIn(name="Aïcha Sidibé"))

    assert "2 A Aïcha Sidibé" in _ballot(client)
    with db.session(engine) as s:
        names = s.exec(
            select(Round.title, Candidate.name)
            .join(Round, Round.id == Candidate.round_id)
            .where(Candidate.number == 2)
            .order_by(Round.id)
        ).all()
    assert names == [("Premier tour", "AICHA SIDIBE"), ("Vote du public", "Aïcha Sidibé")]


def test_manager_corrects_a_name_on_the_round_page_before_it_opens(
    client, engine, manager, voting, raw
):
    r = round_changes.create_round(engine, manager.id, voting.id, form())
    page = client.get(f"/manage/rounds/{r.id}", headers=EN).text
    assert "Names on the ballot" in text_of(page)
    assert 'value="Boubacac Diarraa"' in page

    response = post(client, f"/manage/rounds/{r.id}/candidates/1", {"name": " Boubacar  Diarra "},
                    headers=EN, follow_redirects=False)  # fmt: skip

    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/manage/rounds/{r.id}?saved=1#ballot",
    )
    assert "1 B Boubacar Diarra" in _ballot(client)
    with db.session(engine) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "round.rename")).one()
    assert (event.details["before"], event.details["after"]) == (
        "Boubacac Diarraa",
        "Boubacar Diarra",
    )


@pytest.mark.parametrize("name", ["", " x ", "y" * 201])
def test_rename_candidate_bad_name_is_refused_and_changes_nothing(
    client, engine, manager, voting, raw, name
):
    r = round_changes.create_round(engine, manager.id, voting.id, form())
    before = snapshot(engine)

    response = post(client, f"/manage/rounds/{r.id}/candidates/1", {"name": name}, headers=EN)

    assert response.status_code == 422
    assert "Between 2 and 200 characters." in text_of(response.text)
    assert snapshot(engine) == before


def test_rename_candidate_of_a_closed_round_or_unknown_number_changes_nothing(
    client, engine, manager, voting, raw
):
    r = round_changes.create_round(engine, manager.id, voting.id, form())
    missing = post(client, f"/manage/rounds/{r.id}/candidates/9", {"name": "Awa Diallo"})
    round_changes.close_round(engine, manager.id, r.id)
    before = snapshot(engine)

    closed = post(client, f"/manage/rounds/{r.id}/candidates/1", {"name": "Awa Diallo"})

    assert missing.status_code == 404
    assert closed.status_code == 409
    assert snapshot(engine) == before


def test_round_weights_are_shown_as_shares_with_their_unit(client, engine, manager, voting, raw):
    r = round_changes.create_round(
        engine, manager.id, voting.id, form(weight_web="30", weight_sms="10")
    )
    round_changes.close_round(engine, manager.id, r.id)

    results = text_of(client.get("/results", headers=EN).text)
    fr = text_of(client.get("/results").text)
    new = text_of(client.get("/manage/rounds", headers=EN).text)

    assert "blends the jury (0%), web votes (75%) and SMS votes (25%)." in results
    assert "les votes web (75 %) et les votes SMS (25 %)." in fr
    assert "give the jury 50 %, the web 25 % and SMS 25 %." in new
