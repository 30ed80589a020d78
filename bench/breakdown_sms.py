"""Where an SMS vote's batch spends its time: the batch function (``voting.intake.SmsVoteBatch``)
run in this process on a temporary SQLite database, each stage timed (wall and CPU per vote).

Run from the repository root: ``.venv/bin/python bench/breakdown_sms.py [--batch 32] [--batches
200] [--synchronous full]``. ``bench_votes.py`` says how fast votes go through the real server;
this says what one batch of them costs, stage by stage, so the next cut can be chosen from
figures. Wall beyond CPU is waiting: the disk (the commit's fsync) or, on a shared machine, the
other tenants. Stages nest (``run_token`` hashes too): the rows are not meant to add up. The
timers' own cost (a few clock reads per timed call, measured at start) is taken off each row
and off the whole batch: uncorrected, it was most of a microsecond-sized stage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_votes import SECRET  # noqa: E402

from campaign import db, migrations, phones, sms_inbound  # noqa: E402
from tests.factories import make_campaign  # noqa: E402
from tests.voting.test_ballot_box import make_round  # noqa: E402
from voting import batch_sql, intake  # noqa: E402

WALL: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)  # timed calls of the stage, and timed calls within it
TIMED = [0]  # timed calls so far


def _timed(owner, name: str, label: str) -> None:
    """Replaces ``owner.name`` by a wrapper adding its time to ``label``."""
    inner = getattr(owner, name)

    def timed(*args, **kwargs):
        within = TIMED[0]
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            WALL[label] += time.perf_counter() - wall
            CPU[label] += time.thread_time() - cpu
            CALLS[label] += 1 + TIMED[0] - within
            TIMED[0] += 1

    setattr(owner, name, timed)


def _timer_cost(calls: int = 20_000) -> tuple[float, float]:
    """(wall, CPU) seconds one timed call adds around what it times: a timed no-op, less the
    no-op alone, median of a few tries."""

    class Owner:
        @staticmethod
        def nothing() -> None:
            return None

    bare = Owner.nothing
    _timed(Owner, "nothing", "calibration")
    tries = []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.thread_time()
        for _ in range(calls):
            Owner.nothing()
        timed = time.perf_counter() - wall, time.thread_time() - cpu
        wall, cpu = time.perf_counter(), time.thread_time()
        for _ in range(calls):
            bare()
        tries.append(((timed[0] - (time.perf_counter() - wall)) / calls,
                      (timed[1] - (time.thread_time() - cpu)) / calls))  # fmt: skip
    tries.sort()
    return tries[len(tries) // 2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--synchronous", default="full", choices=db.SQLITE_SYNCHRONOUS)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="breakdown-sms-"))
    engine = db.make_engine(f"sqlite:///{tmp / 'votes.db'}", args.synchronous)
    migrations.upgrade(engine)
    make_round(engine, make_campaign(engine))

    for name in ("stored_replies", "sent_recently", "ballots_of_new_voters", "insert"):
        _timed(batch_sql.BatchSql, name, f"statement: {name}")
    _timed(batch_sql.BatchSql, "__init__", "statement: connection, bound now")
    _timed(intake, "open_ballot", "statement: open_ballot")
    _timed(engine.dialect, "do_commit", "commit")
    _timed(phones, "keyed_hash", "hash: keyed_hash (sender, voter, in run_token)")
    _timed(phones, "run_token", "hash: run_token")
    _timed(sms_inbound, "reply_key", "hash: reply_key")
    _timed(phones, "national", "phone: national (E.164)")
    # A name the batch calls (intake imports it): wrapping its home module would miss it.
    _timed(intake, "new_receipt", "receipt: new_receipt")

    def translate(msgid: str, params: dict) -> str:
        return msgid % params if params else msgid

    batch = intake.SmsVoteBatch(engine, SECRET, translate)
    numbers = iter(range(10**7))

    def votes() -> list[intake.SmsVote]:
        out = []
        for _ in range(args.batch):
            n = next(numbers)
            out.append(intake.SmsVote(f"gw-{n}", f"+2237{n:07d}", n % 3 + 1))
        return out

    for _ in range(args.warm_up):  # tables of a few thousand rows, as after the first minutes
        batch(votes())
    cost = _timer_cost()
    WALL.clear()
    CPU.clear()
    CALLS.clear()
    TIMED[0] = 0
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(args.batches):
        batch(votes())
    WALL["the whole batch"] = time.perf_counter() - wall
    CPU["the whole batch"] = time.thread_time() - cpu
    CALLS["the whole batch"] = TIMED[0]
    for label, calls in CALLS.items():
        WALL[label] -= calls * cost[0]
        CPU[label] -= calls * cost[1]
    count = args.batches * args.batch
    print(f"{args.batches} batches of {args.batch} votes, synchronous={args.synchronous}; "
          f"timers' cost taken off: {cost[0] * 1e6:.2f} us wall, {cost[1] * 1e6:.2f} us CPU a "
          "call")  # fmt: skip
    print("| stage | wall us/vote | CPU us/vote |\n|---|---|---|")
    for label in sorted(WALL, key=lambda k: -WALL[k]):
        print(f"| {label} | {WALL[label] / count * 1e6:.1f} | {CPU[label] / count * 1e6:.1f} |")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
