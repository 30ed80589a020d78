"""Every outgoing SMS is a row, delivered by a sender thread in the server process.

A row is ``queued``; the sender claims it (``queued`` -> ``sending`` in one UPDATE that only one
process can win) and commits the claim before it calls the gateway, then records ``sent`` with
the gateway's id, or puts the row back with a later ``next_attempt_at`` (doubling up to 5
minutes) when the gateway is down or busy, for up to ``RETRY_FOR``; a refusal that retrying will
not change fails at once. The gateway's delivery reports move a row on to ``delivered`` or
``failed``; a report never moves it back.

A server stopped between the claim and the gateway's answer leaves the row ``sending``: the
gateway may or may not have the message, so it is not sent again (the phone would get it twice);
after ``STALE`` the row is marked ``unknown``, which the manager sees, and a delivery report can
still settle it.

A row shows its number only masked, with a keyed hash to find it again; the number and text the
gateway needs wait in ``pending_to`` and ``pending_body`` and are erased once the gateway took
the message (voter privacy: no number or code in clear after delivery).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from campaign import db, metrics, phones
from campaign.gateways import Adapter, Outgoing, Report, SendFailed, Sent
from campaign.models import SmsMessage, SmsRate

log = logging.getLogger("icon.sms")

RETRY_FOR = timedelta(hours=6)  # a gateway down for an hour loses nothing
BACKOFF_FIRST, BACKOFF_MAX = 2.0, 300.0
STALE = timedelta(minutes=2)  # a claim older than this was interrupted (sends time out at 10 s)
BATCH = 100
PARALLEL = 8  # connections to the gateway: Kannel's sendsms takes ~10 ms a message with a DLR
OPEN = ("queued", "sending", "unknown")
# What a delivery report may move a row from: never backwards, never out of a final state.
REPORT_FROM = {
    "sent": ("queued", "sending", "unknown"),
    "delivered": ("queued", "sending", "unknown", "sent", "failed"),
    "failed": ("queued", "sending", "unknown", "sent"),
}


def enqueue(
    s: Session,
    to: str,
    body: str,
    *,
    backend: str,
    secret_key: str,
    kind: str = "",
    dedup_key: str | None = None,
) -> int | None:
    """Queues one SMS in the caller's unit of work; returns its id, or None when a row with
    ``dedup_key`` exists already (the same reason to send, seen twice)."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = db.utcnow()
    statement = (
        insert(SmsMessage)
        .values(
            created_at=now,
            to=phones.masked_groups(to[:20]),
            to_hash=to_hash(secret_key, to),
            body="",
            pending_to=to[:20],
            pending_body=body[:1600],
            backend=backend,
            status="queued",
            error="",
            kind=kind,
            attempts=0,
            next_attempt_at=now,
            dedup_key=dedup_key,
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(SmsMessage.id)
    )
    return s.exec(statement).scalar()


def to_hash(secret_key: str, to: str) -> str:
    """The keyed hash a stored SMS keeps of its number, queued or in the outbox alike."""
    # Without a key a hash of a number is a lookup away from the number: none then.
    return phones.keyed_hash(secret_key, to, "sms-to") if secret_key else ""


class QueuedGateway:
    """``send(to, body)`` for the rest of the site: a row now, the gateway soon after."""

    def __init__(self, engine: Engine, backend: str, secret_key: str, wake=lambda: None) -> None:
        self.engine, self.backend, self.secret_key, self.wake = engine, backend, secret_key, wake

    def send(self, to: str, body: str, kind: str = "", dedup_key: str | None = None):
        with db.session(self.engine) as s, s.begin():
            message_id = enqueue(
                s,
                to,
                body,
                backend=self.backend,
                secret_key=self.secret_key,
                kind=kind,
                dedup_key=dedup_key,
            )
        self.wake()
        return message_id


def apply_report(engine: Engine, report: Report, secret_key: str = "") -> bool:
    """A delivery report; False when it names no message we sent."""
    now = db.utcnow()
    if report.by_provider_id:
        target = col(SmsMessage.provider_id) == report.ref
    elif report.by_address:
        if not secret_key:
            return False
        target = col(SmsMessage.to_hash) == to_hash(secret_key, report.ref)
    elif report.ref.isdigit():
        target = col(SmsMessage.id) == int(report.ref)
    else:
        return False
    values = {"status": report.status, "updated_at": now}
    if report.error:
        values["error"] = report.error[:500]
    with db.session(engine) as s, s.begin():
        found = s.exec(
            select(SmsMessage.id).where(target).order_by(col(SmsMessage.id).desc())
        ).first()
        if found is None:
            return False
        target = col(SmsMessage.id) == found
        s.exec(
            update(SmsMessage)
            .where(target, col(SmsMessage.status).in_(REPORT_FROM[report.status]))
            .values(**values)
        )
    metrics.SMS_SENT.labels("report", report.status).inc()
    return True


class RateGate:
    """``ICON_SMS_RATE`` across processes: one row per gateway holds when it may take its next
    message, and a sender reserves its batch's sends with one atomic upsert (next = max(next,
    now) + n / rate). Two ``icon serve`` processes get windows one after the other, so together
    they send at the gateway's rate, not twice it. Wall-clock time: the servers share a clock."""

    def __init__(self, engine: Engine, gateway: str, rate: float) -> None:
        self.engine, self.gateway, self.rate = engine, gateway, rate

    def reserve(self, n: int) -> list[float]:
        """When (Unix time) each of ``n`` sends may go, ``1 / rate`` apart."""
        step = 1.0 / self.rate
        now = time.time()
        with db.session(self.engine) as s, s.begin():
            postgres = s.get_bind().dialect.name == "postgresql"
            insert = pg_insert if postgres else sqlite_insert
            later = func.greatest if postgres else func.max
            statement = insert(SmsRate).values(gateway=self.gateway, next_at=now + n * step)
            end = s.exec(
                statement.on_conflict_do_update(
                    index_elements=["gateway"],
                    set_={"next_at": later(SmsRate.next_at, now) + n * step},
                ).returning(SmsRate.next_at)
            ).scalar_one()
        start = end - n * step
        return [start + i * step for i in range(n)]


@dataclass(frozen=True)
class _Claimed:
    id: int
    to: str
    body: str
    created_at: datetime
    attempts: int
    not_before: float = 0.0  # Unix time: the gateway's rate (RateGate)


# A URL's credentials and its query or fragment: what a sendsms URL carries (user, password, number,
# text) beyond its address.
_URL = re.compile(r"(\w+://)(?:[^/\s@]*@)?([^\s?#'\"]*)([?#][^\s'\"]*)?")


def _plain(reason: str, message: _Claimed) -> str:
    """What of a failure is stored and logged: the recipient masked, the text (a voting code)
    and a URL's credentials and query left out. A gateway's refusal or an exception's message
    may quote any of them (Twilio's errors name the number; httpx's, Kannel's whole URL)."""
    reason = _URL.sub(lambda m: m[1] + m[2] + ("?…" if m[3] else ""), reason)
    if len(message.body) >= 4:
        reason = reason.replace(message.body, "…")
    return phones.without_number(reason, message.to)


class Sender:
    """Delivers queued rows through one adapter, at most ``rate`` a second."""

    def __init__(
        self, engine: Engine, adapter: Adapter, rate: float, client: httpx.Client | None = None
    ) -> None:
        self.engine, self.adapter, self.rate = engine, adapter, rate
        self.client = client or httpx.Client(timeout=10.0)
        self.gate = RateGate(engine, adapter.name, rate)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sms-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the sender
                log.exception("SMS sender")
                busy = 0
            if not busy:
                self._wake.wait(1.0)
                self._wake.clear()

    def run_once(self, now: datetime | None = None) -> int:
        """Sends what is due (up to a batch); returns how many rows it tried. The batch is
        claimed in one statement, its sends reserved at ``rate`` (RateGate, shared by every
        process), sent over ``PARALLEL`` connections, and its
        outcomes recorded in one transaction: two commits a batch, not two a message."""
        now = now or db.utcnow()
        self._mark_interrupted(now)
        with db.session(self.engine) as s:
            due = s.exec(
                select(SmsMessage.id)
                .where(SmsMessage.status == "queued", col(SmsMessage.next_attempt_at) <= now)
                .order_by(col(SmsMessage.id))
                .limit(BATCH)
            ).all()
        if not due or self._stop.is_set():
            return 0
        claimed = self._claim(list(due))
        if not claimed:
            return 0
        times = self.gate.reserve(len(claimed))
        claimed = [replace(c, not_before=t) for c, t in zip(claimed, times, strict=True)]
        with ThreadPoolExecutor(PARALLEL, thread_name_prefix="sms-send") as pool:
            outcomes = list(pool.map(self._deliver, claimed))
        self._record(claimed, outcomes)
        return len(claimed)

    def _claim(self, ids: list[int]) -> list[_Claimed]:
        with db.session(self.engine) as s, s.begin():
            rows = s.exec(
                update(SmsMessage)
                .where(col(SmsMessage.id).in_(ids), SmsMessage.status == "queued")
                .values(status="sending", updated_at=db.utcnow(), attempts=SmsMessage.attempts + 1)
                .returning(
                    SmsMessage.id,
                    SmsMessage.pending_to,
                    SmsMessage.pending_body,
                    SmsMessage.created_at,
                    SmsMessage.attempts,
                )
            ).all()
        # Rows another process claimed first are not returned: they are its to send.
        return sorted((_Claimed(*row) for row in rows), key=lambda c: c.id)

    def _deliver(self, message: _Claimed) -> Sent | SendFailed:
        delay = message.not_before - time.time()
        if delay > 0:
            time.sleep(delay)
        try:
            return self.adapter.send(self.client, Outgoing(message.id, message.to, message.body))
        except SendFailed as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - an adapter's bug fails one message, visibly
            reason = _plain(f"{type(exc).__name__}: {exc}", message)
            # Where it failed, but not its message in clear (_plain): a frame's lines of code.
            where = "".join(traceback.format_tb(exc.__traceback__))
            log.error("SMS adapter %s: %s\n%s", self.adapter.name, reason, where)
            return SendFailed(reason, retry=False)

    def _record(self, claimed: list[_Claimed], outcomes: list[Sent | SendFailed]) -> None:
        now = db.utcnow()
        with db.session(self.engine) as s, s.begin():
            for message, outcome in zip(claimed, outcomes, strict=True):
                if isinstance(outcome, Sent):
                    values = {
                        "status": "sent",
                        "provider_id": outcome.provider_id or None,
                        "error": "",
                        "pending_to": "",
                        "pending_body": "",
                    }
                    self.sent += 1
                elif outcome.retry and now - message.created_at < RETRY_FOR:
                    delay = min(BACKOFF_FIRST * 2 ** (message.attempts - 1), BACKOFF_MAX)
                    values = {
                        "status": "queued",
                        "error": _plain(outcome.reason, message)[:500],
                        "next_attempt_at": now + timedelta(seconds=delay),
                    }
                else:
                    reason = f"after {message.attempts} tries: {_plain(outcome.reason, message)}"
                    values = {"status": "failed", "error": reason[:500]}
                # Only from "sending": a delivery report may have settled the row meanwhile.
                s.exec(
                    update(SmsMessage)
                    .where(col(SmsMessage.id) == message.id, SmsMessage.status == "sending")
                    .values(updated_at=now, **values)
                )
                metrics.SMS_SENT.labels(self.adapter.name, values["status"]).inc()

    def _mark_interrupted(self, now: datetime) -> None:
        with db.session(self.engine) as s, s.begin():
            s.exec(
                update(SmsMessage)
                .where(SmsMessage.status == "sending", col(SmsMessage.updated_at) < now - STALE)
                .values(
                    status="unknown",
                    updated_at=now,
                    error="interrupted while sending: not sent again, so no phone gets it twice",
                )
            )
