"""Vote ingestion throughput against a bare Starlette endpoint, real servers; writes
``bench/results.md``.

Run from the repository root: ``.venv/bin/python bench/bench_votes.py [--runs N]``.
Everything lives in a temporary directory (SQLite) or in the PostgreSQL database named by
``ICON_BENCH_DATABASE_URL`` (emptied and migrated: never point it at a database that matters).
The servers are uvicorn on 127.0.0.1, same flags (``icon serve`` for the site,
``bench/bare_app.py`` for the baseline). One load generator (asyncio, raw HTTP/1.1 keep-alive,
pre-built requests) drives them all:

(a) POST / on the bare app; (b) POST /sms/inbound, signed ``ICON n`` from distinct numbers;
(c) POST /vote (phone + valid code + candidate, CSRF cookie and field), codes inserted beforehand;
(d) GET /vote/counted, the confirmation page with the receipt, for one voter's session.

Acknowledged means what the voter is told: (b) a 200 whose reply holds a receipt, (c) a 303 to
``/vote/counted`` (post/redirect/get), (d) a 200 showing the receipt. Counted is the ballots of
that channel added to the database during the run; the two must be equal.

Configurations: SQLite at ICON_SQLITE_SYNCHRONOUS=full (the default: no acknowledged vote lost in
a power cut) and =normal, one worker; PostgreSQL with ``--workers 2`` (against a bare app with two
workers too) when ICON_BENCH_DATABASE_URL is set. Each load is run saturating (CONNECTIONS
connections, SECONDS) ``--runs`` times, the median taken, then paced at half that rate for p50
and p99. Targets: (b)/(a) at least 0.6, (c)/(a) at least 0.4. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from campaign import db, migrations, phones  # noqa: E402
from tests.factories import make_campaign  # noqa: E402
from tests.voting.test_ballot_box import make_round  # noqa: E402
from voting import vote_codes  # noqa: E402
from voting.models import Ballot, VoteCode  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (a throwaway bench key)
SMS_SECRET = "bench-sms-secret"  # noqa: S105
CONNECTIONS, SECONDS, MAX_REQUESTS = 32, 3.0, 30_000
WEB_CODES = 12_000  # per load; a run spends fewer
RECEIPT = re.compile(rb"[0-9A-Z]{5}-[0-9A-Z]{5}")
COUNTED = re.compile(rb"(?im)^location:\s*(?:https?://[^/\s]+)?/vote/counted\s*$")
RESULTS = ROOT / "bench" / "results.md"
CPU = "server CPU us/req"
WRITERS = {"sms": "sms-votes", "web": "web-votes"}
BATCH = "items/batch, ms/batch"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict, port: int, log: Path, probe: str) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.request(probe.split()[0], f"http://127.0.0.1:{port}{probe.split()[1]}", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(log.read_text())


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a server and its worker processes (Linux /proc): per request, a
    figure the other tenants of a shared machine disturb far less than req/s."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _batch_totals(port: int, writer: str) -> tuple[float, float, float]:
    """(batches, items, seconds) the site's ``writer`` wrote so far, read from /metrics (one
    worker's figures when there are several)."""
    found = dict.fromkeys(("icon_batch_items_count", "icon_batch_items_sum"), 0.0)
    found["icon_batch_seconds_sum"] = 0.0
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    for line in text.splitlines():
        name, _, rest = line.partition("{")
        if name in found and f'writer="{writer}"' in rest:
            found[name] = float(rest.rsplit(" ", 1)[1])
    return tuple(found.values())


def _request(port: int, method: str, path: str, body: bytes, headers: dict) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


