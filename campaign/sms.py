"""Outgoing SMS through a gateway. Two backends, one interface: ``send(to, body)``.

``outbox`` stores the message and sends nothing (development, demos, and campaigns that export
messages to a gateway by hand). ``http`` queues it for the sender (sms_queue.py), which sends it
through the gateway's adapter (campaign/gateways/). HttpGateway, the synchronous JSON post of
the ``signed`` contract, posts to the configured gateway with its API key, retries
a few times with backoff, and records the verdict; a gateway that stays down raises
SmsGatewayError with the URL and the last error.

A stored message never keeps its number in clear: a masked form (``+223 76 •• •• 56``) a person
recognises and a keyed hash to find a number's messages. Once a gateway took a message its text
(a voting code, a tracking code) is blanked too; the outbox, which is the delivery, keeps it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Protocol

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from campaign import db, metrics, phones
from campaign.models import SmsMessage
from campaign.settings import Settings
from campaign.sms_queue import QueuedGateway, to_hash


class SmsGatewayError(Exception):
    pass


class SmsGateway(Protocol):
    def send(self, to: str, body: str, **queue_options): ...


def _store(
    engine: Engine, secret_key: str, to: str, body: str, backend: str, status: str, error: str = ""
):
    masked = phones.masked_groups(to)
    message = SmsMessage(
        to=masked,
        to_hash=to_hash(secret_key, to),
        body=body if status == "stored" else "",
        backend=backend,
        status=status,
        error=phones.without_number(error, to)[:500],
    )
    with db.session(engine) as s, s.begin():
        s.add(message)
    metrics.SMS_SENT.labels(backend, status).inc()
    return message


class OutboxGateway:
    def __init__(self, engine: Engine, secret_key: str = "") -> None:
        self.engine, self.secret_key = engine, secret_key

    def send(self, to: str, body: str, **_queue_options) -> SmsMessage:
        return _store(self.engine, self.secret_key, to, body, "outbox", "stored")


class HttpGateway:
    """POSTs ``{"to": ..., "text": ...}`` as JSON with ``Authorization: Bearer <key>``."""

    def __init__(
        self,
        engine: Engine,
        url: str,
        api_key: str,
        *,
        tries: int = 3,
        backoff: float = 0.5,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        secret_key: str = "",
    ) -> None:
        self.engine, self.url, self.api_key, self.secret_key = engine, url, api_key, secret_key
        self.tries, self.backoff = tries, backoff
        self.client = client or httpx.Client(timeout=timeout)

    def send(self, to: str, body: str) -> SmsMessage:
        error = ""
        for attempt in range(self.tries):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.post(
                    self.url,
                    json={"to": to, "text": body},
                    headers={"Authorization": f"Bearer {self.api_key}"},
                )
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code < 300:
                return _store(self.engine, self.secret_key, to, body, "http", "sent")
            error = f"HTTP {response.status_code}: {response.text[:200]}"
            if response.status_code < 500 and response.status_code != 429:
                break  # the gateway refused this message: retrying will not change its mind
        _store(self.engine, self.secret_key, to, body, "http", "failed", error)
        error = phones.without_number(error, to)
        raise SmsGatewayError(f"SMS gateway {self.url} failed after {attempt + 1} tries: {error}")


def gateway(settings: Settings, engine: Engine, wake=lambda: None) -> SmsGateway:
    """``http``: the durable queue (sms_queue.py), sent by the first of ``ICON_SMS_GATEWAY``."""
    if settings.sms_backend == "http":
        return QueuedGateway(engine, settings.sms_gateways[0], settings.secret_key, wake)
    return OutboxGateway(engine, settings.secret_key)


def outbox_lines(engine: Engine) -> Iterator[str]:
    """Stored messages as JSON lines, oldest first (``icon outbox``)."""
    with db.session(engine) as s:
        for m in s.exec(select(SmsMessage).order_by(SmsMessage.id)):
            yield json.dumps(
                {
                    "id": m.id,
                    "at": m.created_at.isoformat(),
                    "to": m.to,
                    "body": m.body,
                    "backend": m.backend,
                    "status": m.status,
                    "error": m.error,
                },
                ensure_ascii=False,
            )
