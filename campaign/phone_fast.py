"""A quick check for the numbers of one country, built once from phonenumbers' own metadata.

``phonenumbers.parse`` with ``is_valid_number`` and ``format_number`` costs 15-25 us a number,
most of a vote's own work on voting night. Nearly every voter writes their own country's number
in one of a few spellings (``76 12 34 56``, ``+223 76-12-34-56``, ``0022376123456``, digits of
another script), and for those the answer follows from the metadata alone: the country calling
code, the national prefix, the possible lengths and the patterns of each number type.

``FastCountry.e164`` answers only a number it finds valid, and only in the spellings whose
meaning it knows; for anything else (an invalid or foreign number, letters, brackets, an
extension) it answers None and the caller asks phonenumbers. A property test holds its answers
to phonenumbers' own (tests/campaign/test_phone_fast.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

SEPARATORS = " -."
# The number types ``is_valid_number`` accepts (its ``_number_type_helper``).
TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


class FastCountry:
    def __init__(self, metadata: PhoneMetadata):
        self.code = str(metadata.country_code)
        self.prefix = metadata.national_prefix_for_parsing or ""
        self.international = re.compile(metadata.international_prefix or "(?!)")
        general = metadata.general_desc
        self.lengths = frozenset(general.possible_length) - set(general.possible_length_local_only)
        self.general = re.compile(general.national_number_pattern)
        self.types = []
        for name in TYPES:
            desc = getattr(metadata, name)
            if desc is not None and desc.national_number_pattern:
                lengths = frozenset(desc.possible_length) or None
                self.types.append((lengths, re.compile(desc.national_number_pattern)))

    def e164(self, raw: str) -> str | None:
        """``raw`` (stripped, with ``00`` already turned into ``+``) in E.164, or None."""
        plus = raw.startswith("+")
        digits = _digits(raw[1:].lstrip(SEPARATORS) if plus else raw)
        if digits is None:
            return None
        if plus:
            if not digits.startswith(self.code):
                return None
            national = digits[len(self.code) :]
        elif digits.startswith(self.code) or self.international.match(digits):
            return None  # phonenumbers may read a country code or an exit code here
        else:
            national = digits
        if self.prefix and national.startswith(self.prefix):
            national = national[len(self.prefix) :]
        if national.startswith("0") or not self._valid(national):
            return None
        return f"+{self.code}{national}"

    def _valid(self, national: str) -> bool:
        size = len(national)
        if size not in self.lengths or not self.general.fullmatch(national):
            return False
        return any(
            (lengths is None or size in lengths) and pattern.fullmatch(national)
            for lengths, pattern in self.types
        )


def _digits(text: str) -> str | None:
    """The digits of ``digit [separators] digit ...``, any script, as ASCII; None otherwise."""
    if not text or not text[0].isdecimal() or not text[-1].isdecimal():
        return None
    if text.isascii():
        out = text.replace(" ", "").replace("-", "").replace(".", "")
        return out if out.isdigit() else None
    out = []
    for c in text:
        if c.isdecimal():
            out.append(str(unicodedata.decimal(c)))
        elif c not in SEPARATORS:
            return None
    return "".join(out)


@cache
def country(region: str) -> FastCountry | None:
    """The fast check of ``region``, or None where phonenumbers alone can say: a calling code
    shared by several regions, a national prefix that is a pattern or is rewritten."""
    metadata = PhoneMetadata.metadata_for_region(region.upper())
    if metadata is None or metadata.country_code is None:
        return None
    if phonenumbers.region_codes_for_country_code(metadata.country_code) != (region.upper(),):
        return None
    prefix = metadata.national_prefix_for_parsing or ""
    if metadata.national_prefix_transform_rule or not (prefix == "" or prefix.isdigit()):
        return None
    return FastCountry(metadata)
