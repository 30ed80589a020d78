"""The site's own contract (DESIGN.md), for a gateway that runs glue code of its own.

In: ``POST /sms/inbound``, form-encoded ``from``, ``text``, optional ``id``, with
``X-Icon-Signature: sha256=<hex HMAC-SHA256 of the raw body with ICON_SMS_SECRET>``; the 200
``text/plain`` answer is the reply. Out: ``POST ICON_SMS_GATEWAY_URL`` with JSON
``{"to": ..., "text": ...}`` and ``Authorization: Bearer ICON_SMS_API_KEY``; any 2xx is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx

from campaign.gateways import Base, HttpIn, Inbound, Outgoing, Refused, Sent, clip_id, post_or_fail
from campaign.sms_inbound import signature_ok


@dataclass
class Signed(Base):
    name: str = "signed"
    replies_inline: bool = True

    def inbound(self, request: HttpIn) -> Inbound:
        self.check_source(request)
        if not signature_ok(
            self.settings.sms_secret, request.body, request.headers.get("x-icon-signature")
        ):
            raise Refused("invalid signature")
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if not form.get("from"):
            raise Refused("missing sender", 400)
        return Inbound(form["from"], form.get("text", ""), clip_id(form.get("id")))

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        post_or_fail(
            client,
            "POST",
            self.settings.sms_gateway_url,
            json={"to": message.to, "text": message.text},
            headers={"Authorization": f"Bearer {self.settings.sms_api_key}"},
        )
        return Sent()
