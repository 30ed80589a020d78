"""Africa's Talking (africastalking.com): short codes and sender ids across Africa.

In, from its "Incoming messages" documentation: the callback URL set on the short code receives a
form-encoded POST with ``date``, ``from`` (``+254711XXXYYY``), ``id`` (the message id), ``linkId``,
``text``, ``to`` (the short code) and ``networkCode``. The callback's answer is not sent to the
phone, and the callback is not signed: the secret lives in the callback URL
(``/sms/africastalking/<ICON_SMS_SECRET>``), and ICON_SMS_ALLOW_FROM can list Africa's Talking's
addresses. Replies go out through the messaging API like any other message.

Out, "Sending messages": ``POST https://api.africastalking.com/version1/messaging`` with header
``apiKey``, ``Accept: application/json`` and form fields ``username``, ``to``, ``message``,
``from``; 201 with ``{"SMSMessageData": {"Recipients": [{"statusCode": 101, "number": ...,
"status": "Success", "messageId": "ATXid_..."}]}}``; a recipient's ``statusCode`` 100, 101, 102
is taken (processed, sent, queued), 401-407 refused (405 insufficient balance passes once the
account is topped up), 500-502 the gateway's trouble. Delivery reports: a form POST to the
delivery-report URL with ``id`` (the messageId), ``status`` (Sent, Submitted, Buffered, Rejected,
Success, Failed, AbsentSubscriber, Expired), ``phoneNumber``, ``failureReason``.

Settings: ICON_SMS_USERNAME the app's username, ICON_SMS_API_KEY its API key, ICON_SMS_NUMBER the
short code or sender id, ICON_SMS_GATEWAY_URL (default the live API; the sandbox is
https://api.sandbox.africastalking.com).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

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
    clip_id,
    post_or_fail,
)

API = "https://api.africastalking.com"
ACCEPTED, RETRY_LATER = {100, 101, 102}, {405, 500, 501, 502}
STATUS = {
    "Sent": "sent",
    "Submitted": "sent",
    "Buffered": "sent",
    "Success": "delivered",
    "Rejected": "failed",
    "Failed": "failed",
    "AbsentSubscriber": "failed",
    "Expired": "failed",
}


def _form(request: HttpIn) -> dict[str, str]:
    pairs = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in pairs.items()}


@dataclass
class AfricasTalking(Base):
    name: str = "africastalking"
    replies_inline: bool = False

    def inbound(self, request: HttpIn) -> Inbound:
        self.check_token(request)
        self.check_source(request)
        form = _form(request)
        if not form.get("from"):
            raise Refused("missing from", 400)
        message_id = clip_id(form.get("id"))
        return Inbound(
            sender=form["from"].strip(),
            text=form.get("text", ""),
            gateway_id=f"africastalking:{message_id}" if message_id else None,
            recipient=form.get("to", ""),
        )

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        data = {
            "username": self.settings.sms_username,
            "to": message.to,
            "message": message.text,
        }
        if self.settings.sms_number:
            data["from"] = self.settings.sms_number.replace(" ", "")
        base = (self.settings.sms_gateway_url or API).rstrip("/")
        response = post_or_fail(
            client,
            "POST",
            f"{base}/version1/messaging",
            data=data,
            headers={"apiKey": self.settings.sms_api_key, "Accept": "application/json"},
        )
        try:
            [recipient] = response.json()["SMSMessageData"]["Recipients"]
            code = int(recipient["statusCode"])
        except (ValueError, KeyError, TypeError):
            raise SendFailed(f"unreadable answer: {response.text[:200]}", retry=True) from None
        if code not in ACCEPTED:
            reason = f"Africa's Talking {code} {recipient.get('status', '')}".strip()
            raise SendFailed(reason, retry=code in RETRY_LATER)
        return Sent(str(recipient.get("messageId", ""))[:100])

    def report(self, request: HttpIn) -> Report:
        self.check_token(request)
        self.check_source(request)
        form = _form(request)
        status = STATUS.get(form.get("status", ""))
        if status is None or not form.get("id"):
            raise Refused("unknown delivery report", 400)
        error = form.get("failureReason", "") or form["status"]
        return Report(form["id"][:100], status, error if status == "failed" else "", True)