async def _exchange(reader, writer, request: bytes) -> tuple[int, bytes, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if length is None:
        raise RuntimeError(f"no content-length: {head!r}")
    return status, head, await reader.readexactly(int(length.group(1)))


def acknowledged(kind: str, status: int, head: bytes, body: bytes) -> bool:
    """Whether the answer tells the client its request went through (see the module's doc)."""
    if kind == "bare":
        return status == 200 and body == b"ok"
    if kind == "web":
        return status == 303 and COUNTED.search(head) is not None
    return status == 200 and RECEIPT.search(body) is not None


@dataclass
class Load:
    done: int
    ok: int
    latencies: list[float]
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed

    def percentile(self, q: float) -> float:
        ms = sorted(x * 1000 for x in self.latencies)
        return ms[min(len(ms) - 1, int(len(ms) * q))] if ms else float("nan")


async def _load(port: int, kind: str, requests: list[bytes], rate: float | None, seconds: float):
    """Saturating (rate None) or paced open-loop."""
    queue = iter(enumerate(requests))
    latencies: list[float] = []
    done = ok = 0
    start = time.perf_counter()
    end = start + seconds

    async def worker():
        nonlocal done, ok
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i, request in queue:
                if rate is not None:
                    await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
                if time.perf_counter() >= end:
                    return
                sent = time.perf_counter()
                status, head, body = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - sent)
                done += 1
                ok += acknowledged(kind, status, head, body)
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONNECTIONS))), seconds + 30)
    return Load(done, ok, latencies, time.perf_counter() - start)


def _run(port, kind, requests, rate=None, seconds=SECONDS) -> Load:
    return asyncio.run(_load(port, kind, requests, rate, seconds))


def _sms_requests(port: int, first: int, count: int) -> list[bytes]:
    out = []
    for n in range(first, first + count):
        data = {"from": f"+2237{n:07d}", "text": f"ICON {n % 3 + 1}", "id": f"gw-{n}"}
        body = urlencode(data).encode()
        sig = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Icon-Signature": sig}
        out.append(_request(port, "POST", "/sms/inbound", body, headers))
    return out


def _web_requests(engine, port: int, round_id: int, csrf: str, first: int, count: int):
    """Codes stored as request_code stores them, and the vote form posts that spend them."""
    now, rows, out = db.utcnow(), [], []
    for n in range(first, first + count):
        e164, code = f"+2236{n:07d}", f"{n % 10**6:06d}"
        rows.append(
            dict(
                round_id=round_id,
                phone_hash=phones.keyed_hash(SECRET, e164, "voter"),
                code_hash=vote_codes.code_hash(SECRET, round_id, e164, code),
                created_at=now,
                expires_at=now + timedelta(minutes=10),
                tries=0,
                used=False,
            )
        )
        form = {"csrf_token": csrf, "round_id": round_id, "phone": e164, "code": code}
        body = urlencode({**form, "candidate": n % 3 + 1}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"icon_csrf={csrf}",
        }
        out.append(_request(port, "POST", "/vote", body, headers))
    with db.session(engine) as s, s.begin():
        s.execute(insert(VoteCode), rows)
    return out


def _receipt_requests(engine, port: int, round_id: int, csrf: str, n: int) -> list[bytes]:
    """One voter's session after voting, and its confirmation page asked again and again."""
    [vote] = _web_requests(engine, port, round_id, csrf, n, 1)
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(vote)
        head = conn.recv(65536)
    cookies = "; ".join(
        m.group(1).decode() for m in re.finditer(rb"(?im)^set-cookie:\s*([^;\r\n]+)", head)
    )
    cookie = f"icon_csrf={csrf}; {cookies}"
    return [_request(port, "GET", "/vote/counted", b"", {"Cookie": cookie})] * 10**5


def _ballots(engine, channel: str) -> int:
    with db.session(engine) as s:
        query = select(func.count()).select_from(Ballot).where(Ballot.channel == channel)
        return s.exec(query).one()


