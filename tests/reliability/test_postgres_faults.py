"""PostgreSQL faults during a burst of web and SMS votes: the test database's connections
terminated under the servers (``pg_terminate_backend``, as a failover or an operator would), with
one ``icon serve`` and with two sharing the database. Each prints sent, acknowledged, counted."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.reliability.burst import (
    Burst,
    count,
    counted_twice,
    pg_only,
    sms,
    sms_receipt,
    terminate_connections,
    voter_hash,
    web,
    web_counted,
)
from tests.voting.test_ballot_box import add_code, make_round
from tests.voting.test_durability import _start_server

TERMINATIONS, ACKS_BETWEEN = 4, 40


def _terminate_during(engine, burst: Burst) -> tuple[list[int], int]:
    """Terminates the connections TERMINATIONS times, each after ACKS_BETWEEN more
    acknowledgements (or half a second); returns how many each time ended and the
    acknowledgements counted when the last one did."""
    ended = []
    for i in range(TERMINATIONS):
        started = time.monotonic()
        while burst.acknowledged() < (i + 1) * ACKS_BETWEEN and time.monotonic() - started < 0.5:
            time.sleep(0.01)
        ended.append(terminate_connections(engine))
    return ended, burst.acknowledged()


def _stop(*processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=10)


@pg_only
def test_connections_terminated_during_a_burst_lose_no_acknowledged_vote(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    process, base = _start_server(database_url, tmp_path, "terminated")
    burst = Burst(engine, r.id, [base], prefix="t")
    try:
        burst.start()
        ended, acked_at_last = _terminate_during(engine, burst)
        burst.join()
    finally:
        burst.stop.set()
        _stop(process)
    counted, lost = count(engine, "SELECT count(*) FROM ballot"), burst.lost(engine)
    print(f"\nterminated connections {ended}: {burst.figures()}, counted {counted}, lost {lost}, "
          f"counted twice {counted_twice(engine)}")  # fmt: skip
    assert sum(ended) > 0  # the servers' connections were there to be ended
    assert (lost, counted_twice(engine)) == (0, 0)
    assert set(burst.answers) <= {200, 303}  # no 500, no hang: the next request gets a connection
    assert burst.acknowledged() > acked_at_last  # and votes are acknowledged after the last one


def _duplicate_phones(engine, round_id: int, phones: int) -> list[str]:
    """Phones (E.164) with a code each, made before the faults: the test's own writes are not
    what is under test."""
    numbers = [f"+22365{n:06d}" for n in range(phones)]
    for n, e164 in enumerate(numbers):
        add_code(engine, round_id, f"{n:06d}", e164=e164)
    return numbers


def _duplicates(round_id: int, bases: list[str], numbers: list[str]) -> tuple[dict, Counter]:
    """Each phone votes four times at once, in four spellings: on the web and by SMS, on each
    server. Returns the success replies per phone and the status codes."""
    acked, answers = Counter(), Counter()

    def one(k: int) -> None:
        n, way = divmod(k, 4)
        e164, local = numbers[n], numbers[n][4:]
        with httpx.Client(base_url=bases[way % 2], timeout=10) as http:
            if way < 2:
                spelling = (
                    e164 if way == 0 else f"{local[:2]} {local[2:4]} {local[4:6]} {local[6:]}"
                )
                answer = web(http, round_id, spelling, f"{n:06d}", way + 1)
                ok = web_counted(answer)
            else:
                spelling = "00" + e164[1:] if way == 2 else e164[1:]
                answer = sms(http, spelling, f"ICON {way}", f"d-{k}")
                ok = sms_receipt(answer) is not None
        answers[answer.status_code] += 1
        if ok:
            acked[e164] += 1

    with ThreadPoolExecutor(max_workers=8) as pool:  # the four of a phone go out together
        list(pool.map(one, range(4 * len(numbers))))
    return {e164: acked[e164] for e164 in numbers}, answers


@pg_only
def test_two_servers_on_one_database_with_terminated_connections_count_each_phone_once(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    first, base_a = _start_server(database_url, tmp_path, "a")
    second, base_b = _start_server(database_url, tmp_path, "b")
    burst = Burst(engine, r.id, [base_a, base_b], prefix="two")
    numbers = _duplicate_phones(engine, r.id, 25)
    try:
        burst.start()
        with ThreadPoolExecutor(max_workers=1) as pool:
            duplicates = pool.submit(_duplicates, r.id, [base_a, base_b], numbers)
            ended, _acked = _terminate_during(engine, burst)
            acked_dups, dup_answers = duplicates.result(timeout=60)
        burst.join()
    finally:
        burst.stop.set()
        _stop(first, second)
    counted, lost = count(engine, "SELECT count(*) FROM ballot"), burst.lost(engine)
    hashes = {voter_hash(e164): e164 for e164 in acked_dups}
    with engine.connect() as conn:
        per_phone = Counter(
            hashes[h] for h in conn.exec_driver_sql("SELECT voter_hash FROM ballot").scalars()
            if h in hashes
        )  # fmt: skip
    print(f"\ntwo servers, terminated connections {ended}: {burst.figures()}; duplicates: sent "
          f"{4 * len(acked_dups)} from {len(acked_dups)} phones, acknowledged "
          f"{sum(acked_dups.values())}, counted {sum(per_phone.values())}, answers "
          f"{dict(dup_answers)}; counted {counted}, "
          f"lost {lost}, counted twice {counted_twice(engine)}")  # fmt: skip
    assert sum(ended) > 0
    assert (lost, counted_twice(engine)) == (0, 0)
    assert set(burst.answers) <= {200, 303}
    assert set(dup_answers) <= {200, 303, 409}  # 409: the web's "this phone has voted"
    assert per_phone == dict.fromkeys(acked_dups, 1)  # exactly one counted per phone
    assert max(acked_dups.values()) == 1  # and at most one of its four told "counted"
