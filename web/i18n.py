"""Interface languages: Babel catalogues under web/locale/<code>/LC_MESSAGES/messages.po.

French is the default, English the second, Urdu the third (right to left); a new language is a
new folder with a messages.po (its name and writing direction come from Babel). Catalogues are
compiled in memory at start-up, so no build step. The edition chooses which of them it offers
(``Campaign.interface_languages``, default first; a code without a folder waits for it). The
visitor's choice is kept in the ``lang`` cookie for a year.
"""

from __future__ import annotations

import asyncio
import io
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.concurrency import run_in_threadpool

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "fr"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself: a visitor recognises their own
    dir: str = "ltr"  # the HTML dir attribute: "rtl" for Urdu, Arabic...

    @classmethod
    def from_code(cls, code: str) -> Language:
        locale = Locale.parse(code)
        rtl = locale.character_order == "right-to-left"
        return cls(code, locale.get_display_name(code).capitalize(), "rtl" if rtl else "ltr")


def _compile(path: Path) -> Translations:
    with path.open("rb") as f:
        catalog = read_po(f)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Catalogue:
    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self.translations: dict[str, Translations] = {}
        for po in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po")):
            self.translations[po.parent.parent.name] = _compile(po)
        if DEFAULT not in self.translations:
            raise RuntimeError(f"The default language catalogue ({DEFAULT}) is missing.")
        codes = [DEFAULT] + sorted(c for c in self.translations if c != DEFAULT)
        self.languages = [Language.from_code(c) for c in codes]
        self.by_code = {language.code: language for language in self.languages}

    def __contains__(self, code: object) -> bool:
        return code in self.translations

    def codes(self) -> list[str]:
        return [language.code for language in self.languages]

    def offered(self, wanted: Sequence[str] | None = None) -> list[Language]:
        """The languages an edition offers, in its order; every one when it names none here."""
        by_code = {language.code: language for language in self.languages}
        found = [by_code[c] for c in dict.fromkeys(wanted or ()) if c in by_code]
        return found or self.languages

    def negotiate(
        self, cookie: str | None, accept_language: str | None, wanted: Sequence[str] | None = None
    ) -> str:
        codes = [language.code for language in self.offered(wanted)]
        if cookie in codes:
            return cookie
        for code in _accept_language_codes(accept_language or ""):
            if code in codes:
                return code
        return codes[0]

    def gettext(self, code: str, message: str) -> str:
        return self.translations[code].gettext(message)


def _accept_language_codes(header: str) -> list[str]:
    """``en-GB,en;q=0.8,fr;q=0.5`` -> ["en", "en", "fr"], by quality."""
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [code for _q, _i, code in sorted(weighted) if _q < 0]


# Paths that never render a page in the visitor's language: no need to read the edition.
NO_PAGE = ("/static/", "/sms/", "/audio/", "/healthz", "/metrics", "/feeds/")


class OfferedLanguages:
    """Pure ASGI middleware putting the current edition's interface languages in the request's
    state. ``known`` answers from a short-lived copy without the database (on the loop); only
    when it has none is ``load`` run, in the thread pool (see languages.LANGUAGES_TTL)."""

    def __init__(
        self, app, load: Callable[[], list[str]], known: Callable[[], list[str] | None]
    ) -> None:
        self.app, self.load, self.known = app, load, known
        # One lock per event loop (a lock belongs to the loop it first waited on).
        self.reading: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and not scope["path"].startswith(NO_PAGE):
            codes = self.known()
            if codes is None:
                # One read when the copy expires, not one per request then in flight.
                loop = asyncio.get_running_loop()
                async with self.reading.setdefault(loop, asyncio.Lock()):
                    codes = self.known()
                    if codes is None:
                        codes = await run_in_threadpool(self.load)
            scope.setdefault("state", {})["offered_languages"] = codes
        await self.app(scope, receive, send)