@dataclass
class Row:
    config: str
    label: str
    rate: float
    rates: list[float]
    p50: float
    p99: float
    ratio: float | None  # median of the runs' ratios to the bare endpoint measured just before
    cpu_us: float  # the server's CPU per request, median of the runs
    acknowledged: int | None = None
    counted: int | None = None
    batch: tuple[float, float] | None = None  # items per batch, ms per batch: over the runs

    def batch_cell(self) -> str:
        return "" if self.batch is None else f"{self.batch[0]:.1f}, {self.batch[1]:.1f}"

    def line(self) -> str:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        acks = "" if self.acknowledged is None else f"{self.acknowledged} / {self.counted}"
        if self.acknowledged is not None and self.acknowledged != self.counted:
            acks += " MISMATCH"
        runs = ", ".join(f"{r:.0f}" for r in self.rates)
        return (
            f"| {self.config} | {self.label} | {self.rate:.0f} ({runs}) | {self.p50:.1f} | "
            f"{self.p99:.1f} | {ratio} | {self.cpu_us:.0f} | {acks} | {self.batch_cell()} |"
        )


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def run(self, kind, requests, rate=None) -> tuple[Load, float]:
        """A load and the server's CPU seconds per request during it."""
        cpu = _cpu_seconds(self.process.pid)
        load = _run(self.port, kind, requests, rate)
        return load, (_cpu_seconds(self.process.pid) - cpu) / max(1, load.done)

    def batches(self, kind) -> tuple[float, float, float] | None:
        writer = WRITERS.get(kind)
        return _batch_totals(self.port, writer) if writer else None


def _measure(config, label, kind, site: Server, fresh, runs, bare: Server | None,
             count=None) -> Row:  # fmt: skip
    """``runs`` saturating loads, each right after one on the bare endpoint (the machine is
    shared: a ratio is taken between neighbours), then one paced at half the median rate.
    ``fresh()`` gives unspent requests; ``count()`` the ballots committed so far."""
    acks = counted = 0
    loads, ratios, cpus = [], [], []
    batches_before = site.batches(kind)
    bare_requests = [_request(bare.port, "POST", "/", b"x=1", {})] * 10**5 if bare else []
    for _ in range(runs):
        baseline = bare.run("bare", bare_requests)[0].rate if bare else None
        requests = fresh()
        before = count() if count else 0
        load, cpu = site.run(kind, requests)
        loads.append(load)
        cpus.append(cpu)
        if baseline:
            ratios.append(load.rate / baseline)
        acks += load.ok
        counted += (count() - before) if count else 0
    rate = statistics.median(load.rate for load in loads)
    batch = None
    if batches_before is not None:
        after = site.batches(kind)
        done, items, seconds = (b - a for a, b in zip(batches_before, after, strict=True))
        batch = (items / done, seconds / done * 1000) if done else None
    requests = fresh()
    before = count() if count else 0
    paced, _cpu = site.run(kind, requests, rate=rate / 2)
    acks += paced.ok
    counted += (count() - before) if count else 0
    row = Row(config, label, rate, [load.rate for load in loads], paced.percentile(0.5),
              paced.percentile(0.99), statistics.median(ratios) if ratios else None,
              statistics.median(cpus) * 1e6, acks if count else None,
              counted if count else None, batch)  # fmt: skip
    print(row.line(), flush=True)
    return row


def _bare(env: dict, tmp: Path, workers: int) -> Server:
    port = _free_port()
    flags = ["--host", "127.0.0.1", "--workers", str(workers), "--proxy-headers",
             "--log-level", "info"]  # fmt: skip
    process = _start(
        [sys.executable, "-m", "uvicorn", "--app-dir", "bench", "bare_app:app", "--port",
         str(port), *flags],
        env, port, tmp / f"bare-{workers}.log", "POST /",
    )  # fmt: skip
    return Server(port, process)


def _site(config, url, env, tmp, workers, runs, bare: Server) -> list[Row]:
    engine = db.make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrations.upgrade(engine)
    r = make_round(engine, make_campaign(engine))
    port = _free_port()
    site = Server(port, _start(
        [sys.executable, "-m", "campaign.cli", "serve", "--port", str(port), "--workers",
         str(workers)],
        env | {"ICON_DATABASE_URL": url, "ICON_BASE_URL": f"http://127.0.0.1:{port}"},
        port, tmp / f"site-{config}.log".replace(" ", "-"), "GET /healthz",
    ))  # fmt: skip
    numbers = iter(range(0, 10**7, MAX_REQUESTS))
    try:
        csrf = httpx.get(f"http://127.0.0.1:{port}/vote").cookies["icon_csrf"]
        sms = lambda: _sms_requests(port, next(numbers), MAX_REQUESTS)  # noqa: E731
        web = lambda: _web_requests(engine, port, r.id, csrf, next(numbers), WEB_CODES)  # noqa: E731
        pages = _receipt_requests(engine, port, r.id, csrf, next(numbers))
        return [
            _measure(config, "SMS vote", "sms", site, sms, runs, bare,
                     lambda: _ballots(engine, "sms")),
            _measure(config, "web vote", "web", site, web, runs, bare,
                     lambda: _ballots(engine, "web")),
            _measure(config, "confirmation page", "page", site, lambda: pages, runs, bare),
        ]  # fmt: skip
    finally:
        _stop(site.process)
        engine.dispose()


