"""Twilio, for SMS and WhatsApp (it has no Malian numbers, but serves other countries).

In, from Twilio's "Messaging webhooks" and "Webhooks security" pages: a form-encoded POST with
``MessageSid``, ``From`` (``+15551234567``, or ``whatsapp:+22376123456`` for WhatsApp), ``To``,
``Body``; signed in ``X-Twilio-Signature``: "the full URL of your webhook, with the query string,
then each POST parameter sorted alphabetically by name, its name and value appended with no
delimiter; sign the resulting string with HMAC-SHA1 using your AuthToken as the key; Base64
encode" (what ``twilio.request_validator.RequestValidator`` computes; the tests use it). The
answer is TwiML: ``<Response><Message>reply</Message></Response>``.

Out, the REST API: ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic
auth (Account SID, Auth Token) and form fields ``To``, ``From``, ``Body``, ``StatusCallback``;
201 with JSON ``{"sid": "SM...", "status": "queued"}``, 4xx with ``{"code", "message"}``. The
status callback posts ``MessageSid``, ``MessageStatus`` (queued, sending, sent, delivered,
undelivered, failed) and ``ErrorCode``, signed like a webhook.

WhatsApp, from Twilio's "Send WhatsApp messages" page: the same API with both addresses prefixed,
``From=whatsapp:+14155238886`` and ``To=whatsapp:+22376123456`` (what ``twilio.rest.Client``
sends for ``messages.create(from_="whatsapp:...", to="whatsapp:...")``; the tests compare).

Settings: ICON_SMS_USERNAME the Account SID, ICON_SMS_API_KEY the Auth Token, ICON_SMS_NUMBER the
sending number, ICON_SMS_WHATSAPP_NUMBER the WhatsApp sender (set, every send goes by WhatsApp),
ICON_SMS_GATEWAY_URL (default https://api.twilio.com).
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import httpx

from campaign import hmacs
from campaign.gateways import (
    Base,
    HttpIn,
    HttpOut,
    Inbound,
    Outgoing,
    Refused,
    Report,
    Sent,
    clip_id,
    post_or_fail,
)

API = "https://api.twilio.com"
STATUS = {
    "accepted": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


def signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    payload = url + "".join(k + v for k, v in sorted(params))
    digest = hmacs.digest(auth_token, payload.encode(), "sha1")
    return base64.b64encode(digest).decode()


@dataclass
class Twilio(Base):
    name: str = "twilio"
    replies_inline: bool = True

    def _verified(self, request: HttpIn) -> dict[str, str]:
        self.check_token(request)
        self.check_source(request)
        params = parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        given = request.headers.get("x-twilio-signature", "")
        token = self.settings.sms_api_key
        if not token or not hmac.compare_digest(
            signature(token, request.url, params).encode(), given.encode()
        ):
            raise Refused("invalid signature")
        return dict(params)

    def inbound(self, request: HttpIn) -> Inbound:
        form = self._verified(request)
        sender = form.get("From", "").removeprefix("whatsapp:").strip()
        if not sender:
            raise Refused("missing From", 400)
        sid = clip_id(form.get("MessageSid") or form.get("SmsSid"))
        return Inbound(
            sender=sender,
            text=form.get("Body", ""),
            gateway_id=f"twilio:{sid}" if sid else None,
            recipient=form.get("To", "").removeprefix("whatsapp:"),
        )

    def answer(self, reply: str) -> HttpOut:
        twiml = '<?xml version="1.0" encoding="UTF-8"?><Response>'
        twiml += f"<Message>{escape(reply)}</Message>" if reply else ""
        return HttpOut(200, twiml + "</Response>", "application/xml")

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        sid = self.settings.sms_username
        base = self.settings.sms_gateway_url or API
        sender = self.settings.sms_whatsapp_number or self.settings.sms_number.replace(" ", "")
        channel = "whatsapp:" if self.settings.sms_whatsapp_number else ""
        response = post_or_fail(
            client,
            "POST",
            f"{base.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json",
            auth=(sid, self.settings.sms_api_key),
            data={
                "To": f"{channel}{message.to}",
                "From": f"{channel}{sender}",
                "Body": message.text,
                "StatusCallback": self.callback_url(f"/dlr?ref={message.id}"),
            },
        )
        try:
            return Sent(str(response.json().get("sid", ""))[:100])
        except ValueError:
            return Sent()

    def report(self, request: HttpIn) -> Report:
        form = self._verified(request)
        ref = request.query.removeprefix("ref=")
        status = STATUS.get(form.get("MessageStatus", ""))
        if status is None or not ref.isdigit():
            raise Refused("unknown status callback", 400)
        error = f"Twilio error {form['ErrorCode']}" if form.get("ErrorCode") else ""
        return Report(ref, status, error if status == "failed" else "")
