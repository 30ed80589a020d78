"""Slugs for profile URLs: ASCII, lower case, the name then the year ("aminata-goita-2019").

Pure: no database. A slug follows the name until the profile is first published, then never
changes: links shared on WhatsApp keep working after a spelling is corrected.
"""

from __future__ import annotations

import re
import unicodedata

from campaign.text import romanised

MAX_LENGTH = 120
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Letters NFKD does not decompose: Bambara and Fulfulde open vowels and nasals, Latin ligatures.
_LETTERS = str.maketrans(
    {
        "ɛ": "e",
        "Ɛ": "e",
        "ɔ": "o",
        "Ɔ": "o",
        "ɲ": "ny",
        "Ɲ": "ny",
        "ŋ": "ng",
        "Ŋ": "ng",
        "ɓ": "b",
        "Ɓ": "b",
        "ɗ": "d",
        "Ɗ": "d",
        "ƴ": "y",
        "Ƴ": "y",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
    }
)


def ascii_words(text: str) -> str:
    """``Dr Aminata Goïta`` -> ``dr-aminata-goita``; another script in Latin letters
    (anyascii's table: ``राम शर्मा`` -> ``ram-srma``), so that a finalist's address names them
    instead of a bare ``icon-2027``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(c if c.isascii() else romanised(c) for c in decomposed)
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


def make(name: str, year: int, taken: set[str]) -> str:
    """The slug for ``name`` in ``year``, with -2, -3... when it is already ``taken``."""
    words = ascii_words(name) or "icon"
    base = f"{words[: MAX_LENGTH - 10].strip('-')}-{year}"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def is_slug(text: str) -> bool:
    """Whether ``text`` could be a slug this module made."""
    return len(text) <= MAX_LENGTH and _SLUG.fullmatch(text) is not None
