"""A database fault is never "you have already voted": only the (round, voter) constraint says
that. Any other error answers 5xx and stores nothing, so the gateway retries."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import func, select
from starlette.testclient import TestClient

from campaign import db
from campaign.demo import seed
from campaign.models import InboundSms
from campaign.phases import Phase
from tests.conftest import PG_URL, SECRET, post
from tests.voting.test_ballot_box import count
from tests.web.test_sms_inbound import _post
from voting.models import Ballot

on_postgres = pytest.mark.skipif(not PG_URL, reason="sequences are PostgreSQL's")


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    monkeypatch.setenv("ICON_ENV", "development")
    monkeypatch.setenv("ICON_SECRET_KEY", SECRET)
    monkeypatch.setenv("ICON_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.chdir(tmp_path)


def test_after_the_voting_demo_fresh_numbers_vote_by_sms_and_web_and_count(
    client, engine, demo_env
):
    seed(engine, Phase.voting)  # slow (a whole demo): one test checks both channels
    before = count(engine, Ballot)

    reply = _post(client, {"from": "+22376999001", "text": "ICON 2", "id": "fresh-1"})
    with db.session(engine) as s:
        round_id = s.exec(select(func.max(Ballot.round_id))).one()
    post(client, "/vote/code", {"round_id": round_id, "phone": "76 99 90 02"})
    with db.session(engine) as s:
        body = s.exec(text("SELECT body FROM smsmessage ORDER BY id DESC")).first()[0]
    code = body.split("code de vote est ")[-1][:6]
    voted = post(client, "/vote", {"round_id": round_id, "phone": "+22376999002",
                                   "code": code, "candidate": "1"})  # fmt: skip

    assert reply.text.startswith("Merci ! Votre vote pour le numéro 2,")
    assert "Merci\u202f! Votre vote est compté." in voted.text
    assert count(engine, Ballot) == before + 2


@on_postgres
def test_a_ballot_fault_answers_5xx_stores_nothing_and_the_retry_counts(app, engine, campaign):
    from tests.voting.test_ballot_box import make_round

    make_round(engine, campaign)
    _post_first = TestClient(app, raise_server_exceptions=False)
    with _post_first as client:
        for n in range(3):
            _post(client, {"from": f"+2237699900{n}", "text": "ICON 1", "id": f"a{n}"})
        with engine.begin() as conn:  # the sequence falls behind, as after a bulk load
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('ballot', 'id'), 1, false)")
        faulty = _post(client, {"from": "+22376999004", "text": "ICON 1", "id": "b"})
        assert (faulty.status_code, count(engine, Ballot)) == (500, 3)
        assert count(engine, InboundSms) == 3  # no stored "already voted" for the retry
        db.reset_sequences(engine, "ballot")
        retried = _post(client, {"from": "+22376999004", "text": "ICON 1", "id": "b"})
    assert retried.text.startswith("Merci ! Votre vote pour le numéro 1,")
    assert count(engine, Ballot) == 4
