"""The server's own housekeeping (web/housekeeping.py): old rate-limit events, inbound SMS replies
and verification records go on schedule, what a current window, a gateway's retry or a round
needs stays, one pass at a time."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from starlette.testclient import TestClient

from campaign import db, people, ratelimit, sms_inbound
from campaign.models import InboundSms, RateEvent
from campaign.settings import SettingsError, load_settings
from nominations import intake
from tests.voting.test_ballot_box import add_code, count, make_round
from voting import vote_codes
from voting.models import VoteCode
from web.app import create_app
from web.housekeeping import Housekeeping

THIRTY_DAYS = timedelta(days=30)
SECRET = "s" * 40


def _events(engine, key: str, *ages: timedelta) -> None:
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        for age in ages:
            ratelimit.record(s, key, now - age)


def _blocked(engine, key: str, limit: int, window: timedelta) -> bool:
    with db.session(engine) as s, s.begin():
        return ratelimit.blocked_until(s, key, limit, window, db.utcnow()) is not None


def test_every_limit_window_fits_in_what_the_purge_keeps():
    windows = [
        people.LOCK_WINDOW,
        sms_inbound.SENDER_WINDOW,
        vote_codes.CODE_WINDOW,
        vote_codes.BUDGET_WINDOW,
        intake.ADDRESS_WINDOW,
        intake.PHONE_WINDOW,
        ratelimit.GUESS_WINDOW,
    ]
    assert max(windows) == timedelta(days=1)
    assert max(windows) < ratelimit.KEPT


def test_tick_purges_events_older_than_kept_and_keeps_a_current_window(engine):
    old = ratelimit.KEPT + timedelta(minutes=1)
    _events(engine, "account:ana@example.org", old, old, old)
    # A phone's five nominations of the last day: its limit still holds after the pass.
    day = [timedelta(hours=h) for h in (23, 12, 6, 1, 0)]
    _events(engine, "nominate-phone:abc", *day)
    phone_limit = ("nominate-phone:abc", intake.PHONE_LIMIT, intake.PHONE_WINDOW)
    assert _blocked(engine, *phone_limit) is True

    gone = Housekeeping(engine, THIRTY_DAYS, 600).tick()

    assert gone == {"rateevent": 3, "inboundsms": 0}
    assert count(engine, RateEvent) == 5
    assert count(engine, RateEvent, RateEvent.key == "account:ana@example.org") == 0
    assert _blocked(engine, *phone_limit) is True


def test_tick_purges_in_batches_until_none_is_left(engine, monkeypatch):
    monkeypatch.setattr(ratelimit, "PURGE_BATCH", 2)
    _events(engine, "nominate-address:1.2.3.4", *[ratelimit.KEPT + timedelta(hours=1)] * 5)
    _events(engine, "nominate-address:1.2.3.4", timedelta(minutes=5))

    gone = Housekeeping(engine, THIRTY_DAYS, 600).tick()

    assert gone == {"rateevent": 5, "inboundsms": 0}
    assert count(engine, RateEvent) == 1


def test_tick_purges_the_codes_of_a_round_past_its_retention_and_keeps_an_open_rounds(
    engine, campaign
):
    ended = make_round(engine, campaign, opens=-32 * 24, closes=-31 * 24, title="Premier tour")
    running = make_round(engine, campaign, title="Second tour")
    add_code(engine, ended.id, "111111", minutes=-31 * 24 * 60)
    add_code(engine, running.id, "222222")
    add_code(engine, running.id, "333333", minutes=-5)  # expired, but its round is open

    gone = Housekeeping(engine, THIRTY_DAYS, 600).tick()

    assert gone == {
        "rateevent": 0,
        "inboundsms": 0,
        "votecode": 1,
        "voteattempt": 0,
        "smsmessage": 0,
    }
    assert count(engine, VoteCode, VoteCode.round_id == running.id) == 2
    assert count(engine, VoteCode) == 2


def test_the_running_app_schedules_the_pass(settings, engine):
    old = ratelimit.KEPT + timedelta(minutes=1)
    _events(engine, "account:ana@example.org", old, old)
    _events(engine, "account:ana@example.org", timedelta(minutes=1))
    app = create_app(replace(settings, housekeeping_minutes=0.002), engine)  # every 0.12 s

    with TestClient(app):
        deadline = time.monotonic() + 10
        while count(engine, RateEvent) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        left = count(engine, RateEvent)

    assert left == 1
    assert app.state.housekeeping.every == pytest.approx(0.12)


def test_a_pass_is_skipped_while_another_process_holds_the_lock(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("one process serves SQLite: no lock to take")
    _events(engine, "account:ana@example.org", ratelimit.KEPT + timedelta(minutes=1))
    keeper = Housekeeping(engine, THIRTY_DAYS, 600)
    with engine.connect() as other:  # another app process's connection, mid-pass
        other.execute(text("SELECT pg_advisory_lock(hashtextextended('icon:housekeeping', 0))"))
        skipped = keeper.tick()
        left = count(engine, RateEvent)
        other.execute(text("SELECT pg_advisory_unlock(hashtextextended('icon:housekeeping', 0))"))
        other.commit()

    assert (skipped, left) == (None, 1)
    assert keeper.tick() == {"rateevent": 1, "inboundsms": 0}


def test_housekeeping_minutes_come_from_their_setting_and_refuse_nonsense():
    env = {"ICON_ENV": "development", "ICON_SECRET_KEY": "k" * 40}
    assert load_settings(env).housekeeping_minutes == 10
    assert load_settings(env | {"ICON_HOUSEKEEPING_MINUTES": "3"}).housekeeping_minutes == 3
    for bad in ("0", "1441", "2.5", "²", "ten"):
        with pytest.raises(SettingsError, match="ICON_HOUSEKEEPING_MINUTES"):
            load_settings(env | {"ICON_HOUSEKEEPING_MINUTES": bad})


def _replies(engine, *ages: timedelta) -> None:
    """One stored reply per age, to the message "gw-<n>" of one sender."""
    now = db.utcnow()
    with db.session(engine) as s, s.begin():
        for n, age in enumerate(ages):
            key = sms_inbound.reply_key(SECRET, f"gw-{n}", "+22370000001")
            s.add(
                InboundSms(
                    gateway_id=f"gw-{n}", reply_key=key, reply="Merci", received_at=now - age
                )
            )


def _retry(engine, n: int) -> str:
    """What the gateway's retry of the message "gw-<n>" is answered (no campaign is running)."""
    return sms_inbound.handle(
        engine, SECRET, f"gw-{n}", "+22370000001", "VOTE 1", lambda _: None, lambda m, _: m
    )


