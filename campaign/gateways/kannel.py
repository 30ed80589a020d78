"""Kannel (kannel.org), the open-source gateway operators and aggregators run; Debian's ``kannel``.

In, from the Kannel 1.4 user guide, "SMS service configurations": smsbox's ``sms-service`` with
``get-url = "https://site/sms/kannel/<ICON_SMS_SECRET>?sender=%p&to=%P&message=%b&id=%I&coding=%c
&charset=%C"``: "%p the phone number of the sender of the SMS message", "%P the phone number of the
receiver", "%b the original SMS message, in binary form" (urlencoded bytes: UTF-16BE when the
message came as UCS-2 and ``mo-recode`` could not make it UTF-8), "%I the internal message ID"
(kept across smsbox's retries). "If the content type is text/plain, the body is sent as the reply";
on an HTTP error smsbox retries (``http-request-retry``) and then sends ``reply-couldnotfetch``.
So every answer here is 200 text/plain, refusals included (with an empty body, which
``omit-empty = true`` keeps from reaching the phone); with ``accept-x-kannel-headers = true`` the
answer's ``X-Kannel-Coding: 2`` makes smsbox send the reply as UCS-2.

Out, "Sending SMS messages" (the sendsms interface): ``GET /cgi-bin/sendsms?username=&password=
&from=&to=&text=&charset=&coding=&dlr-mask=&dlr-url=``; "coding 0 (7 bits), 1 (8 bits) or 2
(UCS-2)"; the answer is 202 "0: Accepted for delivery" or "3: Queued for later delivery", 4xx for
a refused request ("Authorization failed", "Invalid content-type" for a JSON post), 503 when
smsbox cannot take it. Delivery reports: Kannel calls ``dlr-url`` with "%d the delivery report
value": 1 delivered to phone, 2 non-delivered to phone, 4 queued on SMSC, 8 delivered to SMSC,
16 non-delivered to SMSC; "%A the SMSC's reply".
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

import httpx

from campaign import gsm
from campaign.gateways import (
    MAX_TEXT,
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

# 8 (accepted by the SMSC) is left out: the 202 of sendsms says as much, and each report is a
# request and a write on the site.
DLR_MASK = 1 + 2 + 16
DLR_STATUS = {1: "delivered", 2: "failed", 4: "sent", 8: "sent", 16: "failed"}


def _raw_query(query: str) -> dict[str, bytes]:
    # Latin-1 maps each byte to one character: the bytes come back exactly, whatever they are.
    pairs = parse_qs(query, keep_blank_values=True, encoding="latin-1")
    return {k: v[0].encode("latin-1") for k, v in pairs.items()}


def decode(raw: bytes, coding: bytes = b"", charset: bytes = b"") -> str:
    """%b in the charset smsbox says (%C), UCS-2 when %c is 2; else UTF-8, else Windows-1252
    (what smsbox hands over for a GSM text it did not recode)."""
    name = charset.decode("ascii", "replace").strip().upper()
    if name in ("UTF-16BE", "UCS-2", "UCS2", "UTF-16") or coding.strip() == b"2":
        return raw.decode("utf-16-be", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("windows-1252", "replace")


@dataclass
class Kannel(Base):
    name: str = "kannel"
    replies_inline: bool = True

    def inbound(self, request: HttpIn) -> Inbound:
        self.check_token(request)
        self.check_source(request)
        q = _raw_query(request.query)
        sender = q.get("sender", b"").decode("utf-8", "replace").strip()
        if not sender:
            raise Refused("missing sender", 400)
        text = decode(q.get("message", b""), q.get("coding", b""), q.get("charset", b""))
        gateway_id = clip_id(q.get("id", b"").decode("ascii", "replace"))
        return Inbound(
            sender=sender,
            text=text[:MAX_TEXT],
            gateway_id=f"kannel:{gateway_id}" if gateway_id else None,
            recipient=q.get("to", b"").decode("utf-8", "replace").strip(),
        )

    def answer(self, reply: str) -> HttpOut:
        # smsbox reads X-Kannel-Coding (accept-x-kannel-headers = true): without it, a text
        # outside GSM 7-bit reaches the phone altered ("Reçu" as "ReÇu", "Goïta" as "Go?ta").
        text, coding = gsm.fit(reply)
        return HttpOut(200, text, headers=(("X-Kannel-Coding", str(coding)),) if coding else ())

    def refusal(self, error: Refused) -> HttpOut:
        # Anything but 200 makes smsbox retry and then text the phone "Could not fetch content".
        return HttpOut(200, "")

    def send(self, client: httpx.Client, message: Outgoing) -> Sent:
        text, coding = gsm.fit(message.text)
        params = {
            "username": self.settings.sms_username,
            "password": self.settings.sms_api_key,
            "to": message.to,
            "text": text,
            "charset": "UTF-8",
            "coding": str(coding),
            "dlr-mask": str(DLR_MASK),
            "dlr-url": self.callback_url(f"/dlr?ref={message.id}&type=%d&answer=%A"),
        }
        if self.settings.sms_number:
            params["from"] = self.settings.sms_number.replace(" ", "")
        post_or_fail(client, "GET", self.settings.sms_gateway_url, params=params)
        return Sent()

    def report(self, request: HttpIn) -> Report:
        self.check_token(request)
        self.check_source(request)
        q = _raw_query(request.query)
        ref = q.get("ref", b"").decode("ascii", "replace").strip()
        try:
            status = DLR_STATUS[int(q.get("type", b"0"))]
        except (KeyError, ValueError):
            raise Refused("unknown delivery report type", 400) from None
        if not ref.isdigit():
            raise Refused("missing message reference", 400)
        answer = q.get("answer", b"").decode("utf-8", "replace")[:200]
        return Report(ref, status, answer if status == "failed" else "")
