"""RapidPro / TextIt (U-Report Mali runs on RapidPro and owns a short code).

In, from RapidPro's flow documentation, "Call Webhook" action: the flow started by a keyword
posts JSON to the URL (``/sms/rapidpro/<ICON_SMS_SECRET>``); its default body is
``{"contact": {"uuid", "name", "urn": "tel:+22376123456"}, "flow": {...}, "path": [...],
"results": {...}, "run": {"uuid", "created_on"}, "input": {"uuid", "urn", "text", "channel",
"created_on"}, "channel": {...}}``. The webhook's JSON answer is available to the flow as
``@webhook``: the site answers ``{"reply": "..."}`` and the next "Send Message" step sends
``@webhook.reply``. A non-2xx answer takes the flow's "Failure" branch.

Out, RapidPro's API v2, "broadcasts" endpoint: ``POST /api/v2/broadcasts.json`` with
``Authorization: Token <API token>`` and JSON ``{"urns": ["tel:+22376123456"], "text": "..."}``;
201 with the broadcast (``{"id": 1234, ...}``). RapidPro does not report delivery per message
back to the site.

Settings: ICON_SMS_GATEWAY_URL the workspace's host (https://rapidpro.example.org or
https://textit.com), ICON_SMS_API_KEY the API token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from campaign.gateways import (
    Base,
    HttpIn,
    HttpOut,
    Inbound,
    Outgoing,
    Refused,
    Sent,
    clip_id,
    post_or_fail,
)


@dataclass
class RapidPro(Base):
    name: str = "rapidpro"
    replies_inline: bool = True

    def inbound(self, request: HttpIn) -> Inbound:
        self.check_token(request)
        self.check_source(request)
        try:
            payload = json.loads(request.body)
            contact, given = payload.get("contact") or {}, payload.get("input") or {}
            urn = str(given.get("urn") or contact.get("urn") or "")
            text = str(given.get("text") or "")
        except (ValueError, AttributeError):
            raise Refused("not RapidPro's webhook JSON", 400) from None
        scheme, _, path = urn.partition(":")
        if scheme not in ("tel", "whatsapp") or not path:
            raise Refused("the contact has no phone number (tel: URN)", 400)
        message_id = clip_id(given.get("uuid"))
        return Inbound(
            sender=path, text=text, gateway_id=f"rapidpro:{message_id}" if message_id else None
        )

    def answer(self, reply: str) -> HttpOut:
        return HttpOut(200, json.dumps({"reply": reply}, ensure_ascii=False), "application/json")

    def refusal(self, error: Refused) -> HttpOut:
        return HttpOut(error.status, json.dumps({"error": error.reason}), "application/json")

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        base = self.settings.sms_gateway_url.rstrip("/")
        response = post_or_fail(
            client,
            "POST",
            f"{base}/api/v2/broadcasts.json",
            json={"urns": [f"tel:{message.to}"], "text": message.text},
            headers={"Authorization": f"Token {self.settings.sms_api_key}"},
        )
        try:
            return Sent(str(response.json().get("id", ""))[:100])
        except ValueError:
            return Sent()
