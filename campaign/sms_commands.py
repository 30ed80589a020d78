"""The one parser of SMS commands: what a phone's text asks for, in the edition's own words.

``ICON 3``, ``VOTE 3`` or a lone ``3`` vote; ``NOM name, post, town`` nominates; ``SUIVI CODE``
or ``TRACK CODE`` asks a nomination's status; ``AIDE`` or ``HELP`` (or ``?``) lists the commands.
An edition may give each command its own word (``Campaign.sms_keywords``: a campaign says
``VOTEZ``); the built-in words keep working beside it, so a poster printed last year still
works. Digits of any script count: ``ICON ٣`` (Arabic-Indic), ``ICON ३`` (Devanagari) and
``ICON ３`` (full-width) vote for 3. The vote path (voting/sms.py), the nominations by SMS
(nominations/sms.py) and the webhook's routing (web/routes/sms.py) all ask this module.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from campaign.i18n import N_

COMMANDS = ("vote", "nominate", "track", "help")
# The words every edition understands, whatever its own: the first is the default own word.
BUILT_IN = {
    "vote": ("ICON", "VOTE"),
    "nominate": ("NOM",),
    "track": ("SUIVI", "TRACK"),
    "help": ("AIDE", "HELP"),
}
DEFAULTS = {command: words[0] for command, words in BUILT_IN.items()}
WORD = re.compile(r"^[A-Z0-9]{2,12}$")
NUMBER = re.compile(r"([0-9]{1,6})\s*[.!]?")  # a candidate number, up to 6 digits
SEPARATORS = " \t\r\n:.,#-"
KEYWORD_INVALID = N_("One word of 2 to 12 letters or digits, without spaces or accents.")
KEYWORD_NUMBER = N_("A keyword cannot be only digits: a lone number is a vote.")
KEYWORD_CLASH = N_("Each command needs its own word: this one is already used.")


def ascii_digits(text: str) -> str:
    """Digits of any script as ASCII: ``٣``, ``३`` and ``３`` are 3."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in text
    )


@dataclass(frozen=True)
class Keywords:
    """The edition's own word for each command (upper case)."""

    vote: str = DEFAULTS["vote"]
    nominate: str = DEFAULTS["nominate"]
    track: str = DEFAULTS["track"]
    help: str = DEFAULTS["help"]

    @classmethod
    def of(cls, stored: dict | None) -> Keywords:
        """From ``Campaign.sms_keywords`` (missing or bad entries take the default)."""
        stored = stored or {}
        values = {}
        for command in COMMANDS:
            word = str(stored.get(command) or "").strip().upper()
            values[command] = word if WORD.match(word) and not word.isdigit() else DEFAULTS[command]
        return cls(**values)

    def words(self, command: str) -> tuple[str, ...]:
        own = getattr(self, command)
        return (own, *(w for w in BUILT_IN[command] if w != own))

    def params(self) -> dict[str, str]:
        """For the catalogue's texts: ``%(vote_word)s`` and the like."""
        return {f"{command}_word": getattr(self, command) for command in COMMANDS}


DEFAULT = Keywords()


@dataclass(frozen=True)
class Command:
    kind: str  # vote | nominate | track | help
    keyword: str  # the word the text began with ("" for a lone number)
    argument: str  # what follows the keyword, trimmed
    number: int | None = None  # a vote's candidate number, when the argument is one


def parse(text: str | None, keywords: Keywords = DEFAULT) -> Command | None:
    """What ``text`` asks for, or None when it starts with no command."""
    text = ascii_digits(text or "").strip()
    if not text:
        return None
    if text == "?":
        return Command("help", "?", "")
    head = re.match(r"[A-Za-z0-9]+", text)
    first = head.group(0).upper() if head else ""
    for command in COMMANDS:
        for word in keywords.words(command):
            if first == word:
                rest = text[len(word) :].lstrip(SEPARATORS).strip()
                return Command(command, word, rest, _number(rest) if command == "vote" else None)
            if command == "vote" and first.startswith(word) and first[len(word) :].isdigit():
                rest = text[len(word) :].strip()  # "ICON3"
                return Command(command, word, rest, _number(rest))
    if first.isdigit() and text[len(first) :].strip() in ("", ".", "!"):
        return Command("vote", "", first, _number(first))
    return None


def _number(argument: str) -> int | None:
    found = NUMBER.fullmatch(argument.strip())
    return int(found.group(1)) if found else None


def vote_number(text: str | None, keywords: Keywords = DEFAULT) -> int | None:
    """The candidate number of a well-formed vote, else None."""
    command = parse(text, keywords)
    return command.number if command is not None and command.kind == "vote" else None


def check(form: dict[str, str]) -> tuple[Keywords, dict[str, str]]:
    """A manager's keywords: each a single word, not only digits, no two commands sharing a
    word (their own or a built-in one). Returns the keywords and the errors by field."""
    errors: dict[str, str] = {}
    chosen = {}
    for command in COMMANDS:
        word = " ".join(str(form.get(f"kw_{command}", "")).split()).upper()
        if not WORD.match(word):
            errors[f"kw_{command}"] = KEYWORD_INVALID
        elif word.isdigit():
            errors[f"kw_{command}"] = KEYWORD_NUMBER
        chosen[command] = word
    for command in COMMANDS:
        if f"kw_{command}" in errors:
            continue
        others = {w for c in COMMANDS if c != command for w in (chosen[c], *BUILT_IN[c])}
        if chosen[command] in others:
            errors[f"kw_{command}"] = KEYWORD_CLASH
    return (Keywords(**chosen) if not errors else DEFAULT), errors


class KeywordCache:
    """The current edition's keywords for the webhook's routing, read again every ``ttl``
    seconds (one query per SMS would cost the voting night; a change shows within seconds)."""

    def __init__(self, load, ttl: float = 5.0) -> None:
        self.load, self.ttl = load, ttl
        self._value: Keywords | None = None
        self._at = 0.0
        self._lock = threading.Lock()
        self._reading = False  # a caller of ``peek`` was told to read them again

    def fresh(self) -> bool:
        return self._value is not None and time.monotonic() - self._at <= self.ttl

    def peek(self) -> Keywords | None:
        """The keywords without a read, or None: call ``get`` (from a thread). Once they expire,
        the first caller is sent to read them and the others keep the last ones meanwhile:
        otherwise every request of a burst made its own thread hop, and the event loop stalled
        while the pool started threads for them."""
        if self._value is None:
            return None
        if self._reading or self.fresh():
            return self._value
        self._reading = True
        return None

    def get(self) -> Keywords:
        now = time.monotonic()
        with self._lock:
            try:
                if self._value is None or now - self._at > self.ttl:
                    self._value, self._at = self.load(), now
                return self._value
            finally:
                self._reading = False

    def forget(self) -> None:
        with self._lock:
            self._value = None
