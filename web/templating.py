"""Jinja2 rendering: one environment per interface language, pages and their htmx fragments."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments import render_block
from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from campaign.i18n import N_, in_first_language
from web import htmx, warnings
from web.i18n import COOKIE, Catalogue

TEMPLATE_DIR = Path(__file__).parent / "templates"
KILOBYTES, MEGABYTES = N_("%(size)s KB"), N_("%(size)s MB")
# Where a filled page's values go (render_filled): a text marker, or for a number (a "%d" in a
# message) a number no page shows; both pass Jinja's escaping unchanged.
TEXT_MARK, NUMBER_MARK = "\x1eslot{}\x1e", 7_300_000_000_000
MAX_FILLED = 64


def _datetime_filter(code: str):
    def format_(value: datetime | None, tz: str = "UTC", fmt: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value, fmt, tzinfo=ZoneInfo(tz), locale=code)

    return format_


def _number_filter(code: str):
    def format_(value: float) -> str:
        return format_decimal(value, locale=code)

    return format_


def _percent_filter(code: str):
    def format_(share: float) -> str:
        return format_percent(share, locale=code)

    return format_


def _filesize_filter(code: str, gettext):
    """Sizes for people who pay per megabyte: "850 ko", "1,2 Mo" in French, "1.2 MB" in English."""

    def format_(size: int) -> str:
        if size < 1_000_000:
            return gettext(KILOBYTES) % {
                "size": format_decimal(max(1, round(size / 1000)), locale=code)
            }
        return gettext(MEGABYTES) % {
            "size": format_decimal(round(size / 1_000_000, 1), locale=code)
        }

    return format_


def _manager_page(request: Request, user) -> bool:
    return (
        user is not None
        and user.role == "manager"
        and request.url.path.startswith(("/manage", "/jury"))
    )


def _local(lang: str, offered: list[str] | None) -> Callable[[dict], str]:
    """An edition's own text ({"fr": ..., "en": ...}) in the reader's language, else in the
    edition's next interface language that has it, else French or English: an Urdu or Nepali
    reader of an edition that also offers English gets English, not French."""
    order = [lang, *(offered or []), "fr", "en"]
    return lambda texts: in_first_language(texts, order)


class Renderer:
    def __init__(self, catalogue: Catalogue, template_dir: Path = TEMPLATE_DIR) -> None:
        self.catalogue = catalogue
        self.envs: dict[str, Environment] = {}
        self.filled: dict[tuple, list[str]] = {}
        for code, translations in catalogue.translations.items():
            env = Environment(
                loader=FileSystemLoader(template_dir),
                autoescape=select_autoescape(default=True),
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(translations, newstyle=True)
            env.filters["datetime"] = _datetime_filter(code)
            env.filters["number"] = _number_filter(code)
            env.filters["percent"] = _percent_filter(code)
            env.filters["filesize"] = _filesize_filter(code, translations.gettext)
            self.envs[code] = env

    @staticmethod
    def wanted(request: Request) -> list[str] | None:
        """The interface languages the current edition offers (see web.i18n.OfferedLanguages)."""
        return request.scope.get("state", {}).get("offered_languages")

    def language(self, request: Request) -> str:
        return self.catalogue.negotiate(
            request.cookies.get(COOKIE),
            request.headers.get("accept-language"),
            self.wanted(request),
        )

    def gettext(self, request: Request, message: str) -> str:
        return self.catalogue.gettext(self.language(request), message)

    def render(
        self,
        request: Request,
        template: str,
        context: dict | None = None,
        *,
        status: int = 200,
        block: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """The page, or only ``block`` when htmx asks (the same URL serves both)."""
        lang = self.language(request)
        env = self.envs[lang]
        ctx = {
            "request": request,
            "lang": lang,
            "dir": self.catalogue.by_code[lang].dir,
            "languages": self.catalogue.offered(self.wanted(request)),
            "local": _local(lang, self.wanted(request)),
            "csrf_token": request.scope.get("state", {}).get("csrf_token", ""),
            "user": getattr(request.state, "user", None),
            **(context or {}),
        }
        fragment = block is not None and htmx.is_htmx(request)
        if not fragment and _manager_page(request, ctx["user"]):
            ctx["warnings"] = warnings.for_managers(request, env.filters["datetime"])
        if fragment:
            html = render_block(env, template, block, ctx)
        else:
            html = env.get_template(template).render(ctx)
        response = HTMLResponse(html, status_code=status, headers=headers)
        response.headers["Content-Language"] = lang
        if block is not None:
            response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
        else:
            response.headers["Vary"] = "Cookie, Accept-Language"
        return response

    def render_filled(
        self,
        request: Request,
        template: str,
        values: dict[str, str | int],
        context: Callable[[dict], dict],
        *,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """``render(request, template, context(values))``, byte for byte, from a page rendered
        once per language, offered languages and path with markers where ``values`` (and the
        CSRF token) go; each request fills them in, escaped as Jinja escapes them. A signed-in
        visitor (their menu), a query string or a value of another type get the full render."""
        wanted = self.wanted(request)
        user = getattr(request.state, "user", None)
        plain = all(type(v) in (str, int) for v in values.values())
        if user is not None or request.url.query or not plain:
            return self.render(request, template, context(values), headers=headers)
        lang = self.language(request)
        path = request.url.path
        token = request.scope.get("state", {}).get("csrf_token", "")
        html = self.filled_page(template, lang, wanted, path, values, token)
        if html is None:
            parts = self._marked(request, template, values, context)
            full = self.render(request, template, context(values), headers=headers)
            # Kept only if it gives the full render's page (a value shown through a filter
            # would not be found at its marker): the first visitor's page is the proof.
            html = _fill(parts, {**values, "csrf_token": token})
            if html != full.body.decode():
                return full
            if len(self.filled) < MAX_FILLED:  # bounded: a few templates and languages
                self.filled[_filled_key(template, lang, wanted, path, values)] = parts
        response = HTMLResponse(html, headers=headers)
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = "Cookie, Accept-Language"
        return response

    def filled_page(
        self,
        template: str,
        lang: str,
        wanted: list[str] | None,
        path: str,
        values: dict[str, str | int],
        csrf_token: str,
    ) -> str | None:
        """The page ``render_filled`` gives a visitor who is not signed in, without a request
        (web/lean_vote.py); None until a first full render proved its filled page right."""
        parts = self.filled.get(_filled_key(template, lang, wanted, path, values))
        if parts is None:
            return None
        return _fill(parts, {**values, "csrf_token": csrf_token})

    def _marked(self, request, template, values, context) -> list[str]:
        """The page split at its markers: [text, slot name, text, slot name, ..., text]."""
        marks, names = {}, {}
        for i, (name, value) in enumerate(values.items()):
            marks[name] = NUMBER_MARK + i if type(value) is int else TEXT_MARK.format(i)
            names[str(marks[name])] = name
        names[TEXT_MARK.format("csrf")] = "csrf_token"
        request.scope.setdefault("state", {})
        token = request.scope["state"].get("csrf_token", "")
        request.scope["state"]["csrf_token"] = TEXT_MARK.format("csrf")
        try:
            html = self.render(request, template, context(marks)).body.decode()
        finally:
            request.scope["state"]["csrf_token"] = token
        pattern = "(" + "|".join(re.escape(mark) for mark in names) + ")"
        return [
            names.get(part, part) if i % 2 else part
            for i, part in enumerate(re.split(pattern, html))
        ]


def _filled_key(template, lang, wanted, path, values) -> tuple:
    return (
        template,
        lang,
        tuple(wanted or ()),
        path,
        tuple((k, type(v)) for k, v in values.items()),
    )


def _fill(parts: list[str], values: dict) -> str:
    return "".join(
        part if i % 2 == 0 else str(escape(values[part])) for i, part in enumerate(parts)
    )