def test_tick_purges_inbound_replies_past_their_retention_and_a_recent_retry_still_replays(
    engine,
):
    old = THIRTY_DAYS + timedelta(minutes=1)
    _replies(engine, old, old, old, timedelta(days=2), timedelta(minutes=5))
    before = count(engine, InboundSms)

    gone = Housekeeping(engine, THIRTY_DAYS, 600, replies_kept=THIRTY_DAYS).tick()

    assert (before, gone, count(engine, InboundSms)) == (5, {"rateevent": 0, "inboundsms": 3}, 2)
    assert (_retry(engine, 3), _retry(engine, 4)) == ("Merci", "Merci")
    assert _retry(engine, 0) == sms_inbound.NOT_STARTED  # purged: handled again, as new


def test_inbound_replies_are_purged_in_batches_until_none_is_left(engine, monkeypatch):
    monkeypatch.setattr(sms_inbound, "PURGE_BATCH", 2)
    _replies(engine, *[timedelta(days=3)] * 5, timedelta(hours=1))

    gone = Housekeeping(engine, THIRTY_DAYS, 600, replies_kept=timedelta(days=2)).tick()

    assert gone == {"rateevent": 0, "inboundsms": 5}
    assert count(engine, InboundSms) == 1


def test_the_purges_find_old_rows_by_an_index_on_their_time(engine):
    indexes = {
        table: {tuple(i["column_names"]) for i in inspect(engine).get_indexes(table)}
        for table in ("rateevent", "inboundsms")
    }
    assert ("at",) in indexes["rateevent"]
    assert ("received_at",) in indexes["inboundsms"]


def test_inbound_sms_retention_comes_from_its_setting_and_outlasts_gateway_retries(
    settings, engine
):
    env = {"ICON_ENV": "development", "ICON_SECRET_KEY": "k" * 40}
    assert load_settings(env).inbound_sms_retention_days == 30
    assert (
        load_settings(env | {"ICON_INBOUND_SMS_RETENTION_DAYS": "2"}).inbound_sms_retention_days
        == 2
    )
    for bad in ("0", "1", "3651", "2.5", "two"):
        with pytest.raises(SettingsError, match="ICON_INBOUND_SMS_RETENTION_DAYS"):
            load_settings(env | {"ICON_INBOUND_SMS_RETENTION_DAYS": bad})
    app = create_app(replace(settings, inbound_sms_retention_days=7), engine)
    assert app.state.housekeeping.replies_kept == timedelta(days=7)
