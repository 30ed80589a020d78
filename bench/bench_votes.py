"""Vote ingestion throughput against a bare Starlette endpoint, on SQLite, real servers.

Run from the repository root: ``.venv/bin/python bench/bench_votes.py``.
Everything lives in a temporary directory. Both servers are uvicorn, one worker, same flags
(``icon serve`` for the site; ``bench/bare_app.py`` for the baseline), on 127.0.0.1 only.
One load generator (asyncio, raw HTTP/1.1 keep-alive, pre-built requests) drives all three:

(a) POST / on the bare app; (b) POST /sms/inbound, signed ``ICON n`` from distinct numbers;
(c) POST /vote (phone + valid code + candidate, CSRF cookie and field), codes inserted beforehand.

The site runs twice, with ICON_SQLITE_SYNCHRONOUS=full (the default: no acknowledged vote lost
in a power cut) and =normal. Each is run saturating (CONNECTIONS connections for SECONDS); then
(b) and (c) paced at half their measured rate for p50/p99. After each run the ballots in the
database must equal the success replies (every acknowledged vote committed). Target: (b)/(a)
and (c)/(a) at least 0.7. Every loop is bounded in count and time.
"""

from __future__ import annotations

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
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from campaign import db, migrations, phones  # noqa: E402
from tests.factories import make_campaign  # noqa: E402
from tests.voting.test_ballot_box import make_round  # noqa: E402
from voting import ballot_box  # noqa: E402
from voting.models import Ballot, VoteCode  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (a throwaway bench key)
SMS_SECRET = "bench-sms-secret"  # noqa: S105
CONNECTIONS, SECONDS, MAX_REQUESTS = 32, 4.0, 20_000
WEB_CODES = 12_000
RECEIPT = re.compile(rb"[0-9A-Z]{5}-[0-9A-Z]{5}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict, port: int, log: Path, probe: str) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 20
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


def _request(port: int, path: str, body: bytes, headers: dict) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return head.encode() + b"\r\n" + body


async def _exchange(reader, writer, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
    if length is None:
        raise RuntimeError(f"no content-length: {head!r}")
    return status, await reader.readexactly(int(length.group(1)))


async def _load(port: int, requests: list[bytes], rate: float | None, seconds: float):
    """Saturating (rate None) or paced open-loop; returns (done, ok, latencies in s, elapsed)."""
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
                status, body = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - sent)
                done += 1
                ok += status == 200 and (body == b"ok" or RECEIPT.search(body) is not None)
        finally:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONNECTIONS))), seconds + 30)
    return done, ok, latencies, time.perf_counter() - start


def _run(port, requests, rate=None, seconds=SECONDS):
    return asyncio.run(_load(port, requests, rate, seconds))


def _sms_requests(port: int, first: int, count: int) -> list[bytes]:
    out = []
    for n in range(first, first + count):
        data = {"from": f"+2237{n:07d}", "text": f"ICON {n % 3 + 1}", "id": f"gw-{n}"}
        body = urlencode(data).encode()
        sig = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Icon-Signature": sig}
        out.append(_request(port, "/sms/inbound", body, headers))
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
                code_hash=ballot_box.code_hash(SECRET, round_id, e164, code),
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
        out.append(_request(port, "/vote", body, headers))
    with db.session(engine) as s, s.begin():
        s.execute(insert(VoteCode), rows)
    return out


def _ballots(engine, channel: str) -> int:
    with db.session(engine) as s:
        query = select(func.count()).select_from(Ballot).where(Ballot.channel == channel)
        return s.exec(query).one()


def _wrk_bare(port: int, tmp: Path) -> str:
    """The same baseline through wrk (C), to show whether the Python load generator limits it."""
    if not Path("/usr/bin/wrk").exists():
        return "wrk not installed"
    script = tmp / "post.lua"
    script.write_text('wrk.method = "POST"\nwrk.body = "x=1"\n')
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(SECONDS)}s", "-s", str(script)]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=SECONDS + 20
    ).stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    return f"{float(found.group(1)):.0f} req/s" if found else out


