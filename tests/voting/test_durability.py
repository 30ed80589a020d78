"""Durability: the real server (``icon serve`` in a subprocess, SQLite) killed with SIGKILL in the
middle of a burst of SMS votes. Every vote whose thanks (with its receipt) reached the gateway is
in the database after the restart: a reply is only sent for a committed ballot."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import httpx
from sqlmodel import select

from campaign import db
from tests.conftest import SECRET
from tests.voting.test_ballot_box import make_round
from voting.models import Ballot

SMS_SECRET = "sms-durability-secret"
RECEIPT = re.compile(r"([0-9A-Z]{5}-[0-9A-Z]{5})\.?\s*$")
CLIENTS, PER_CLIENT = 6, 400
KILL_AFTER_ACKS, KILL_AFTER_SECONDS = 150, 1.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(database_url: str, tmp_path, name: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "ICON_ENV": "development",
        "ICON_SECRET_KEY": SECRET,
        "ICON_DATABASE_URL": database_url,
        "ICON_BASE_URL": base,
        "ICON_MEDIA_DIR": str(tmp_path / "media"),
        "ICON_SMS_SECRET": SMS_SECRET,
    }
    env.pop("PYTHONASYNCIODEBUG", None)
    log_path = tmp_path / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "campaign.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=10)
            raise RuntimeError(log_path.read_text())
        time.sleep(0.1)


def _signed(data: dict) -> tuple[bytes, dict]:
    body = urlencode(data).encode()
    signature = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Icon-Signature": signature,
    }


def _burst(base: str, client: int, acked: list[str], lock: threading.Lock, stop: threading.Event):
    """Votes from distinct Mali mobile numbers until the server dies (or the bounds are hit)."""
    deadline = time.monotonic() + 15
    with httpx.Client(base_url=base, timeout=5) as http:
        for i in range(PER_CLIENT):
            if stop.is_set() or time.monotonic() > deadline:
                return
            n = client * PER_CLIENT + i
            body, headers = _signed(
                {"from": f"+2237{n:07d}", "text": f"ICON {n % 3 + 1}", "id": f"gw-{n}"}
            )
            try:
                response = http.post("/sms/inbound", content=body, headers=headers)
            except httpx.HTTPError:
                return  # the server is gone
            found = RECEIPT.search(response.text) if response.status_code == 200 else None
            if found:
                with lock:
                    acked.append(found.group(1).replace("-", ""))


def test_sigkill_during_a_vote_burst_loses_no_acknowledged_vote(
    database_url, engine, campaign, tmp_path
):
    make_round(engine, campaign)  # candidates come from nominations, as in the SMS vote tests
    process, base = _start_server(database_url, tmp_path, "first")
    acked: list[str] = []
    lock, stop = threading.Lock(), threading.Event()
    threads = [
        threading.Thread(target=_burst, args=(base, c, acked, lock, stop)) for c in range(CLIENTS)
    ]
    try:
        for t in threads:
            t.start()
        started = time.monotonic()
        while len(acked) < KILL_AFTER_ACKS and time.monotonic() - started < KILL_AFTER_SECONDS:
            time.sleep(0.01)
        process.kill()  # SIGKILL: no shutdown, no flush, mid-transaction for some requests
        process.wait(timeout=10)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=20)
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    with lock:
        acknowledged = list(acked)
    restarted, base = _start_server(database_url, tmp_path, "second")
    try:
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    with db.session(engine) as s:
        stored = set(s.exec(select(Ballot.receipt)).all())
    assert len(acknowledged) > 0
    assert [r for r in acknowledged if r not in stored] == []
    assert len(stored) >= len(acknowledged)
