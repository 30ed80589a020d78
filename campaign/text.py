"""Text typed by people, and numbers in it: the one cleaning rule every entry point applies
(web forms, SMS, CSV, the command line).

Control characters and the characters XML cannot carry (U+FFFE, U+FFFF, lone surrogates) are
removed: they break the podcast feed, CSV, terminals, and PostgreSQL refuses NUL outright.
Numbers are ASCII digits within bounds: ``"²".isdigit()`` is true, and ``int("²")`` fails.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# C0 controls and DEL (except tab, line feed and carriage return), surrogates, U+FFFE/U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_WHOLE = 10**12


def clean(value: object) -> str:
    """Control and XML-invalid characters out; nothing else changed."""
    return CONTROL.sub("", str(value if value is not None else ""))


def one_line(value: object) -> str:
    """Control characters out, runs of white space (new lines included) made one space."""
    return " ".join(clean(value or "").split())


def paragraphs(value: object) -> str:
    """Control characters out, line endings made ``\\n``, outer white space trimmed."""
    return re.sub(r"\r\n?", "\n", clean(value or "")).strip()


def whole(raw: object, low: int = 0, high: int = MAX_WHOLE, default=None):
    """``raw`` as an int if it is ASCII digits (outer spaces allowed) from ``low`` to ``high``;
    else ``default``."""
    digits = str(raw if raw is not None else "").strip()
    if not (0 < len(digits) <= 18 and digits.isascii() and digits.isdigit()):
        return default
    number = int(digits)
    return number if low <= number <= high else default


def clean_form(form) -> dict:
    """A posted form (or a CSV row) with every text value cleaned (and every name)."""
    return {clean(k): clean(v) if isinstance(v, str) else v for k, v in dict(form).items()}


@lru_cache(maxsize=4096)
def romanised(c: str) -> str:
    """One character of NFKD-decomposed text that is not ASCII, in Latin letters: an accent
    NFKD split off a Latin letter goes; a letter, digit or mark of another script becomes
    anyascii's Latin ("रा" is "ra", "ɛ" is "e", "۳" is "3"); a joiner inside a word ("ශ්‍රී")
    goes; any other symbol is a space, never a word (anyascii reads 😀 as ":grinning:")."""
    if "\u0300" <= c <= "\u036f":  # Combining Diacritical Marks
        return ""
    kind = unicodedata.category(c)
    if kind[0] in "LMN":
        return anyascii(c)
    return "" if kind == "Cf" else " "
