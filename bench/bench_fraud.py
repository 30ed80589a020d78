"""Time ``signals`` on 100,000 synthetic attempts of one evening's round.

Run from the repository root: ``.venv/bin/python bench/bench_fraud.py``.
Three hours, 10 candidates, SMS and web votes with their code requests and a few failed codes,
a TV surge shared by every candidate, and some planted fraud (a bot pushing one candidate, a
cybercafe, a block of consecutive SIM cards), so every rule has work to do. The baseline is
sorting the attempts by time once, measured in the same run, so the ratio reads "signals cost N
sorts" and stays comparable across machines. The target is a median well under a second.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voting.fraud import Attempt, signals  # noqa: E402

ATTEMPTS, CANDIDATES, HOURS = 100_000, 10, 3
RUNS = 5
SEED = 2020
OPENING = datetime(2024, 5, 1, 19, 0, tzinfo=UTC)


def evening(seed: int) -> list[Attempt]:
    draw = random.Random(seed)
    popularity = [draw.uniform(1, 10) for _ in range(CANDIDATES)]
    surge = (3600.0, 4200.0)  # the episode airs at 20:00; ten busy minutes follow
    attempts: list[Attempt] = []
    vote_id = 0

    def when() -> datetime:
        if draw.random() < 0.4:
            return OPENING + timedelta(seconds=draw.uniform(*surge))
        return OPENING + timedelta(seconds=draw.uniform(0, HOURS * 3600))

    planted = fraud()
    while len(attempts) < ATTEMPTS - len(planted):
        at = when()
        number = draw.randrange(10**6)
        phone = f"h{number:06d}"
        candidate = draw.choices(range(1, CANDIDATES + 1), popularity)[0]
        vote_id += 1
        if draw.random() < 0.7:
            attempts.append(Attempt(at, "sms", candidate, phone, number, "", "", "vote", vote_id))
            continue
        address = f"10.{draw.randrange(256)}.{draw.randrange(256)}.{draw.randrange(256)}"
        web = (phone, number, address, f"b{draw.randrange(10**9)}")
        attempts.append(Attempt(at, "web", None, *web, "code_sent", None))
        if draw.random() < 0.05:
            attempts.append(Attempt(at, "web", None, *web, "code_failed", None))
        attempts.append(
            Attempt(at + timedelta(seconds=40), "web", candidate, *web, "vote", vote_id)
        )
    attempts += planted
    del attempts[ATTEMPTS:]
    draw.shuffle(attempts)
    return attempts


def fraud() -> list[Attempt]:
    """A SIM block pushing candidate 7 (burst, consecutive numbers), a cybercafe, a shared
    browser and a code-guessing address."""
    bot = OPENING + timedelta(hours=2)
    planted = []
    for k in range(1500):
        at, seq, vote_id = bot + timedelta(seconds=k / 5), 700_000 + k, 10**7 + k
        planted.append(Attempt(at, "sms", 7, f"sim{k}", seq, "", "", "vote", vote_id))
    for k in range(300):
        cafe = ("41.73.0.9", f"cafe{k}", "vote", 2 * 10**7 + k)
        planted.append(Attempt(bot + timedelta(seconds=10 * k), "web", 3, f"c{k}", None, *cafe))
    for k in range(6):
        shared = ("41.73.1.1", "family", "vote", 3 * 10**7 + k)
        planted.append(Attempt(bot + timedelta(minutes=k), "web", 2, f"f{k}", None, *shared))
    for k in range(20):
        guess = ("41.73.2.2", "", "code_failed", None)
        planted.append(Attempt(bot + timedelta(seconds=k), "web", None, f"g{k}", None, *guess))
    return planted


def medians_s(funcs: list[Callable[[], object]], runs: int) -> list[float]:
    """Median time of each function; runs are interleaved so that both see the same load."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for func, mine in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            mine.append(time.perf_counter() - start)
    return [statistics.median(mine) for mine in times]


def main() -> None:
    attempts = evening(SEED)
    found = signals(attempts)
    base, took = medians_s(
        [lambda: sorted(attempts, key=attrgetter("at")), lambda: signals(attempts)], RUNS
    )
    print(
        f"fraud signals {len(attempts)} attempts: median {took:.2f} s "
        f"(baseline {base:.3f} s, ratio {took / base:.1f}x); "
        f"{len(found)} clusters: " + ", ".join(sorted({c.kind for c in found}))
    )


if __name__ == "__main__":
    main()
