"""Faults a real campaign meets, against real ``icon serve`` processes: SIGKILL during a burst of
web and SMS votes, one phone voting 100 times at once in several spellings, gateway retries.
Each test prints its figures (sent, acknowledged, counted)."""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.reliability import burst as votes
from tests.reliability.burst import Burst, count
from tests.voting.test_ballot_box import add_code, make_round
from tests.voting.test_durability import RECEIPT, _start_server


def test_sigkill_during_a_web_and_sms_burst_loses_no_acknowledged_vote(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    process, base = _start_server(database_url, tmp_path, "first")
    burst = Burst(engine, r.id, [base], web_votes=300, sms_votes=300, prefix="k")
    try:
        burst.start()
        started = time.monotonic()
        while burst.acknowledged() < 100 and time.monotonic() - started < 3:
            time.sleep(0.01)
        process.kill()  # SIGKILL mid-burst
        process.wait(timeout=10)
    finally:
        burst.stop.set()
        burst.join()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    restarted, base = _start_server(database_url, tmp_path, "second")
    restarted.terminate()
    restarted.wait(timeout=10)
    counted, lost = count(engine, "SELECT count(*) FROM ballot"), burst.lost(engine)
    print(f"\nSIGKILL: {burst.figures()}, counted {counted}, lost {lost}")
    assert burst.acked_sms and burst.acked_web
    assert lost == 0


def test_one_phone_100_times_at_once_in_several_spellings_counts_once(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    add_code(engine, r.id, "424242", e164="+22376123456")
    web = ["76 12 34 56", "+223 76 12 34 56", "0022376123456", "76123456"]
    sms = ["+22376123456", "0022376123456", "22376123456"]
    process, base = _start_server(database_url, tmp_path, "dups")

    def one(i: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as http:
            if i % 2:
                return votes.web(http, r.id, web[i % 4], "424242", i % 3 + 1).status_code
            return votes.sms(http, sms[i % 3], f"ICON {i % 3 + 1}", f"dup-{i}").status_code

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(one, range(100)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    counted = count(engine, "SELECT count(*) FROM ballot")
    print(f"\nduplicates: sent 100 (50 web, 50 SMS), answers {sorted(set(answers))}, "
          f"counted {counted}")  # fmt: skip
    assert 500 not in answers
    assert counted == 1


def test_gateway_retries_get_the_stored_reply_and_count_once(
    database_url, engine, campaign, tmp_path
):
    make_round(engine, campaign)
    process, base = _start_server(database_url, tmp_path, "retries")
    first: dict[int, str] = {}

    def one(k: int) -> tuple[int, str]:
        n = k % 60  # 60 messages, each sent three times (the second and third as retries)
        with httpx.Client(base_url=base, timeout=60) as http:
            if k >= 120:  # the reply was lost: the gateway times out and sends again
                hasty_client = httpx.Client(base_url=base, timeout=0.001)
                with hasty_client as hasty, contextlib.suppress(httpx.HTTPError):
                    votes.sms(hasty, f"+2238{n:07d}", f"ICON {n % 3 + 1}", f"r-{n}")
            return n, votes.sms(http, f"+2238{n:07d}", f"ICON {n % 3 + 1}", f"r-{n}").text

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            replies = list(pool.map(one, range(60))) + list(pool.map(one, range(60, 180)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    for n, reply in replies:
        first.setdefault(n, reply)
        assert reply == first[n]  # every retry gets the stored reply, word for word
    counted = count(engine, "SELECT count(*) FROM ballot")
    stored = count(engine, "SELECT count(*) FROM inboundsms")
    print(f"\nretries: sent {len(replies)} (+60 with the reply lost), counted {counted}, "
          f"stored replies {stored}")  # fmt: skip
    assert all(RECEIPT.search(reply) for reply in first.values())
    assert (counted, stored) == (60, 60)
