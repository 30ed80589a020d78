"""Voter privacy: after a web vote and an SMS vote, no table holds a phone number, six digits of
it, or a code in clear, and only the ballot holds a choice beside anything derived from a phone.
Verification records go once their round has been closed for the retention."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

import campaign.tables  # noqa: F401 - every table in the metadata
from campaign import db, phones
from campaign.models import InboundSms, SmsMessage
from campaign.sms import HttpGateway
from tests.conftest import SECRET, post
from tests.voting.test_ballot_box import count, make_round
from tests.web.test_sms_inbound import _post
from voting import retention
from voting.models import Ballot, Candidate, Round, VoteAttempt, VoteCode

WEB, SMS = "+22376483921", "+22366201017"


def _every_row(engine) -> dict[str, list[dict]]:
    with engine.connect() as conn:
        return {
            t.name: [dict(row._mapping) for row in conn.execute(t.select())]
            for t in SQLModel.metadata.sorted_tables
        }


def _vote_by_web_and_by_sms(client, app, engine, r) -> str:
    sent = []

    def gateway(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"ok": True})

    client_ = httpx.Client(transport=httpx.MockTransport(gateway))
    app.state.sms = HttpGateway(engine, "https://gw.example/send", "k", client=client_,
                                secret_key=SECRET)  # fmt: skip
    post(client, "/vote/code", {"round_id": r.id, "phone": "76 48 39 21"})
    [message] = sent
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
    assert message["to"] == WEB  # the gateway gets what delivery needs
    voted = post(client, "/vote", {"round_id": r.id, "phone": WEB, "code": code, "candidate": "2"})
    assert "Moussa Traoré" in voted.text
    reply = _post(client, {"from": "66 20 10 17", "text": "ICON 3", "id": "gw-1"})
    assert reply.text.startswith("Merci ! Votre vote pour le numéro 3, Fanta Coulibaly")
    return code


def test_no_table_holds_a_number_a_tail_or_a_code_after_web_and_sms_votes(
    client, app, engine, campaign
):
    r = make_round(engine, campaign)
    code = _vote_by_web_and_by_sms(client, app, engine, r)

    tables = _every_row(engine)
    dump = json.dumps(tables, default=str, ensure_ascii=False)
    assert count(engine, Ballot) == 2
    for number in (WEB, SMS):
        for secret in (number, number[1:], number[4:], number[-6:]):
            # Standing alone: six digits may also be a timestamp's microseconds or part of a hash.
            alone = rf"(?<![0-9a-f.]){re.escape(secret)}(?![0-9a-f])"
            assert re.search(alone, dump) is None, (secret, number)
    assert re.search(rf"(?<!\d){code}(?!\d)", dump) is None
    [sms_row] = tables["smsmessage"]
    assert (sms_row["to"], sms_row["body"], sms_row["status"]) == ("+223 76 •• •• 21", "", "sent")


def test_only_the_ballot_holds_a_choice_beside_what_is_derived_from_a_phone(
    client, app, engine, campaign
):
    r = make_round(engine, campaign)
    _vote_by_web_and_by_sms(client, app, engine, r)

    derived = set()
    for number in (WEB, SMS):
        derived |= {phones.keyed_hash(SECRET, number, p) for p in ("phone", "voter", "sms-to")}
        derived.add(str(phones.run_token(SECRET, number)))
    with db.session(engine) as s:
        names = set(s.exec(select(Candidate.name)).all())
    beside = set()
    for table, rows in _every_row(engine).items():
        for row in rows:
            values = {str(v) for v in row.values()}
            has_choice = any(name in value for name in names for value in values)
            has_choice = has_choice or row.get("candidate", row.get("candidate_id")) is not None
            if values & derived and has_choice:
                beside.add(table)
    assert beside == {"ballot"}
    with db.session(engine) as s:
        attempts = s.exec(select(VoteAttempt.candidate, VoteAttempt.kind)).all()
        [inbound] = s.exec(select(InboundSms)).all()
    assert sorted(attempts, key=str) == [(None, "code_sent"), (None, "vote"), (None, "vote")]
    assert inbound.reply_key not in derived and inbound.gateway_id == "gw-1"


def test_verification_records_go_once_the_round_closed_for_the_retention(
    client, app, engine, campaign
):
    r = make_round(engine, campaign)
    _vote_by_web_and_by_sms(client, app, engine, r)
    with db.session(engine) as s, s.begin():
        row = s.get(Round, r.id)
        row.closed_at = db.utcnow()
    kept = retention.purge(engine, timedelta(days=30))
    assert kept == {}
    assert (count(engine, VoteCode), count(engine, SmsMessage)) == (1, 1)

    gone = retention.purge(engine, timedelta(days=30), now=db.utcnow() + timedelta(days=31))

    assert gone == {"votecode": 1, "voteattempt": 1, "smsmessage": 1}
    assert (count(engine, VoteCode), count(engine, SmsMessage), count(engine, Ballot)) == (0, 0, 2)
    assert count(engine, VoteAttempt) == 2  # the votes' attempts: the fraud evidence stays


def test_retention_comes_from_its_setting_and_refuses_nonsense():
    from campaign.settings import SettingsError, load_settings

    env = {"ICON_ENV": "development", "ICON_SECRET_KEY": "x" * 40}
    assert load_settings(env).verification_retention_days == 30
    assert load_settings({**env, "ICON_VERIFICATION_RETENTION_DAYS": "0"}) \
        .verification_retention_days == 0  # fmt: skip
    for bad in ("-1", "²", "30.5", "99999"):
        try:
            load_settings({**env, "ICON_VERIFICATION_RETENTION_DAYS": bad})
        except SettingsError as exc:
            assert "ICON_VERIFICATION_RETENTION_DAYS" in str(exc)
        else:
            raise AssertionError(bad)


def test_migration_masks_stored_numbers_and_drops_tails(engine):
    # The upgrade's own statements, as they ran on rows stored before it.
    assert phones.masked_groups("+22376000001") == "+223 76 •• •• 01"
    with engine.connect() as conn:
        columns = {c["name"] for c in conn.dialect.get_columns(conn, "inboundsms")}
        assert conn.execute(text("SELECT count(*) FROM inboundsms")).scalar() == 0
    assert "sender_hash" not in columns and "reply_key" in columns


@pytest.mark.parametrize(
    ("text", "e164", "expected"),
    [
        ("To +22376000001 refused", "+22376000001", "To +223 76 •• •• 01 refused"),
        ("to=%2B22376000001&text=x", "+22376000001", "to=%2B+223 76 •• •• 01&text=x"),
        ("(+223) 76-00-00-01.", "+22376000001", "(+223 76 •• •• 01."),
        ("0022376000001 or 76 00 00 01", "+22376000001", "+223 76 •• •• 01 or +223 76 •• •• 01"),
        ("9841234567 is off", "+9779841234567", "+977 984-•••••67 is off"),
        ("ids 76000002 and 12", "+22376000001", "ids 76000002 and 12"),  # another number stays
        # Digits after the number are not part of it: an error code, a date, a count.
        ("to +22376000001 - 21211", "+22376000001", "to +223 76 •• •• 01 - 21211"),
        ("sent +22376000001 2026-12-07", "+22376000001", "sent +223 76 •• •• 01 2026-12-07"),
        ("12 76000001 2 tries", "+22376000001", "12 +223 76 •• •• 01 2 tries"),
    ],
)
def test_a_number_quoted_in_any_spelling_is_masked(text, e164, expected):
    assert phones.without_number(text, e164) == expected
