"""Votes through Debian's Kannel to the tally, and the outgoing queue through Kannel's sendsms.

Run from the repository root: ``.venv/bin/python bench/bench_kannel.py`` (``make bench``; needs
``make kannel``). Everything lives in a temporary directory, SQLite, ``icon serve`` with one
worker, on 127.0.0.1; bearerbox and smsbox run deploy/kannel/kannel.conf (16 pending requests)
and fakesmsc plays 3,000 phones:

(a) 3,000 ``ICON n`` from distinct phones, fed to fakesmsc at once: votes per second from the
    first message to the last reply back at fakesmsc; replies acknowledging a vote (acknowledged)
    against ballots in the database (counted), which must be equal.
(a') the same votes sent straight to the site's Kannel URL over 16 connections: the site's share.
(b) 3,000 queued SMS: messages per second from the queue through sendsms to fakesmsc.

Not a CI test: it prints figures. Every wait is bounded.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from campaign import db, migrations, sms_queue  # noqa: E402
from campaign.models import SmsMessage  # noqa: E402
from tests.factories import make_campaign  # noqa: E402
from tests.voting.test_ballot_box import make_round  # noqa: E402
from tests.web import kannel  # noqa: E402
from voting.models import Ballot  # noqa: E402

VOTES = 3000
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway site
SMS_SECRET = "bench-kannel-secret"  # noqa: S105
THANKS = re.compile(r"^Merci ! Votre vote pour le numéro \d")


def count(engine, model, *where) -> int:
    with db.session(engine) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def main() -> None:
    reason = kannel.missing()
    if reason:
        sys.exit(reason)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp / 'icon.db'}"
        engine = db.make_engine(url)
        migrations.upgrade(engine)
        make_round(engine, make_campaign(engine))
        port = kannel.free_port()
        gateway = kannel.Kannel(f"http://127.0.0.1:{port}", SMS_SECRET, tmp)
        site, _base = kannel.start_site(url, SECRET_KEY, tmp, {
            "ICON_SMS_GATEWAY": "kannel", "ICON_SMS_BACKEND": "http",
            "ICON_SMS_SECRET": SMS_SECRET, "ICON_SMS_GATEWAY_URL": gateway.sendsms_url,
            "ICON_SMS_USERNAME": "icon", "ICON_SMS_API_KEY": kannel.SENDSMS_PASSWORD,
            "ICON_SMS_NUMBER": kannel.SHORT_CODE, "ICON_SMS_RATE": "10000",
        }, port=port)  # fmt: skip
        phones = gateway.start()
        try:
            votes(engine, phones)
            site_alone(engine, f"http://127.0.0.1:{port}")
            queue(engine, phones)
        finally:
            phones.stop()
            gateway.stop()
            site.terminate()
            site.wait(10)
            engine.dispose()


def votes(engine, phones) -> None:
    messages = [(f"76{i:06d}", f"ICON {i % 3 + 1}") for i in range(VOTES)]
    started = time.monotonic()
    phones.send_many(messages)
    received = phones.wait_for(VOTES, seconds=180)
    elapsed = time.monotonic() - started
    acknowledged = sum(1 for _to, text in received if THANKS.match(text))
    counted = count(engine, Ballot)
    print(f"(a) {VOTES} votes fakesmsc -> bearerbox -> smsbox -> site -> back: {elapsed:.1f} s, "
          f"{len(received) / elapsed:.0f} votes/s")  # fmt: skip
    print(f"    replies {len(received)}, acknowledged {acknowledged}, counted {counted}, "
          f"equal: {acknowledged == counted}")  # fmt: skip


def site_alone(engine, base: str) -> None:
    """The same votes straight to the site's Kannel URL over 16 connections (what smsbox's
    max-pending-requests allows): the site's share of the time in (a)."""
    before = count(engine, Ballot)
    urls = [f"{base}/sms/kannel/{SMS_SECRET}?sender=77{i:06d}&to=36000&message=ICON+2&id=b{i}"
            for i in range(VOTES)]  # fmt: skip

    def worker(chunk: list[str]) -> int:
        with httpx.Client(timeout=30) as client:
            return sum(1 for url in chunk if THANKS.match(client.get(url).text))

    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        acknowledged = sum(pool.map(worker, [urls[i::16] for i in range(16)]))
    elapsed = time.monotonic() - started
    counted = count(engine, Ballot) - before
    print(
        f"(a') the same {VOTES} votes straight to the site, 16 connections: {elapsed:.1f} s, "
        f"{VOTES / elapsed:.0f} votes/s; acknowledged {acknowledged}, counted {counted}"
    )


def queue(engine, phones) -> None:
    before = len(phones.received)
    with db.session(engine) as s, s.begin():
        for i in range(VOTES):
            sms_queue.enqueue(s, f"+22366{i:06d}", "Resultats ce soir a 20h.", backend="kannel",
                              secret_key="bench-secret-key", kind="broadcast")  # noqa: S106  # fmt: skip
    started = time.monotonic()
    deadline, samples = started + 180, []
    while time.monotonic() < deadline:
        sent = count(engine, SmsMessage, SmsMessage.kind == "broadcast",
                     SmsMessage.status.in_(("sent", "delivered")))  # fmt: skip
        samples.append((time.monotonic() - started, sent))
        if sent >= VOTES:
            break
        time.sleep(0.2)
    accepted_at = samples[-1][0]
    received = phones.wait_for(before + VOTES, seconds=60)
    at_phones = time.monotonic() - started
    rates = [
        (b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(samples, samples[1:], strict=False)
        if b[1] > a[1]
    ]  # fmt: skip
    delivered = count(engine, SmsMessage, SmsMessage.status == "delivered")
    median = statistics.median(rates) if rates else 0
    print(
        f"(b) {VOTES} queued SMS -> sendsms accepted in {accepted_at:.1f} s "
        f"({samples[-1][1] / accepted_at:.0f}/s, median of 0.2 s samples {median:.0f}/s)"
    )
    print(f"    at fakesmsc: {len(received) - before} after {at_phones:.1f} s; "
          f"delivered (DLR) by then: {delivered}")  # fmt: skip


if __name__ == "__main__":
    main()
