"""Text typed by people: control characters removed (they break XML feeds, CSV and terminals)."""

from __future__ import annotations

import re

# C0 controls and DEL, except tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(value: object) -> str:
    """Control characters out, runs of white space (new lines included) made one space."""
    return " ".join(CONTROL.sub("", str(value or "")).split())


def paragraphs(value: object) -> str:
    """Control characters out, line endings made ``\\n``, outer white space trimmed."""
    return re.sub(r"\r\n?", "\n", CONTROL.sub("", str(value or ""))).strip()
