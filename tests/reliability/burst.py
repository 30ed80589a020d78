"""What the reliability tests share: one web or SMS vote against a real ``icon serve``, a burst of
them from client threads spread over one or more servers, and what the database holds after it.

A vote is acknowledged when its sender got the success reply: the SMS thanks with its receipt, or
the web form's redirect to ``/vote/counted``. An acknowledged vote must be in the database; an
unacknowledged one may be lost."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import text

from campaign import phones
from tests.conftest import PG_URL, SECRET
from tests.voting.test_ballot_box import add_code
from tests.voting.test_durability import RECEIPT, SMS_SECRET, _signed

TOKEN = "t" * 43  # a CSRF cookie of the expected length
BURST_SECONDS = 30  # a burst ends by itself, whatever the servers do
pg_only = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL only: set ICON_TEST_DATABASE_URL (SQLite has no connections "
    "to terminate and one process writes it)"
)  # fmt: skip


def sms(http: httpx.Client, sender: str, body: str, gateway_id: str) -> httpx.Response:
    content, headers = _signed({"from": sender, "text": body, "id": gateway_id})
    return http.post("/sms/inbound", content=content, headers=headers)


def web(http: httpx.Client, round_id: int, phone: str, code: str, number: int) -> httpx.Response:
    form = {"csrf_token": TOKEN, "round_id": round_id, "phone": phone, "code": code,
            "candidate": str(number)}  # fmt: skip
    http.cookies.set("icon_csrf", TOKEN)
    return http.post("/vote", data=form)


def sms_receipt(reply: httpx.Response) -> str | None:
    """The receipt of an acknowledged SMS vote, as stored (without its dash)."""
    found = RECEIPT.search(reply.text) if reply.status_code == 200 else None
    return found.group(1).replace("-", "") if found else None


def web_counted(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers.get("location") == "/vote/counted"


def voters(engine, hashes: set[str]) -> int:
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT voter_hash FROM ballot")).scalars())
    return len(hashes & stored)


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def voter_hash(e164: str) -> str:
    return phones.keyed_hash(SECRET, e164, "voter")


@dataclass
class Burst:
    """Web and SMS votes from distinct phones (``web_votes`` and ``sms_votes`` of them), sent by
    ``clients`` threads per channel; client c sends to ``bases[c % len(bases)]``. Each
    acknowledgement is kept with the moment it arrived."""

    engine: object
    round_id: int
    bases: list[str]
    web_votes: int = 150
    sms_votes: int = 150
    clients: int = 3
    prefix: str = "b"
    sent: int = 0
    acked_sms: list[tuple[float, str]] = field(default_factory=list)  # (when, receipt)
    acked_web: list[tuple[float, str]] = field(default_factory=list)  # (when, e164)
    answers: Counter = field(default_factory=Counter)  # status codes, "timeout", "refused"

    def __post_init__(self):
        self.web_phones = [f"+2236{n:07d}" for n in range(self.web_votes)]
        for n, e164 in enumerate(self.web_phones):
            add_code(self.engine, self.round_id, f"{n:06d}", e164=e164)
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [
            threading.Thread(target=self._client, args=(channel, c), daemon=True)
            for c in range(self.clients)
            for channel in ("web", "sms")
        ]

    def start(self) -> Burst:
        for t in self.threads:
            t.start()
        return self

    def join(self, timeout: float = BURST_SECONDS + 15) -> None:
        for t in self.threads:
            t.join(timeout)
        assert not any(t.is_alive() for t in self.threads), "a burst client hung"

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.acked_sms) + len(self.acked_web)

    def _client(self, channel: str, c: int) -> None:
        total = self.web_votes if channel == "web" else self.sms_votes
        mine = range(c, total, self.clients)
        deadline = time.monotonic() + BURST_SECONDS
        with httpx.Client(base_url=self.bases[c % len(self.bases)], timeout=10) as http:
            for n in mine:
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                with self.lock:
                    self.sent += 1
                try:
                    self._one(http, channel, n)
                except httpx.TimeoutException:
                    self._answer("timeout")
                except httpx.TransportError as exc:
                    self._answer(type(exc).__name__)  # ConnectError: the server is gone
                    if isinstance(exc, httpx.ConnectError):
                        return

    def _one(self, http: httpx.Client, channel: str, n: int) -> None:
        number = n % 3 + 1
        if channel == "web":
            answer = web(http, self.round_id, self.web_phones[n], f"{n:06d}", number)
            self._answer(answer.status_code)
            if web_counted(answer):
                with self.lock:
                    self.acked_web.append((time.monotonic(), self.web_phones[n]))
            return
        reply = sms(http, f"+2237{n:07d}", f"ICON {number}", f"{self.prefix}-{n}")
        self._answer(reply.status_code)
        receipt = sms_receipt(reply)
        if receipt:
            with self.lock:
                self.acked_sms.append((time.monotonic(), receipt))

    def _answer(self, key) -> None:
        with self.lock:
            self.answers[key] += 1

    def lost(self, engine, before: float = float("inf")) -> int:
        """How many votes acknowledged before ``before`` (monotonic) are missing from
        ``engine``'s database."""
        with engine.connect() as conn:
            receipts = set(conn.execute(text("SELECT receipt FROM ballot")).scalars())
        sms_lost = sum(1 for at, r in self.acked_sms if at < before and r not in receipts)
        hashes = {voter_hash(e) for at, e in self.acked_web if at < before}
        return sms_lost + len(hashes) - voters(engine, hashes)

    def figures(self) -> str:
        answers = dict(sorted(self.answers.items(), key=str))
        return (f"sent {self.sent}, acknowledged {len(self.acked_sms)} SMS + "
                f"{len(self.acked_web)} web, answers {answers}")  # fmt: skip


def counted_twice(engine) -> int:
    """Ballots beyond the first of one voter in one round (the unique constraint's business)."""
    return count(
        engine,
        "SELECT count(*) FROM (SELECT round_id, voter_hash FROM ballot "
        "GROUP BY round_id, voter_hash HAVING count(*) > 1) AS twice",
    )


def terminate_connections(engine) -> int:
    """Ends every connection to the test database but this one: its own database only (the
    machine's other databases are someone else's). Returns how many were ended."""
    with engine.connect() as conn:
        ended = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
        conn.commit()
    return ended


def server_env(database_url: str) -> dict:
    """The environment an ``icon`` command needs to reach the test's database."""
    return os.environ | {
        "ICON_ENV": "development",
        "ICON_SECRET_KEY": SECRET,
        "ICON_DATABASE_URL": database_url,
        "ICON_SMS_SECRET": SMS_SECRET,
    }
