"""What a text costs on the phone network: GSM 7-bit or UCS-2, and how many SMS segments.

3GPP TS 23.038's default alphabet has no lowercase ç (only Ç), no œ, no ê: a text with one of
them either goes as UCS-2 (70 characters a segment instead of 160) or reaches the phone altered
("Reçu" arrives as "ReÇu" through Kannel). The catalogue's SMS texts are kept within the
alphabet (tests/campaign/test_gsm.py); anything else is sent as UCS-2, knowingly.
"""

from __future__ import annotations

import math
import unicodedata

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"  # two septets each (escape + character)
_BASIC, _EXTENSION = frozenset(BASIC), frozenset(EXTENSION)


def is_gsm7(text: str) -> bool:
    return all(c in _BASIC or c in _EXTENSION for c in text)


def outside(text: str) -> str:
    """The characters of ``text`` that GSM 7-bit cannot carry, in order, once each."""
    return "".join(dict.fromkeys(c for c in text if c not in _BASIC and c not in _EXTENSION))


def segments(text: str) -> int:
    """SMS segments for ``text``: 160 septets in one, 153 a part when concatenated; in UCS-2,
    70 UTF-16 units in one, 67 a part (an emoji takes two units)."""
    if is_gsm7(text):
        length = sum(2 if c in _EXTENSION else 1 for c in text)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-be")) // 2
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


# Characters people type that GSM 7-bit lacks, with the nearest it has.
_NEAREST = {
    "ç": "c",
    "œ": "oe",
    "Œ": "OE",
    "’": "'",
    "‘": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
}


def fold(text: str) -> str:
    """Each character GSM 7-bit lacks replaced by its nearest (ï -> i, ê -> e, ç -> c), where
    there is one; others (Arabic script, emoji) stay."""
    out = []
    for c in text:
        if c in _BASIC or c in _EXTENSION:
            out.append(c)
        elif c in _NEAREST:
            out.append(_NEAREST[c])
        else:
            base = unicodedata.normalize("NFKD", c)[:1]
            out.append(base if base and base in _BASIC else c)
    return "".join(out)


def fit(text: str) -> tuple[str, int]:
    """The text to send and its coding (0 GSM 7-bit, 2 UCS-2): as written when GSM 7-bit can
    carry it or when folding would not save a segment (one UCS-2 segment says it all); folded
    when that makes it GSM 7-bit in fewer segments (a name's ï costs no second SMS)."""
    if is_gsm7(text):
        return text, 0
    folded = fold(text)
    if is_gsm7(folded) and segments(folded) < segments(text):
        return folded, 0
    return text, 2
