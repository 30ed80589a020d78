"""The outgoing queue: claimed once, retried with backoff while the gateway is down, failed with
a reason, never sent twice after a restart, settled by delivery reports. The gateway here is
Kannel's sendsms as its documentation describes it, answered by httpx's MockTransport."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from campaign import db, phones, sms_queue
from campaign.gateways import Report
from campaign.gateways.kannel import Kannel
from campaign.models import SmsMessage


@pytest.fixture
def kannel(settings):
    sendsms = "http://kannel:13013/cgi-bin/sendsms"
    return Kannel(replace(settings, sms_gateways=("kannel",), sms_username="icon",
                          sms_api_key="pw", sms_gateway_url=sendsms))  # fmt: skip


def gateway(answers: list, seen: list) -> httpx.Client:
    """Answers in turn (the last one repeats); an exception instance is raised instead."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen) - 1, len(answers) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, text="0: Accepted for delivery" if answer == 202 else "no")

    return httpx.Client(transport=httpx.MockTransport(handle))


KEY = "queue-test-key-" * 2  # noqa: S105 - a test key


def queue(engine, *texts: str, age: timedelta = timedelta(0)) -> list[int]:
    ids = []
    with db.session(engine) as s, s.begin():
        for i, body in enumerate(texts):
            ids.append(
                sms_queue.enqueue(s, f"+2237600{i:04d}", body, backend="kannel", secret_key=KEY)
            )
    if age:
        with db.session(engine) as s, s.begin():
            for message in s.exec(select(SmsMessage)):
                message.created_at -= age
    return ids


def rows(engine) -> list[tuple]:
    with db.session(engine) as s:
        return [(m.status, m.attempts, m.error)
                for m in s.exec(select(SmsMessage).order_by(SmsMessage.id))]  # fmt: skip


def test_queued_message_goes_out_through_sendsms_once(engine, kannel):
    [message_id] = queue(engine, "Merci ! Reçu.")
    seen = []
    sender = sms_queue.Sender(engine, kannel, rate=100, client=gateway([202], seen))
    assert (sender.run_once(), sender.run_once()) == (1, 0)
    [request] = seen
    query = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
    assert query == {
        "username": "icon", "password": "pw", "to": "+22376000000", "text": "Merci ! Reçu.",
        "charset": "UTF-8", "coding": "2", "dlr-mask": "19",
        "dlr-url": f"http://127.0.0.1:8000/sms/kannel/sms-test-secret/dlr?ref={message_id}"
                   "&type=%d&answer=%A",
    }  # fmt: skip
    assert rows(engine) == [("sent", 1, "")]


def test_the_number_and_text_wait_only_until_the_gateway_takes_them(engine, kannel):
    queue(engine, "Code 123456")
    with db.session(engine) as s:
        [waiting] = s.exec(select(SmsMessage)).all()
        queued = (waiting.to, waiting.body, waiting.pending_to, waiting.pending_body)
    sms_queue.Sender(engine, kannel, rate=100, client=gateway([202], [])).run_once()
    with db.session(engine) as s:
        [sent] = s.exec(select(SmsMessage)).all()
    assert queued == ("+223 76 •• •• 00", "", "+22376000000", "Code 123456")
    assert (sent.to, sent.body, sent.pending_to, sent.pending_body) == (
        "+223 76 •• •• 00",
        "",
        "",
        "",
    )
    assert sent.to_hash == phones.keyed_hash(KEY, "+22376000000", "sms-to")


def test_a_report_by_address_finds_the_message_by_its_hash(engine):
    queue(engine, "Bonjour")
    assert not sms_queue.apply_report(engine, Report("+22376000000", "delivered", by_address=True))
    assert sms_queue.apply_report(engine, Report("+22376000000", "delivered", by_address=True), KEY)
    assert rows(engine)[0][0] == "delivered"


def test_gateway_down_is_retried_later_then_sent(engine, kannel):
    queue(engine, "Bonjour")
    seen = []
    down = httpx.ConnectError("Connection refused")
    sender = sms_queue.Sender(engine, kannel, rate=100, client=gateway([down, 503, 202], seen))
    sender.run_once()
    with db.session(engine) as s:
        first = s.get(SmsMessage, 1)
    assert (first.status, first.attempts, first.error) == (
        "queued", 1, "ConnectError: Connection refused",
    )  # fmt: skip
    assert sender.run_once() == 0  # not due yet: the backoff holds it
    later = first.next_attempt_at + timedelta(seconds=1)
    sender.run_once(now=later)
    assert rows(engine)[0][:2] == ("queued", 2)
    sender.run_once(now=later + timedelta(minutes=5))
    assert (rows(engine), len(seen)) == ([("sent", 3, "")], 3)


def test_gateway_down_for_longer_than_the_retry_window_fails_with_the_reason(engine, kannel):
    queue(engine, "Bonjour", age=sms_queue.RETRY_FOR + timedelta(minutes=1))
    sender = sms_queue.Sender(engine, kannel, rate=100, client=gateway([503], []))
    sender.run_once()
    assert rows(engine) == [("failed", 1, "after 1 tries: HTTP 503: no")]


def test_refusal_fails_at_once_without_retrying(engine, kannel):
    queue(engine, "Bonjour")
    seen = []
    sender = sms_queue.Sender(engine, kannel, rate=100, client=gateway([403], seen))
    sender.run_once()
    sender.run_once(now=db.utcnow() + timedelta(hours=1))
    assert (rows(engine), len(seen)) == ([("failed", 1, "after 1 tries: HTTP 403: no")], 1)


