"""Orange's SMS API (developer.orange.com, "SMS Africa"/"SMS Mali"): Orange is Mali's largest
operator. It sends; messages to the short code come in through Kannel or the aggregator.

Authentication, "OAuth 2.0 client credentials": ``POST https://api.orange.com/oauth/v3/token``
with ``Authorization: Basic base64(client_id:client_secret)`` and form
``grant_type=client_credentials``; 200 with ``{"token_type": "Bearer", "access_token": "...",
"expires_in": 3600}``. The token is kept until a minute before it expires, and fetched again on a
401.

Sending: ``POST https://api.orange.com/smsmessaging/v1/outbound/{senderAddress}/requests``
(senderAddress urlencoded, ``tel:+2230000``) with ``Authorization: Bearer <token>`` and JSON
``{"outboundSMSMessageRequest": {"address": "tel:+22376123456", "senderAddress":
"tel:+2230000", "outboundSMSTextMessage": {"message": "..."}}}``; 201 with the request echoed
and ``"resourceURL": ".../requests/<id>"``. 401 token expired, 403 contract exhausted, 400 bad
number.

Delivery receipts, after subscribing a notifyURL (``.../dlr``): a JSON POST
``{"deliveryInfoNotification": {"callbackData": "...", "deliveryInfo": {"address":
"tel:+22376123456", "deliveryStatus": "DeliveredToTerminal"}}}`` (or ``DeliveryImpossible``,
``DeliveredToNetwork``, ``MessageWaiting``, ``DeliveryUncertain``). A receipt names the phone,
not the message: it settles the latest message sent to that number. The subscription's
``callbackData`` is ICON_SMS_SECRET, checked like the path's token.

Settings: ICON_SMS_USERNAME the client id, ICON_SMS_API_KEY the client secret, ICON_SMS_NUMBER
the sender address (``+2230000``), ICON_SMS_GATEWAY_URL (default https://api.orange.com).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx

from campaign.gateways import (
    Base,
    HttpIn,
    Inbound,
    Outgoing,
    Refused,
    Report,
    SendFailed,
    Sent,
    post_or_fail,
    token_ok,
)

API = "https://api.orange.com"
STATUS = {
    "DeliveredToTerminal": "delivered",
    "DeliveredToNetwork": "sent",
    "MessageWaiting": "sent",
    "DeliveryUncertain": "sent",
    "DeliveryImpossible": "failed",
}


@dataclass
class Orange(Base):
    name: str = "orange"
    replies_inline: bool = False
    _token: tuple[str, float] = field(default=("", 0.0), init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def inbound(self, request: HttpIn) -> Inbound:
        raise Refused("Orange's SMS API only sends here; receive through Kannel", 404)

    def _base(self) -> str:
        return (self.settings.sms_gateway_url or API).rstrip("/")

    def token(self, client: httpx.Client, fresh: bool = False) -> str:
        with self._lock:
            value, until = self._token
            if value and not fresh and time.monotonic() < until:
                return value
            response = post_or_fail(
                client,
                "POST",
                f"{self._base()}/oauth/v3/token",
                auth=(self.settings.sms_username, self.settings.sms_api_key),
                data={"grant_type": "client_credentials"},
                headers={"Accept": "application/json"},
            )
            try:
                answer = response.json()
                value, lifetime = str(answer["access_token"]), float(answer.get("expires_in", 0))
            except (ValueError, KeyError, TypeError):
                raise SendFailed("Orange's token answer is unreadable", retry=True) from None
            self._token = (value, time.monotonic() + max(lifetime - 60, 0))
            return value

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        sender = "tel:" + self.settings.sms_number.replace(" ", "")
        url = f"{self._base()}/smsmessaging/v1/outbound/{quote(sender, safe='')}/requests"
        body = {
            "outboundSMSMessageRequest": {
                "address": f"tel:{message.to}",
                "senderAddress": sender,
                "outboundSMSTextMessage": {"message": message.text},
            }
        }
        for fresh in (False, True):
            headers = {"Authorization": f"Bearer {self.token(client, fresh)}"}
            try:
                response = post_or_fail(client, "POST", url, json=body, headers=headers)
            except SendFailed as exc:
                if fresh or not exc.reason.startswith("HTTP 401"):
                    raise
                continue  # the token expired early: fetch a new one once
            try:
                resource = response.json()["outboundSMSMessageRequest"].get("resourceURL", "")
            except (ValueError, KeyError, AttributeError):
                resource = ""
            return Sent(str(resource).rsplit("/", 1)[-1][:100])
        raise AssertionError("unreachable")

    def report(self, request: HttpIn) -> Report:
        self.check_token(request)
        self.check_source(request)
        try:
            notification = json.loads(request.body)["deliveryInfoNotification"]
            info = notification["deliveryInfo"]
            address, state = str(info["address"]), str(info["deliveryStatus"])
        except (ValueError, KeyError, TypeError):
            raise Refused("not an Orange delivery receipt", 400) from None
        if not token_ok(self.settings.sms_secret, str(notification.get("callbackData", ""))):
            raise Refused("bad callbackData")
        status = STATUS.get(state)
        if status is None:
            raise Refused(f"delivery status {state[:40]!r} settles nothing", 400)
        return Report(
            address.removeprefix("tel:"),
            status,
            state if status == "failed" else "",
            by_address=True,
        )
