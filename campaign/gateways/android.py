"""An Android phone as the gateway: "SMS Gateway for Android"
(github.com/capcom6/android-sms-gateway, sms-gate.app), the cheapest way for a small campaign
to start: a phone with a SIM card.

In, from its "Webhooks" documentation: register ``/sms/android/<ICON_SMS_SECRET>`` for the event
``sms:received`` (and ``.../dlr`` for ``sms:sent``, ``sms:delivered``, ``sms:failed``); each
event is a JSON POST ``{"deviceId", "event", "id", "payload": {"messageId", "message",
"phoneNumber", "simNumber", "receivedAt"}, "webhookId"}`` (``id`` is the event's, repeated when
the app retries; ``messageId`` is derived from the content and "not guaranteed to be unique").
Signed with the app's signing key (ICON_SMS_SECRET here): ``X-Signature`` is the hex
HMAC-SHA256 of the raw body followed by the ``X-Timestamp`` header (Unix seconds); a timestamp
more than 5 minutes off is refused, so a captured call cannot be replayed later. Replies go out
through the send API.

Out, "Sending messages": ``POST <ICON_SMS_GATEWAY_URL>`` (the phone's local server
``http://phone:8080/message``, or the cloud ``https://api.sms-gate.app/3rdparty/v1/message``)
with HTTP basic auth (ICON_SMS_USERNAME, ICON_SMS_API_KEY) and JSON ``{"id", "message",
"phoneNumbers": [...]}``; 202 with ``{"id", "state": "Pending"}``. The id we choose
(``icon-<row id>``) comes back in the status events' ``payload.messageId``.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass

import httpx

from campaign import hmacs
from campaign.gateways import (
    Base,
    HttpIn,
    Inbound,
    Outgoing,
    Refused,
    Report,
    Sent,
    clip_id,
    post_or_fail,
)

SKEW = 300  # seconds
STATUS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


@dataclass
class Android(Base):
    name: str = "android"
    replies_inline: bool = False

    def _event(self, request: HttpIn, now: float | None = None) -> dict:
        self.check_token(request)
        self.check_source(request)
        stamp = request.headers.get("x-timestamp", "")
        given = request.headers.get("x-signature", "").lower()
        expected = hmacs.hex_digest(self.settings.sms_secret, request.body + stamp.encode())
        # As bytes: compare_digest raises TypeError on a str with non-ASCII characters.
        if not given or not hmac.compare_digest(
            expected.encode(), given.encode("utf-8", "replace")
        ):
            raise Refused("invalid signature")
        if not stamp.isdigit() or abs((now or time.time()) - int(stamp)) > SKEW:
            raise Refused("timestamp too far from now")
        try:
            event = json.loads(request.body)
            if not isinstance(event.get("payload"), dict):
                raise ValueError
        except (ValueError, AttributeError):
            raise Refused("not an SMS Gateway for Android event", 400) from None
        return event

    def inbound(self, request: HttpIn) -> Inbound:
        event = self._event(request)
        payload = event["payload"]
        if event.get("event") != "sms:received" or not payload.get("phoneNumber"):
            raise Refused("not an sms:received event", 400)
        event_id = clip_id(event.get("id"))
        return Inbound(
            sender=str(payload["phoneNumber"]),
            text=str(payload.get("message") or ""),
            gateway_id=f"android:{event_id}" if event_id else None,
        )

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        response = post_or_fail(
            client,
            "POST",
            self.settings.sms_gateway_url,
            auth=(self.settings.sms_username, self.settings.sms_api_key),
            json={
                "id": f"icon-{message.id}",
                "message": message.text,
                "phoneNumbers": [message.to],
            },
        )
        try:
            return Sent(str(response.json().get("id", ""))[:100])
        except ValueError:
            return Sent()

    def report(self, request: HttpIn) -> Report:
        event = self._event(request)
        status = STATUS.get(event.get("event", ""))
        ref = str(event["payload"].get("messageId", "")).removeprefix("icon-")
        if status is None or not ref.isdigit():
            raise Refused("not a status event for one of our messages", 400)
        reason = str(event["payload"].get("reason") or "failed") if status == "failed" else ""
        return Report(ref, status, reason)
