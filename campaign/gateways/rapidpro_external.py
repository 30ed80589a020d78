"""RapidPro / TextIt's External channel ("EX"): the other way in for a campaign whose short code
lives in RapidPro (U-Report Mali), beside the "Call Webhook" flow step (rapidpro.py).

With an External channel the site is, for RapidPro, the channel: the phone network stays on
RapidPro's side (the short code), and the site only sees what RapidPro sends on that channel.
So a message RapidPro sends on the External channel is an SMS to the site from the contact it
is addressed to, and the site's answer goes back into RapidPro as a message from that contact
on the same channel, for RapidPro to pass on to the phone (README, "Connect your SMS gateway").

The contract, from courier's own code (nyaruka/courier, handlers/external/handler.go, and the
channel type in RapidPro, temba/channels/types/external):

In (courier's ``Send``): courier calls the channel's send URL,
``/sms/rapidpro-ex/<ICON_SMS_SECRET>``, with the method set on the channel (``POST`` by
default, or ``GET``/``PUT``), the ``Content-Type`` of its content type (``urlencoded``
"application/x-www-form-urlencoded", the default, or ``json`` "application/json") and the body
template filled in: RapidPro's default body is ``id={{id}}&text={{text}}&to={{to}}&to_no_plus=
{{to_no_plus}}&from={{from}}&from_no_plus={{from_no_plus}}&channel={{channel}}``, each value
``url.QueryEscape``d (for ``json`` each value is ``json.Marshal``led, so
``{"id": {{id}}, "text": {{text}}, "to": {{to}}}`` is a JSON object of strings). ``id`` is the
message id, ``to`` the contact's URN path (``+22376123456``, national with ``use_national``),
``from`` the channel's address, ``channel`` its UUID. A text longer than the channel's max
length (160 by default) is split into several calls that carry the same ``id``: the channel
must allow 1600 here, or a long nomination would arrive cut. Any 2xx answer is taken ("wired";
if ``mt_response_check`` is set the body must contain it: the site answers ``Accepted``), a
5xx or no answer errors the message (RapidPro tries it again), any other status fails it. The
answer's body never reaches the phone, so the site cannot reply in it.

Out (courier's ``receiveMessage``): ``POST <ICON_SMS_GATEWAY_URL>``, the channel's receive URL
``https://<rapidpro>/c/ex/<channel uuid>/receive``, form fields ``from`` (or ``sender``), the
contact's number, and ``text``; ``date`` (RFC 3339) is optional and courier takes "now" without
it, which is when the queue sends anyway. 200 with ``{"message": "Message Accepted", "data":
[{"type": "msg", "channel_uuid", "msg_uuid", "text", "urn", "received_on"}]}``; 400 with
``{"message": "Error", "data": [{"type": "error", "error": "must have one of 'sender' or
'from' set"}]}``. Courier's ``/sent``, ``/delivered`` and ``/failed`` URLs take the status
(``id``) of messages courier sent through a channel that reaches phones; the site reaches
none, so its 200 is the whole answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx

from campaign.gateways import (
    MAX_TEXT,
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


def _fields(request: HttpIn) -> dict[str, str]:
    """The variables courier filled in: the query (a GET send URL) and the body (urlencoded or
    JSON, by the channel's content type)."""
    fields = {k: v[0] for k, v in parse_qs(request.query, keep_blank_values=True).items()}
    body = request.body.strip()
    if not body:
        return fields
    if "json" in request.headers.get("content-type", ""):
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused("not courier's send request: the JSON does not parse", 400) from None
        if not isinstance(payload, dict):
            raise Refused("not courier's send request: JSON object expected", 400)
        return fields | {k: "" if v is None else str(v) for k, v in payload.items()}
    pairs = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return fields | {k: v[0] for k, v in pairs.items()}


@dataclass
class RapidProExternal(Base):
    name: str = "rapidpro-ex"
    replies_inline: bool = False

    def inbound(self, request: HttpIn) -> Inbound:
        self.check_token(request)
        self.check_source(request)
        fields = _fields(request)
        message_id, to = clip_id(fields.get("id")), fields.get("to", "").strip()
        if message_id is None or not to:
            raise Refused("not courier's send request: id and to are required", 400)
        text = fields.get("text", "")
        if len(text) > MAX_TEXT:
            raise Refused(f"text over {MAX_TEXT} characters", 400)
        return Inbound(
            sender=to,
            text=text,
            gateway_id=f"rapidpro-ex:{message_id}",
            recipient=fields.get("from", "").strip(),
        )

    def answer(self, reply: str) -> HttpOut:
        # The reply goes through the queue (send below); this body is only for
        # ``mt_response_check``.
        return HttpOut(200, "Accepted")

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        response = post_or_fail(
            client,
            "POST",
            self.settings.sms_gateway_url,
            data={"from": message.to, "text": message.text},
        )
        try:
            [accepted] = response.json()["data"]
            return Sent(str(accepted.get("msg_uuid", ""))[:100])
        except (ValueError, KeyError, TypeError, AttributeError):
            return Sent()