def _latency(label: str, result, committed_before: int, committed_after: int) -> None:
    done, ok, lat, elapsed = result
    lat_ms = sorted(x * 1000 for x in lat)
    p50 = statistics.median(lat_ms)
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))]
    committed = committed_after - committed_before
    print(
        f"{label} at {done / elapsed:.0f} req/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
        f"acknowledged {ok}, committed {committed}" + ("" if ok == committed else "  <-- MISMATCH")
    )


def _site(engine, round_id, env, tmp, bare_rate, run, label_mode) -> None:
    """The site's saturating and paced runs with one ICON_SQLITE_SYNCHRONOUS setting."""
    site_port = _free_port()
    site = _start(
        [sys.executable, "-m", "campaign.cli", "serve", "--port", str(site_port)],
        env | {"ICON_BASE_URL": f"http://127.0.0.1:{site_port}"},
        site_port, tmp / f"site-{label_mode}.log", "GET /healthz",
    )  # fmt: skip
    try:
        csrf = httpx.get(f"http://127.0.0.1:{site_port}/vote").cookies["icon_csrf"]
        web_requests = _web_requests(engine, site_port, round_id, csrf, run * WEB_CODES, WEB_CODES)
        rates = {}
        for label, channel, requests in (
            ("sms vote", "sms", _sms_requests(site_port, run * MAX_REQUESTS, MAX_REQUESTS)),
            ("web vote", "web", web_requests),
        ):
            before = _ballots(engine, channel)
            done, ok, _lat, elapsed = _run(site_port, requests[: MAX_REQUESTS // 2])
            committed = _ballots(engine, channel) - before
            rates[label] = done / elapsed
            print(
                f"{label} (synchronous={label_mode}): {rates[label]:.0f} req/s "
                f"(ratio {rates[label] / bare_rate:.2f}); "
                f"acknowledged {ok}, committed {committed}"
                + ("" if ok == committed else "  <-- MISMATCH")
            )
            rest = (
                requests[MAX_REQUESTS // 2 :]
                if channel == "sms"
                else requests[done + CONNECTIONS :]
            )
            before = _ballots(engine, channel)
            result = _run(site_port, rest, rate=rates[label] / 2)
            _latency(label, result, before, _ballots(engine, channel))
    finally:
        _stop(site)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-votes-"))
    url = f"sqlite:///{tmp / 'icon.db'}"
    engine = db.make_engine(url)
    migrations.upgrade(engine)
    campaign = make_campaign(engine)
    r = make_round(engine, campaign)
    base_env = os.environ | {
        "ICON_ENV": "development",
        "ICON_SECRET_KEY": SECRET,
        "ICON_DATABASE_URL": url,
        "ICON_MEDIA_DIR": str(tmp / "media"),
        "ICON_SMS_SECRET": SMS_SECRET,
    }
    base_env.pop("PYTHONASYNCIODEBUG", None)
    bare_port = _free_port()
    flags = ["--host", "127.0.0.1", "--workers", "1", "--proxy-headers", "--log-level", "info"]
    bare = _start(
        [sys.executable, "-m", "uvicorn", "--app-dir", "bench", "bare_app:app", "--port",
         str(bare_port), *flags],
        base_env, bare_port, tmp / "bare.log", "POST /",
    )  # fmt: skip
    try:
        done, ok, _lat, elapsed = _run(bare_port, [_request(bare_port, "/", b"x=1", {})] * 10**5)
        bare_rate = done / elapsed
        print(f"bare endpoint: {bare_rate:.0f} req/s ({CONNECTIONS} connections, {SECONDS:.0f} s)")
        print(f"bare endpoint through wrk: {_wrk_bare(bare_port, tmp)}")
    finally:
        _stop(bare)
    try:
        for i, synchronous in enumerate(("full", "normal")):
            _site(engine, r.id, base_env | {"ICON_SQLITE_SYNCHRONOUS": synchronous}, tmp,
                  bare_rate, i, synchronous)  # fmt: skip
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