def _write(rows: list[Row], runs: int) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Vote benchmark (written by `bench/bench_votes.py`; `make bench`)",
        "",
        f"One run on {os.cpu_count()} cores, {stamp}. {CONNECTIONS} keep-alive connections; "
        f"req/s is the median of {runs} saturating runs of {SECONDS:.0f} s (each run in "
        "brackets); p50 and p99 are latencies in ms paced at half that rate. The ratio is to the "
        "bare endpoint (same number of workers) measured just before each run, median of the runs' "
        "ratios. Server CPU is the server processes' user+system time per request (median of "
        "the runs), less disturbed by the other tenants of the machine. Acknowledged / "
        "counted: replies that told the voter the vote counts (SMS: a reply with a receipt; "
        "web: 303 to /vote/counted) against ballots added to the database, over every run. "
        "Items/batch and ms/batch: the group-commit writer's mean batch and the time it took to "
        "write and commit one, over the saturating runs (the site's /metrics; one worker's).",
        "Targets: SMS vote 0.6 of bare, web vote 0.4, at SQLite's durable default; p99 at half "
        "load under 20 ms.",
        "",
        f"| configuration | load | req/s | p50 ms | p99 ms | ratio to bare | {CPU} | "
        f"acknowledged / counted | {BATCH} |",
        "|---|---|---|---|---|---|---|---|---|",
        *(row.line() for row in rows),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print(f"written: {RESULTS.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("full", "normal", "postgresql"), action="append")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-votes-"))
    env = os.environ | {
        "ICON_ENV": "development",
        "ICON_SECRET_KEY": SECRET,
        "ICON_MEDIA_DIR": str(tmp / "media"),
        "ICON_SMS_SECRET": SMS_SECRET,
    }
    env.pop("PYTHONASYNCIODEBUG", None)
    pg_url = os.environ.get("ICON_BENCH_DATABASE_URL", "")
    configs = [
        ("SQLite synchronous=full", "full", f"sqlite:///{tmp / 'full.db'}", 1),
        ("SQLite synchronous=normal", "normal", f"sqlite:///{tmp / 'normal.db'}", 1),
    ]
    if pg_url:
        configs.append(("PostgreSQL, 2 workers", "postgresql", pg_url, 2))
    else:
        print("ICON_BENCH_DATABASE_URL not set: PostgreSQL skipped")
    configs = [c for c in configs if not args.only or c[1] in args.only]
    print(
        f"| configuration | load | req/s | p50 ms | p99 ms | ratio | {CPU} | acknowledged | "
        f"{BATCH} |"
    )
    rows = []
    bare: dict[int, Server] = {}
    try:
        for config, synchronous, url, workers in configs:
            if workers not in bare:
                bare[workers] = _bare(env, tmp, workers)
                rows.append(_measure(f"bare, {workers} worker(s)", "bare endpoint", "bare",
                                     bare[workers], lambda w=workers: [_request(
                                         bare[w].port, "POST", "/", b"x=1", {})] * 10**5,
                                     args.runs, None))  # fmt: skip
            site_env = env | {"ICON_SQLITE_SYNCHRONOUS": synchronous}
            if synchronous == "postgresql":
                site_env.pop("ICON_SQLITE_SYNCHRONOUS")
            rows += _site(config, url, site_env, tmp, workers, args.runs, bare[workers])
    finally:
        for server in bare.values():
            _stop(server.process)
    _write(rows, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
