"""SMS votes through ``POST /sms/inbound``: every reply in French, one vote per phone per round,
a gateway retry changes nothing and gets the same reply."""

from __future__ import annotations

import pytest

from campaign.models import InboundSms
from tests.voting.test_ballot_box import add_code, ballots, count, make_round, vote_web
from tests.web.test_sms_inbound import _post
from voting import receipts
from voting.models import Ballot, VoteAttempt

ALREADY = "Vous avez déjà voté pour ce tour. Votre premier vote est retenu."
HOW = "Envoyez ICON suivi du numéro du candidat, par exemple ICON 1."
CLOSED = "Aucun vote n'est ouvert en ce moment."


def _thanks(engine, number: int, name: str) -> str:
    receipt = receipts.format_receipt(ballots(engine)[-1].receipt)
    return f"Merci ! Votre vote pour le numéro {number}, {name}, est compté. Référence : {receipt}."


def test_sms_vote_counts_and_confirms_in_french(client, engine, campaign):
    make_round(engine, campaign)
    response = _post(client, {"from": "76 12 34 56", "text": "ICON 3", "id": "gw-1"})
    [ballot] = ballots(engine)
    assert (response.status_code, response.text) == (200, _thanks(engine, 3, "Fanta Coulibaly"))
    assert (ballot.channel, ballot.void) == ("sms", False)
    assert count(engine, VoteAttempt, VoteAttempt.kind == "vote") == 1


def test_sms_vote_retry_with_same_id_gets_same_reply_and_one_ballot(client, engine, campaign):
    make_round(engine, campaign)
    data = {"from": "+22376123456", "text": "vote 2", "id": "gw-9"}
    first, second = _post(client, data), _post(client, data)
    assert second.text == first.text == _thanks(engine, 2, "Moussa Traoré")
    assert (count(engine, Ballot), count(engine, InboundSms)) == (1, 1)


def test_sms_vote_second_vote_is_refused_and_the_first_stands(client, engine, campaign):
    make_round(engine, campaign)
    _post(client, {"from": "+22376123456", "text": "1", "id": "gw-1"})
    second = _post(client, {"from": "0022376123456", "text": "ICON 2", "id": "gw-2"})
    [ballot] = ballots(engine)
    assert second.text == ALREADY
    assert ballot.candidate_id == 1


def test_sms_vote_after_a_web_vote_is_refused(client, engine, campaign):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "123456")
    vote_web(engine, r.id, "123456", number=1)
    response = _post(client, {"from": "+22376123456", "text": "ICON 3", "id": "gw-3"})
    assert response.text == ALREADY
    assert [b.channel for b in ballots(engine)] == ["web"]


@pytest.mark.parametrize("text", ["ICON 99", "ICON 0", "4"])
def test_sms_vote_number_out_of_range_lists_the_valid_numbers(client, engine, campaign, text):
    make_round(engine, campaign)
    response = _post(client, {"from": "+22376123456", "text": text})
    number = int(text.split()[-1])
    assert response.text == (f"Il n'y a pas de candidat numéro {number}. Numéros valides : 1 à 3.")
    assert ballots(engine) == []


@pytest.mark.parametrize(
    "text",
    ["ICON", "vote 😀", "ICON 3 4", "ICON " + "x" * 2000, "ICON 1234567", "ICON " + "9" * 2000],
)
def test_sms_vote_without_a_usable_number_says_how_to_vote(client, engine, campaign, text):
    make_round(engine, campaign)
    response = _post(client, {"from": "+22376123456", "text": text})
    assert response.text == HOW
    assert ballots(engine) == []


@pytest.mark.parametrize(("opens", "closes"), [(24, 48), (-48, -24)])
def test_sms_vote_outside_the_round_is_refused(client, engine, campaign, opens, closes):
    make_round(engine, campaign, opens=opens, closes=closes)
    response = _post(client, {"from": "+22376123456", "text": "ICON 3"})
    assert response.text == CLOSED
    assert ballots(engine) == []


def test_sms_vote_from_another_country_is_refused(client, engine, campaign):
    make_round(engine, campaign)
    response = _post(client, {"from": "+33612345678", "text": "ICON 3"})
    assert response.text == "Seuls les numéros de téléphone du pays de la campagne peuvent voter."
    assert ballots(engine) == []


def test_sms_vote_in_a_web_only_round_is_refused(client, engine, campaign):
    make_round(engine, campaign, sms_enabled=False)
    response = _post(client, {"from": "+22376123456", "text": "ICON 3"})
    assert response.text == "Le vote par SMS n'est pas ouvert pour ce tour."
    assert ballots(engine) == []


def test_sms_nom_still_goes_to_nominations_during_a_vote(client, engine, campaign):
    make_round(engine, campaign)
    response = _post(client, {"from": "+22376123456", "text": "NOM Awa Diallo, infirmière"})
    assert response.text.startswith("Merci ! Nomination enregistrée, code ")
    assert ballots(engine) == []


def test_two_senders_with_the_same_gateway_id_each_get_their_own_reply(client, engine, campaign):
    make_round(engine, campaign)
    long_id = "g" * 100
    first = _post(client, {"from": "+22376123456", "text": "ICON 1", "id": long_id + "a"})
    second = _post(client, {"from": "+22366123456", "text": "ICON 2", "id": long_id + "a"})
    other = _post(client, {"from": "+22376123456", "text": "ICON 3", "id": long_id + "b"})
    retried = _post(client, {"from": "+22366123456", "text": "ICON 2", "id": long_id + "a"})
    assert "numéro 1" in first.text and "numéro 2" in second.text
    assert other.text == ALREADY  # another id from the first sender: a new message, refused
    assert retried.text == second.text
    assert count(engine, Ballot) == 2 and count(engine, InboundSms) == 3
