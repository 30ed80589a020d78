"""The edition's own SMS words and short code: set by a manager, understood by SMS, shown on the
public pages, carried into the next edition."""

from __future__ import annotations

from sqlmodel import select

from campaign import db, editions
from campaign.models import AuditEvent, Campaign
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_user
from tests.voting.test_ballot_box import ballots, make_round
from tests.web.test_sms_inbound import _post

WORDS = {"kw_vote": "votez", "kw_nominate": "PROPOSE", "kw_track": "STATUT", "kw_help": "INFO",
         "sms_number": "36 015"}  # fmt: skip


def _as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def _stored(engine, campaign_id: int) -> tuple[dict, str]:
    with db.session(engine) as s:
        found = s.get(Campaign, campaign_id)
        return found.sms_keywords, found.sms_number


def test_a_manager_sets_the_words_and_sms_uses_them(client, engine, campaign):
    _as_manager(client, engine)
    saved = post(client, "/manage/sms/keywords", WORDS, follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/manage/sms?saved=1")
    assert _stored(engine, campaign.id) == (
        {"vote": "VOTEZ", "nominate": "PROPOSE", "track": "STATUT", "help": "INFO"}, "36 015",
    )  # fmt: skip
    with db.session(engine) as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "campaign.sms")).all()
    assert event.details["changed"]["sms_number"] == ["", "36 015"]
    assert _post(client, {"from": "+22376123456", "text": "info", "id": "h1"}).text == (
        "Commandes : PROPOSE nom, poste, ville pour nominer ; VOTEZ numéro pour voter ; "
        "STATUT code pour suivre une nomination ; INFO pour cette liste."
    )
    assert _post(client, {"from": "+22376123456", "text": "STATUT", "id": "t1"}).text == (
        "Envoyez STATUT suivi du code de votre nomination, par exemple STATUT AB12-CD34."
    )
    make_round(engine, campaign)
    how = _post(client, {"from": "+22376123456", "text": "VOTEZ trois", "id": "v0"})
    assert how.text == "Envoyez VOTEZ suivi du numéro du candidat, par exemple VOTEZ 1."
    vote = _post(client, {"from": "+22376123456", "text": "Votez ٢", "id": "v1"})
    assert vote.text.startswith("Merci ! Votre vote pour le numéro 2, ")
    [ballot] = ballots(engine)
    assert ballot.candidate_id == 2
    # The usual word still works (a poster printed last year), and still counts once.
    again = _post(client, {"from": "+22376123456", "text": "ICON 3", "id": "v2"})
    assert again.text == "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
    assert len(ballots(engine)) == 1


def test_the_public_pages_show_the_editions_word_and_number(client, engine, campaign):
    _as_manager(client, engine)
    post(client, "/manage/sms/keywords", WORDS)
    nominate = text_of(client.get("/nominate").text)
    assert ("Vous pouvez aussi nominer par SMS : envoyez PROPOSE suivi du nom, du poste et de la "
            "ville de la personne au 36 015.") in nominate  # fmt: skip
    make_round(engine, campaign)
    vote = text_of(client.get("/vote").text)
    assert "Envoyez VOTEZ suivi du numéro du candidat, par exemple VOTEZ 1." in vote
    assert "Numéro auquel envoyer le SMS : 36 015" in vote


def test_bad_words_are_refused_and_change_nothing(client, engine, campaign):
    _as_manager(client, engine)
    bad = WORDS | {"kw_vote": "vote ici", "kw_track": "AIDE", "sms_number": "12"}
    response = post(client, "/manage/sms/keywords", bad)
    page = text_of(response.text)
    assert response.status_code == 422
    assert "Un mot de 2 à 12 lettres ou chiffres, sans espace ni accent." in page
    assert "Chaque commande a besoin de son propre mot : celui-ci est déjà utilisé." in page
    assert "Un numéro court (3 à 8 chiffres) ou un numéro de téléphone" in page
    assert _stored(engine, campaign.id) == ({}, "")


def test_a_clerk_cannot_set_the_words(client, engine, campaign):
    make_user(engine, "volunteer", "vol@example.org")
    login(client, "vol@example.org", PASSWORD)
    response = post(client, "/manage/sms/keywords", WORDS)
    assert response.status_code == 403
    assert _stored(engine, campaign.id) == ({}, "")


def test_the_next_edition_keeps_the_words_and_number(client, engine, campaign):
    manager = _as_manager(client, engine)
    post(client, "/manage/sms/keywords", WORDS)
    new = editions.start_next(engine, manager.id, campaign.id)
    assert _stored(engine, new.id) == _stored(engine, campaign.id)
    assert _stored(engine, new.id)[0]["vote"] == "VOTEZ"