def test_a_send_interrupted_by_a_restart_is_not_sent_again(engine, kannel):
    queue(engine, "Bonjour")
    with db.session(engine) as s, s.begin():  # claimed, then the server stopped mid-send
        message = s.get(SmsMessage, 1)
        message.status, message.attempts, message.updated_at = "sending", 1, db.utcnow()
    seen = []
    after_restart = sms_queue.Sender(engine, kannel, rate=100, client=gateway([202], seen))
    after_restart.run_once()
    after_restart.run_once(now=db.utcnow() + sms_queue.STALE + timedelta(seconds=1))
    assert seen == []
    assert rows(engine) == [
        ("unknown", 1, "interrupted while sending: not sent again, so no phone gets it twice")
    ]
    # Kannel had it after all: its delivery report settles the row.
    assert sms_queue.apply_report(engine, Report("1", "delivered"))
    assert rows(engine)[0][0] == "delivered"


def test_reports_never_move_a_message_backwards(engine):
    queue(engine, "Bonjour")
    for status in ("sent", "delivered", "sent", "failed"):
        sms_queue.apply_report(engine, Report("1", status, "late"))
    assert rows(engine)[0][0] == "delivered"
    assert not sms_queue.apply_report(engine, Report("999", "delivered"))


def test_two_senders_share_the_queue_and_send_each_message_once(engine, kannel):
    queue(engine, *[f"message {i}" for i in range(60)])
    seen: list = []
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        with lock:
            seen.append(parse_qs(urlsplit(str(request.url)).query)["text"][0])
        time.sleep(0.002)
        return httpx.Response(202, text="0: Accepted for delivery")

    senders = [
        sms_queue.Sender(engine, kannel, rate=10_000,
                         client=httpx.Client(transport=httpx.MockTransport(handle)))
        for _ in range(2)
    ]  # fmt: skip
    threads = [threading.Thread(target=s.run_once) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(f"message {i}" for i in range(60))
    assert sum(s.sent for s in senders) == 60


def test_rate_spaces_the_sends(engine, kannel):
    queue(engine, *["x"] * 6)
    sender = sms_queue.Sender(engine, kannel, rate=50, client=gateway([202], []))
    started = time.monotonic()
    sender.run_once()
    assert time.monotonic() - started >= 5 / 50  # six sends, five gaps of 20 ms at least


def test_same_dedup_key_queues_once(engine):
    with db.session(engine) as s, s.begin():
        first, second = (
            sms_queue.enqueue(s, "+22376000000", "a", backend="kannel", secret_key=KEY,
                              dedup_key="reply:k:1")
            for _ in range(2)
        )  # fmt: skip
    assert (first, second) == (1, None)


def echoing(status: int) -> httpx.Client:
    """A gateway that quotes the recipient in its refusal, as Twilio's errors do."""

    def handle(request: httpx.Request) -> httpx.Response:
        to = parse_qs(urlsplit(str(request.url)).query)["to"][0]
        return httpx.Response(status, text=f"The 'To' number {to} is not a valid phone number.")

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_a_refusal_that_quotes_the_number_is_kept_with_the_number_masked(engine, kannel):
    queue(engine, "Bonjour")
    sms_queue.Sender(engine, kannel, rate=100, client=echoing(503)).run_once()
    quoted = "HTTP {}: The 'To' number +223 76 •• •• 00 is not a valid phone number."
    assert rows(engine) == [("queued", 1, quoted.format(503))]  # to be tried again
    later = db.utcnow() + timedelta(hours=1)
    sms_queue.Sender(engine, kannel, rate=100, client=echoing(400)).run_once(now=later)
    assert rows(engine) == [("failed", 2, "after 2 tries: " + quoted.format(400))]


def test_an_adapter_bug_is_logged_where_it_failed_without_the_number(engine, kannel, caplog):
    def handle(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"cannot send {request.url}")

    queue(engine, "Bonjour")
    client = httpx.Client(transport=httpx.MockTransport(handle))
    with caplog.at_level("ERROR", logger="icon.sms"):
        sms_queue.Sender(engine, kannel, rate=100, client=client).run_once()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "icon.sms")
    # The URL held the gateway's user and password, the number and the text: its address only.
    reason = "RuntimeError: cannot send http://kannel:13013/cgi-bin/sendsms?…"
    assert rows(engine) == [("failed", 1, f"after 1 tries: {reason}")]
    assert logged.startswith(f"SMS adapter kannel: {reason}\n")
    assert caplog.records[0].exc_info is None
    assert 'test_sms_queue.py", line' in logged and "in handle" in logged
    for secret in ("76000000", "pw", "Bonjour", "icon"):
        assert secret not in logged.split("\n")[0]


def test_a_refusal_that_quotes_the_text_keeps_the_code_out(engine, kannel):
    def handle(request: httpx.Request) -> httpx.Response:
        text = parse_qs(urlsplit(str(request.url)).query)["text"][0]
        return httpx.Response(400, text=f"rejected '{text}' to https://icon:pw@gw/x?to=1")

    queue(engine, "Votre code de vote : 493021")
    client = httpx.Client(transport=httpx.MockTransport(handle))
    sms_queue.Sender(engine, kannel, rate=100, client=client).run_once()
    assert rows(engine) == [
        ("failed", 1, "after 1 tries: HTTP 400: rejected '…' to https://gw/x?…")
    ]
