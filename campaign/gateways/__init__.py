"""SMS gateways: one adapter per gateway, behind one small interface.

An adapter turns the gateway's HTTP call into an ``Inbound`` message (or refuses it), turns the
site's reply into the HTTP answer the gateway expects, sends one message through the gateway's
own API, and reads the gateway's delivery reports. It knows HTTP only as plain data (``HttpIn``,
``HttpOut``), so the web layer stays a translation and the adapters are tested without a server.

Which adapters answer is ``ICON_SMS_GATEWAY`` (comma-separated; the first one also sends). Each
module quotes the contract it implements from the gateway's own documentation or code.
"""

from __future__ import annotations

import hmac
import importlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import httpx

from campaign.settings import Settings

MAX_BODY = 8 * 1024  # a gateway's call; an SMS of 10 parts is under 2 KB even urlencoded
MAX_TEXT = 1600
MAX_ID = 100


@dataclass(frozen=True)
class HttpIn:
    method: str
    url: str  # as the gateway called it, query included (Twilio signs it)
    query: str  # raw, still urlencoded: some gateways send bytes that are not UTF-8
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    client: str = ""  # the peer's address
    token: str = ""  # the secret in the path, when the gateway's URL carries one


@dataclass(frozen=True)
class HttpOut:
    status: int
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Inbound:
    sender: str  # as the gateway wrote it; the site normalises it for the campaign's country
    text: str
    gateway_id: str | None  # the gateway's message id: a redelivery carries the same one
    recipient: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class Report:
    """A delivery report: ``ref`` is our message id, or the gateway's (``by_provider_id``), or
    the phone number whose latest message it settles (``by_address``)."""

    ref: str
    status: str  # sent | delivered | failed
    error: str = ""
    by_provider_id: bool = False
    by_address: bool = False


@dataclass(frozen=True)
class Outgoing:
    id: int
    to: str  # E.164
    text: str


@dataclass(frozen=True)
class Sent:
    provider_id: str = ""


class Refused(Exception):
    """The call is not from our gateway (token, signature, address) or is malformed."""

    def __init__(self, reason: str, status: int = 403) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


class SendFailed(Exception):
    """The gateway did not take the message; ``retry`` says whether trying later may help."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason, self.retry = reason, retry


class Adapter(Protocol):
    name: str
    replies_inline: bool  # the answer to the gateway's call is the reply to the phone

    def inbound(self, request: HttpIn) -> Inbound: ...
    def answer(self, reply: str) -> HttpOut: ...
    def refusal(self, error: Refused) -> HttpOut: ...
    def send(self, client: httpx.Client, message: Outgoing) -> Sent: ...
    def report(self, request: HttpIn) -> Report: ...


@dataclass
class Base:
    """What every adapter shares: its settings, the path token and the address allow-list."""

    settings: Settings
    name: str = "base"
    replies_inline: bool = False
    networks: tuple = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.networks = tuple(
            ipaddress.ip_network(n, strict=False) for n in self.settings.sms_allow_from
        )

    def check_source(self, request: HttpIn) -> None:
        if not self.networks:
            return
        try:
            address = ipaddress.ip_address(request.client)
        except ValueError:
            raise Refused("address not allowed") from None
        if not any(address in n for n in self.networks):
            raise Refused("address not allowed")

    def check_token(self, request: HttpIn) -> None:
        if not token_ok(self.settings.sms_secret, request.token):
            raise Refused("bad token")

    def answer(self, reply: str) -> HttpOut:
        return HttpOut(200, reply)

    def refusal(self, error: Refused) -> HttpOut:
        return HttpOut(error.status, error.reason)

    def report(self, request: HttpIn) -> Report:
        raise Refused("this gateway sends no delivery reports here", 404)

    def callback_url(self, path: str) -> str:
        return f"{self.settings.base_url}/sms/{self.name}/{self.settings.sms_secret}{path}"


def token_ok(expected: str, given: str | None) -> bool:
    """Constant time, and an unset secret matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def clip_id(value: object) -> str | None:
    text = str(value or "").strip()[:MAX_ID]
    return text or None


def status_of(response: httpx.Response) -> SendFailed:
    """A refusal by HTTP status: 429 and 5xx may pass later, other 4xx will not."""
    retry = response.status_code == 429 or response.status_code >= 500
    return SendFailed(f"HTTP {response.status_code}: {response.text[:200]}", retry=retry)


def post_or_fail(client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}", retry=True) from exc
    if response.status_code >= 300:
        raise status_of(response)
    return response


ADAPTERS = {
    "signed": "signed.Signed",
    "kannel": "kannel.Kannel",
    "africastalking": "africastalking.AfricasTalking",
    "twilio": "twilio.Twilio",
    "rapidpro": "rapidpro.RapidPro",
    "rapidpro-ex": "rapidpro_external.RapidProExternal",
    "android": "android.Android",
    "orange": "orange.Orange",
}


def adapters(settings: Settings) -> dict[str, Adapter]:
    """The configured gateways' adapters, by name (the first one sends)."""
    found = {}
    for name in settings.sms_gateways:
        module, cls = ADAPTERS[name].split(".")
        found[name] = getattr(importlib.import_module(f"campaign.gateways.{module}"), cls)(settings)
    return found
