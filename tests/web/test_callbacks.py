"""The call-back queue for SMS nominations: one volunteer per call, completed with the form's
fields (the nominator then gets an SMS) or closed with a reason."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from campaign import db
from campaign.errors import DomainError
from campaign.models import SmsMessage
from nominations import callbacks, intake
from nominations.models import CallBack, Nomination
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_user
from tests.web.test_sms_inbound import _post

NOM = "NOM Awa Diallo, sage-femme, CSCOM de Sikasso"
COMPLETE = {
    "nominator_name": "Fatoumata Keita", "nominator_relation": "Patiente",
    "example": "Elle a refusé l'argent d'un patient pressé et l'a soigné à son tour.",
    "referee1_name": "Oumar Sanogo", "referee1_phone": "76 00 00 11",
    "referee2_name": "Mariam Coulibaly", "referee2_phone": "66 00 00 12",
}  # fmt: skip


@pytest.fixture
def sms_nomination(client, engine, campaign) -> Nomination:
    _post(client, {"from": "+22376123456", "text": NOM, "id": "n1"})
    with db.session(engine) as s:
        return s.exec(select(Nomination)).one()


def as_volunteer(client, engine, email: str):
    user = make_user(engine, "volunteer", email)
    login(client, email, PASSWORD)
    return user


def test_claimed_call_shows_the_number_to_its_volunteer_only(client, app, engine, sms_nomination):
    as_volunteer(client, engine, "a@example.org")
    before = text_of(client.get("/manage/callbacks").text)
    claimed = post(client, f"/manage/callbacks/{sms_nomination.id}/claim", follow_redirects=False)
    after = text_of(client.get("/manage/callbacks").text)
    with TestClient(app, base_url="http://testserver") as other:
        as_volunteer(other, engine, "b@example.org")
        others_view = text_of(other.get("/manage/callbacks").text)
        stolen = post(other, f"/manage/callbacks/{sms_nomination.id}/claim")
    assert "Awa Diallo" in before and "+22376123456" not in before
    assert claimed.status_code == 303
    assert "Appelez le +22376123456" in after
    assert "Aucune nomination n'attend d'appel." in others_view
    assert stolen.status_code == 409


def test_two_volunteers_claiming_at_once_get_one_winner(engine, sms_nomination):
    ids = [make_user(engine, "volunteer", f"v{i}@example.org").id for i in range(6)]
    outcomes: list = []
    barrier = threading.Barrier(len(ids))

    def try_claim(user_id: int) -> None:
        barrier.wait()
        try:
            callbacks.claim(engine, user_id, sms_nomination.id)
            outcomes.append("won")
        except DomainError:
            outcomes.append("lost")

    threads = [threading.Thread(target=try_claim, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost"] * 5 + ["won"]


def test_completed_call_makes_a_received_nomination_and_texts_the_nominator(
    client, engine, sms_nomination
):
    as_volunteer(client, engine, "a@example.org")
    post(client, f"/manage/callbacks/{sms_nomination.id}/claim")
    done = post(client, f"/manage/callbacks/{sms_nomination.id}/complete", COMPLETE,
                follow_redirects=False)  # fmt: skip
    with db.session(engine) as s:
        n = s.get(Nomination, sms_nomination.id)
        texts = [(m.to, m.body) for m in s.exec(select(SmsMessage).order_by(SmsMessage.id))]
    code = intake.format_code(n.tracking_code)
    assert done.headers["location"] == "/manage/callbacks?done=complete"
    assert (n.status, n.nominator_relation, n.nominator_name) == (
        "received", "Patiente", "Fatoumata Keita",
    )  # fmt: skip
    assert n.referees == [
        {"name": "Oumar Sanogo", "phone": "+22376000011", "email": ""},
        {"name": "Mariam Coulibaly", "phone": "+22366000012", "email": ""},
    ]
    assert n.story == f"{NOM[4:]}\n\n{COMPLETE['example']}"
    assert texts[-1] == (
        "+223 76 •• •• 56",
        f"Integrity Icon : votre nomination {code} est complète. Merci ! "
        f"Envoyez SUIVI {code} pour la suivre.",
    )


def test_incomplete_call_form_changes_nothing(client, engine, sms_nomination):
    as_volunteer(client, engine, "a@example.org")
    post(client, f"/manage/callbacks/{sms_nomination.id}/claim")
    response = post(client, f"/manage/callbacks/{sms_nomination.id}/complete",
                    {**COMPLETE, "referee2_name": "", "referee2_phone": ""})  # fmt: skip
    with db.session(engine) as s:
        n = s.get(Nomination, sms_nomination.id)
    assert response.status_code == 422
    assert '<p class="error" id="referee2_name-error">Indiquez au moins deux témoins.</p>' in (
        response.text
    )
    assert (n.status, n.referees) == ("to_complete", [])


def test_three_unanswered_calls_close_it_as_unreachable(client, engine, sms_nomination):
    as_volunteer(client, engine, "a@example.org")
    post(client, f"/manage/callbacks/{sms_nomination.id}/claim")
    for _ in range(3):
        post(client, f"/manage/callbacks/{sms_nomination.id}/no-answer")
    page = text_of(client.get("/manage/callbacks").text)
    with db.session(engine) as s:
        cb = s.get(CallBack, sms_nomination.id)
    assert (cb.tries, cb.outcome, cb.reason) == (3, "closed", "unreachable")
    assert "Aucune nomination n'attend d'appel." in page


def test_closing_as_not_a_civil_servant_makes_it_ineligible(client, engine, sms_nomination):
    as_volunteer(client, engine, "a@example.org")
    post(client, f"/manage/callbacks/{sms_nomination.id}/claim")
    bad = post(client, f"/manage/callbacks/{sms_nomination.id}/close", {"reason": "whatever"})
    post(client, f"/manage/callbacks/{sms_nomination.id}/close", {"reason": "not_civil_servant"})
    with db.session(engine) as s:
        n, cb = s.get(Nomination, sms_nomination.id), s.get(CallBack, sms_nomination.id)
    assert bad.status_code == 422
    assert (n.status, cb.outcome, cb.reason) == ("ineligible", "closed", "not_civil_servant")


def test_a_volunteer_cannot_act_on_a_call_they_did_not_claim(client, engine, sms_nomination):
    as_volunteer(client, engine, "a@example.org")
    response = post(client, f"/manage/callbacks/{sms_nomination.id}/complete", COMPLETE)
    with db.session(engine) as s:
        assert s.get(Nomination, sms_nomination.id).status == "to_complete"
    assert response.status_code == 409
