"""Phone numbers: parsed for the campaign's country or in international form, kept as E.164,
and hashed with a key wherever they only need comparing (one vote per person, rate limits)."""

from __future__ import annotations

import re

import phonenumbers

from campaign import hmacs, phone_fast
from campaign.errors import Invalid
from campaign.i18n import N_

MAX_RAW = 40


def _fast(raw: str, country: str) -> str | None:
    """The E.164 of a valid number of ``country`` in a common spelling, without phonenumbers'
    parser (campaign/phone_fast.py); None means "ask phonenumbers"."""
    fast = phone_fast.country(country) if country else None
    if fast is None:
        return None
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_RAW:
        return None
    return fast.e164("+" + raw[2:] if raw.startswith("00") else raw)


def _parse(raw: str, country: str) -> phonenumbers.PhoneNumber | None:
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_RAW:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) and raw.isdigit():
        return _parse("+" + raw, country)  # gateways write "22376123456" for +223 76 12 34 56
    return number if phonenumbers.is_valid_number(number) else None


def normalise(raw: str, country: str, field: str = "phone") -> str:
    """``"76 12 34 56"`` in Mali -> ``"+22376123456"``; raises Invalid(field) otherwise."""
    if not (raw or "").strip() or len(raw.strip()) > MAX_RAW:
        raise Invalid({field: N_("Enter a phone number.")})
    found = _fast(raw, country)
    if found is not None:
        return found
    number = _parse(raw, country)
    if number is None:
        raise Invalid({field: N_("This phone number is not valid.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(raw: str, country: str) -> str | None:
    """The number in E.164 if it is valid and belongs to ``country``; else None (one parse)."""
    return _fast(raw, country) or _national_parsed(raw, country)


def _national_parsed(raw: str, country: str) -> str | None:
    number = _parse(raw, country)
    if number is None or phonenumbers.region_code_for_number(number) != country.upper():
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyed_hash(secret_key: str, value: str, purpose: str = "phone") -> str:
    """HMAC-SHA256 of ``purpose:value``, hex: equal inputs compare equal, and the number cannot
    be read back."""
    return hmacs.hex_digest(secret_key, value.encode(), "sha256", f"{purpose}:")


def masked(e164: str) -> str:
    """``+22376123456`` -> ``+223 •••• 56``: enough for a person to recognise their own."""
    return f"{e164[:4]} •••• {e164[-2:]}" if len(e164) > 6 else "••••"


def masked_groups(e164: str) -> str:
    """``+22376123456`` -> ``+223 76 •• •• 56``: the country code, the first group and the last
    two digits, in the number's own grouping; what a stored message keeps of its recipient."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return masked(e164)
    grouped = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    code, _, rest = grouped.partition(" ")
    first, sep, tail = rest.partition(" ") if " " in rest else rest.partition("-")
    if not sep:
        return masked(e164)
    digits = sum(c.isdigit() for c in tail)
    kept, out = 0, []
    for c in tail:
        if c.isdigit():
            kept += 1
            out.append(c if kept > digits - 2 else "•")
        else:
            out.append(c)
    return f"{code} {first}{sep}{''.join(out)}"


# A run of digits as numbers are written: "+223 76-12.34 56", "(0)76123456", "0022376123456".
_DIGIT_RUN = re.compile(r"\+?\d[\d ().-]*\d")


def without_number(text: str, e164: str) -> str:
    """``text`` with every spelling of ``e164`` in it masked (``masked_groups``): a gateway's
    error or an exception's message may quote the recipient, in full, national or grouped
    form, and such text is kept in the queue's rows and logs, where numbers are only masked.
    Within a run of digits and separators, the national number's digits are masked with the
    prefix before them (+, 00, 0, the country code); digits after them stay ("+22376000001 -
    21211", an error code)."""
    try:
        number = phonenumbers.parse(e164)
        national, code = str(number.national_number), str(number.country_code)
    except phonenumbers.NumberParseException:
        national, code = e164.lstrip("+"), ""
    if len(national) < 4:
        return text
    prefixes = {"", "0", code, f"00{code}", f"0{code}"}
    hidden = masked_groups(e164)

    def mask(match: re.Match[str]) -> str:
        run = match.group()
        at = [k for k, c in enumerate(run) if c.isdigit()]  # where each digit of the run is
        digits = "".join(run[k] for k in at)
        out, end, start = [], 0, digits.find(national)
        while start >= 0:
            stop = start + len(national)
            first = at[end] if digits[end:start] in prefixes else at[start]
            first = first - 1 if first > 0 and run[first - 1] == "+" else first
            out += [run[at[end - 1] + 1 if end else 0 : first], hidden]
            end, start = stop, digits.find(national, stop)
        return "".join(out) + run[at[end - 1] + 1 if end else 0 :]

    return _DIGIT_RUN.sub(mask, text)


def run_token(secret_key: str, e164: str) -> int:
    """Six digits that keep consecutive numbers consecutive without keeping the number's tail:
    a keyed hash of the number's block of a hundred (all digits but the last two), four digits
    of it, then the last two digits. What the fraud signals' runs of SIM cards need, and no
    more: without the key, a token says nothing of the number."""
    block = int(keyed_hash(secret_key, e164[:-2], "phone-block")[:12], 16) % 10**4
    return block * 100 + int(e164[-2:])
