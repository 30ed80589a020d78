"""Faults a real campaign meets, against real ``icon serve`` processes: SIGKILL during a burst of
web and SMS votes, one phone voting 100 times at once in several spellings, gateway retries.
Each test prints its figures (sent, acknowledged, counted)."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import text

from campaign import phones
from tests.conftest import SECRET
from tests.voting.test_ballot_box import add_code, make_round
from tests.voting.test_durability import RECEIPT, _signed, _start_server

TOKEN = "t" * 43  # a CSRF cookie of the expected length


def _sms(http: httpx.Client, sender: str, body: str, gateway_id: str) -> httpx.Response:
    content, headers = _signed({"from": sender, "text": body, "id": gateway_id})
    return http.post("/sms/inbound", content=content, headers=headers)


def _web(http: httpx.Client, round_id: int, phone: str, code: str, number: int) -> httpx.Response:
    form = {"csrf_token": TOKEN, "round_id": round_id, "phone": phone, "code": code,
            "candidate": str(number)}  # fmt: skip
    http.cookies.set("icon_csrf", TOKEN)
    return http.post("/vote", data=form)


def _voters(engine, hashes: set[str]) -> int:
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT voter_hash FROM ballot")).scalars())
    return len(hashes & stored)


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_sigkill_during_a_web_and_sms_burst_loses_no_acknowledged_vote(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    web_phones = [f"+2236{n:07d}" for n in range(300)]
    for n, e164 in enumerate(web_phones):
        add_code(engine, r.id, f"{n:06d}", e164=e164)
    process, base = _start_server(database_url, tmp_path, "first")
    acked_sms, acked_web, sent = [], [], [0]
    lock, stop = threading.Lock(), threading.Event()

    def sms_client(c: int):
        with httpx.Client(base_url=base, timeout=5) as http:
            for i in range(100):
                n = c * 100 + i
                if stop.is_set():
                    return
                with lock:
                    sent[0] += 1
                try:
                    reply = _sms(http, f"+2237{n:07d}", f"ICON {n % 3 + 1}", f"k-{n}")
                except httpx.HTTPError:
                    return
                found = RECEIPT.search(reply.text) if reply.status_code == 200 else None
                if found:
                    with lock:
                        acked_sms.append(found.group(1).replace("-", ""))

    def web_client(c: int):
        with httpx.Client(base_url=base, timeout=5) as http:
            for i in range(100):
                n = c * 100 + i
                if stop.is_set():
                    return
                with lock:
                    sent[0] += 1
                try:
                    answer = _web(http, r.id, web_phones[n], f"{n:06d}", n % 3 + 1)
                except httpx.HTTPError:
                    return
                if answer.status_code == 303 and answer.headers["location"] == "/vote/counted":
                    with lock:
                        acked_web.append(web_phones[n])

    threads = [threading.Thread(target=sms_client, args=(c,)) for c in range(3)]
    threads += [threading.Thread(target=web_client, args=(c,)) for c in range(3)]
    try:
        for t in threads:
            t.start()
        started = time.monotonic()
        while len(acked_sms) + len(acked_web) < 100 and time.monotonic() - started < 3:
            time.sleep(0.01)
        process.kill()  # SIGKILL mid-burst
        process.wait(timeout=10)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    restarted, base = _start_server(database_url, tmp_path, "second")
    restarted.terminate()
    restarted.wait(timeout=10)
    with engine.connect() as conn:
        receipts = set(conn.execute(text("SELECT receipt FROM ballot")).scalars())
    web_hashes = {phones.keyed_hash(SECRET, e, "voter") for e in acked_web}
    lost = (
        len([x for x in acked_sms if x not in receipts])
        + len(web_hashes)
        - _voters(engine, web_hashes)
    )
    print(f"\nSIGKILL: sent {sent[0]}, acknowledged {len(acked_sms)} SMS + {len(acked_web)} web, "
          f"counted {len(receipts)}, lost {lost}")  # fmt: skip
    assert acked_sms and acked_web
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
                return _web(http, r.id, web[i % 4], "424242", i % 3 + 1).status_code
            return _sms(http, sms[i % 3], f"ICON {i % 3 + 1}", f"dup-{i}").status_code

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(one, range(100)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    counted = _count(engine, "SELECT count(*) FROM ballot")
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
                    _sms(hasty, f"+2238{n:07d}", f"ICON {n % 3 + 1}", f"r-{n}")
            return n, _sms(http, f"+2238{n:07d}", f"ICON {n % 3 + 1}", f"r-{n}").text

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            replies = list(pool.map(one, range(60))) + list(pool.map(one, range(60, 180)))
    finally:
        process.terminate()
        process.wait(timeout=10)
    for n, reply in replies:
        first.setdefault(n, reply)
        assert reply == first[n]  # every retry gets the stored reply, word for word
    counted = _count(engine, "SELECT count(*) FROM ballot")
    stored = _count(engine, "SELECT count(*) FROM inboundsms")
    print(f"\nretries: sent {len(replies)} (+60 with the reply lost), counted {counted}, "
          f"stored replies {stored}")  # fmt: skip
    assert all(RECEIPT.search(reply) for reply in first.values())
    assert (counted, stored) == (60, 60)
