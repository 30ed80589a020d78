"""SUIVI/TRACK, AIDE/HELP, an operator's redelivery, and digits of other scripts, by SMS."""

from __future__ import annotations

import pytest
from sqlmodel import select

from campaign import db, phones, ratelimit
from campaign.models import RateEvent
from nominations import intake
from nominations.models import Nomination
from tests.conftest import SECRET
from tests.factories import make_nomination
from tests.voting.test_ballot_box import ballots, make_round
from tests.web.test_sms_inbound import _post

HELP = (
    "Commandes : NOM nom, poste, ville pour nominer ; ICON numéro pour voter ; "
    "SUIVI code pour suivre une nomination ; AIDE pour cette liste."
)


def nominations(engine) -> list[Nomination]:
    with db.session(engine) as s:
        return list(s.exec(select(Nomination)))


@pytest.mark.parametrize("keyword", ["SUIVI", "suivi", "TRACK", "Track:"])
def test_track_by_sms_answers_the_status(client, engine, campaign, keyword):
    nomination = make_nomination(engine)
    code = intake.format_code(nomination.tracking_code)
    response = _post(client, {"from": "+22376123456", "text": f"{keyword} {code.lower()}"})
    assert response.text == f"Nomination {code} : enregistrée, en attente d'examen."


def test_track_unknown_or_malformed_code(client, engine, campaign):
    unknown = _post(client, {"from": "+22376123456", "text": "SUIVI ACDE-3479", "id": "t1"})
    malformed = _post(client, {"from": "+22376123456", "text": "SUIVI", "id": "t2"})
    assert (unknown.text, malformed.text) == (
        "Aucune nomination n'a le code ACDE-3479. Vérifiez-le et renvoyez-le.",
        "Envoyez SUIVI suivi du code de votre nomination, par exemple SUIVI AB12-CD34.",
    )


def test_track_guesses_from_one_phone_are_limited(client, engine, campaign):
    nomination = make_nomination(engine)
    for i in range(5):
        _post(client, {"from": "+22376123456", "text": "SUIVI ACDE-3479", "id": f"g{i}"})
    key = f"track-guess:sms:{phones.keyed_hash(SECRET, '+22376123456')}"
    with db.session(engine) as s, s.begin():
        assert len(s.exec(select(RateEvent).where(RateEvent.key == key)).all()) == 5
        for _ in range(ratelimit.GUESS_LIMIT - 5):  # the rest of the hour's wrong guesses
            ratelimit.record(s, key, db.utcnow())
    right = intake.format_code(nomination.tracking_code)
    blocked = _post(client, {"from": "+22376123456", "text": f"SUIVI {right}", "id": "g20"})
    other_phone = _post(client, {"from": "+22376123457", "text": f"SUIVI {right}", "id": "g21"})
    assert blocked.text == "Trop de codes erronés. Réessayez dans 15 minutes."
    assert other_phone.text == f"Nomination {right} : enregistrée, en attente d'examen."


@pytest.mark.parametrize("text", ["AIDE", "aide", "HELP", "help!", "?"])
def test_help_lists_the_commands(client, engine, campaign, text):
    assert _post(client, {"from": "+22376123456", "text": text}).text == HELP


def test_redelivery_with_a_new_id_is_one_nomination(client, engine, campaign):
    text = "NOM Aminata Goita, sage-femme, CSCOM Kalaban Coro"
    replies = [
        _post(client, {"from": "+22376123456", "text": text, "id": f"op-{i}"}).text
        for i in range(4)
    ]
    [n] = nominations(engine)
    code = intake.format_code(n.tracking_code)
    assert (
        replies
        == [
            f"Merci ! Nomination enregistrée, code {code}. Un bénévole vous rappellera. "
            "Suivez-la sur http://127.0.0.1:8000/track"
        ]
        * 4
    )


def test_same_text_from_another_phone_is_another_nomination(client, engine, campaign):
    text = "NOM Aminata Goita, sage-femme, CSCOM Kalaban Coro"
    _post(client, {"from": "+22376123456", "text": text, "id": "a"})
    _post(client, {"from": "+22376123457", "text": text, "id": "b"})
    _post(client, {"from": "+22376123456", "text": text + " Kati", "id": "c"})
    assert len(nominations(engine)) == 3


@pytest.mark.parametrize("text", ["ICON ٣", "ICON ३", "ICON ３", "۳", "vote ３"])
def test_digits_of_other_scripts_vote(client, engine, campaign, text):
    make_round(engine, campaign)
    response = _post(client, {"from": "+22376123456", "text": text, "id": "d1"})
    [ballot] = ballots(engine)
    assert response.text.startswith("Merci ! Votre vote pour le numéro 3, ")
    assert ballot.candidate_id == 3
