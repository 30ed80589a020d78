"""Every limit holds with two ``icon serve`` processes on one PostgreSQL database, whatever the
timing: concurrent requests alternate between the two, and exactly the limit gets through.
PostgreSQL only (SQLite has one writer at a time); the two servers are shared by the module."""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text

from campaign import db
from tests.conftest import PG_URL, SECRET
from tests.factories import make_campaign, make_user, nomination_form
from tests.voting.test_ballot_box import E164, PHONE, add_code, make_round

pytestmark = pytest.mark.skipif(not PG_URL, reason="two app processes share PostgreSQL only")
TOKEN = "t" * 43  # a CSRF cookie of the expected length: the middleware keeps it
SMS_SECRET = "concurrency-sms-secret"
N = 24


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def servers(migrated, tmp_path_factory):
    tmp, started, bases = tmp_path_factory.mktemp("two"), [], []
    for _ in range(2):
        port = _free_port()
        env = os.environ | {
            "ICON_ENV": "development", "ICON_SECRET_KEY": SECRET, "ICON_DATABASE_URL": migrated,
            "ICON_SMS_SECRET": SMS_SECRET, "ICON_MEDIA_DIR": str(tmp / "media"),
        }  # fmt: skip
        env.pop("PYTHONASYNCIODEBUG", None)
        log = (tmp / f"{port}.log").open("w")
        cmd = [sys.executable, "-m", "campaign.cli", "serve", "--port", str(port)]
        started.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=log, cwd=tmp), log))
        bases.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    for base in bases:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("icon serve did not start")
            time.sleep(0.1)
    yield bases
    for process, log in started:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _all_at_once(servers, requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    """Posts every (path, form) at once, alternating the two servers."""

    def one(i_request):
        i, (path, form) = i_request
        cookies, headers = {"icon_csrf": TOKEN}, {"Accept-Language": "en"}
        with httpx.Client(base_url=servers[i % 2], cookies=cookies, headers=headers) as c:
            return c.post(path, data={"csrf_token": TOKEN, **form}, timeout=60)

    with ThreadPoolExecutor(max_workers=N) as pool:
        return list(pool.map(one, enumerate(requests)))


def _rate_events(engine, key: str) -> int:
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM rateevent WHERE key = :key")
        return conn.execute(query, {"key": key}).scalar()


def test_login_lockout_lets_exactly_five_passwords_be_tried(servers, engine):
    user = make_user(engine, "manager")
    tries = [("/login", {"email": user.email, "password": f"wrong {i}"}) for i in range(N)]
    answers = [r.status_code for r in _all_at_once(servers, tries)]
    assert (answers.count(400), answers.count(429)) == (5, N - 5)
    assert _rate_events(engine, f"account:{user.email}") == 5


def test_wrong_code_guesses_cost_a_try_each_and_stop_at_five(servers, engine):
    r = make_round(engine, make_campaign(engine))
    add_code(engine, r.id, "123456")
    guesses = [("/vote", {"round_id": r.id, "phone": PHONE, "code": f"{i:06d}", "candidate": "1"})
               for i in range(N)]  # fmt: skip
    answers = _all_at_once(servers, guesses)
    with engine.connect() as conn:
        tries = conn.execute(text("SELECT tries FROM votecode")).scalar()
    assert tries == 5
    assert sum("Too many wrong codes" in a.text or "is not right" in a.text for a in answers) == 5
    right = ("/vote", {**guesses[0][1], "code": "123456"})
    [late] = _all_at_once(servers, [right])
    assert late.status_code == 422  # the code died of its wrong tries: no vote
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ballot")).scalar() == 0


def test_receipt_guesses_stop_at_twenty(servers, engine):
    make_campaign(engine)

    def one(i):
        with httpx.Client(base_url=servers[i % 2]) as c:
            return c.get("/vote/receipt", params={"code": f"ABCDE{i:05d}"}, timeout=60)

    with ThreadPoolExecutor(max_workers=N) as pool:
        list(pool.map(one, range(N + 6)))
    assert _rate_events(engine, "receipt-guess:127.0.0.1") == 20


def test_code_requests_for_one_number_send_exactly_three(servers, engine):
    r = make_round(engine, make_campaign(engine))
    asks = [("/vote/code", {"round_id": r.id, "phone": PHONE}) for _ in range(10)]
    answers = [a.status_code for a in _all_at_once(servers, asks)]
    assert (answers.count(200), answers.count(429)) == (3, 7)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM votecode")).scalar() == 3


def test_the_sms_sender_limit_lets_exactly_twenty_through(servers, engine):
    make_round(engine, make_campaign(engine))

    def one(i):
        body = urlencode({"from": E164, "text": "ICON 1" if i % 2 else "HELLO", "id": f"s{i}"})
        signature = hmac.new(SMS_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        headers = {"X-Icon-Signature": f"sha256={signature}",
                   "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        return httpx.post(f"{servers[i % 2]}/sms/inbound", content=body, headers=headers,
                          timeout=60).text  # fmt: skip

    with ThreadPoolExecutor(max_workers=N) as pool:
        replies = list(pool.map(one, range(30)))
    refused = sum(r.startswith("Trop de messages") for r in replies)
    assert refused == 10
    with db.session(engine) as s:
        counted = s.exec(text("SELECT count(*) FROM ballot")).one()[0]
    assert counted == 1


def test_the_same_nomination_posted_at_once_is_stored_once_and_every_post_gets_its_code(
    servers, engine
):
    make_campaign(engine)
    form = nomination_form(form_id="double-tap-0001")
    answers = _all_at_once(servers, [("/nominate", form)] * N)
    codes = {r.headers.get("location") for r in answers}
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT tracking_code FROM nomination")).scalars().all()
    assert [r.status_code for r in answers] == [303] * N  # no 500 for the losers
    assert len(stored) == 1
    assert codes == {f"/nominate/done?code={stored[0]}"}
