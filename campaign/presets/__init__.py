"""Country presets for a new edition, read from the libraries that keep this knowledge.

Regions are pycountry's first-level ISO 3166-2 subdivisions, language names come from Babel in
the reader's language (pycountry's ISO 639 name where Babel has none), the phone country is one
phonenumbers knows, the time zone one zoneinfo knows. ``countries.toml`` holds only what the
libraries lack (Mali's regions as the campaign uses them, the national languages, the zone of a
country with several). Any ISO country gets a preset; the ten in the file get a finer one.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import phonenumbers
import pycountry
from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from campaign.errors import Invalid
from campaign.i18n import N_

DATA = Path(__file__).with_name("countries.toml")
UNKNOWN_COUNTRY = N_("Unknown country code: use the two letters of ISO 3166 (NP, ML, ...).")
NO_COUNTRY = N_("Choose the country.")


@dataclass(frozen=True)
class Preset:
    country: str  # ISO 3166 alpha-2, upper case
    name: str  # the country's name in the reader's language
    regions: list[str]
    languages: list[dict]  # [{"code": "ne", "name": "Nepali"}]: the audio spots' languages
    timezone: str
    phone_country: str
    interface_languages: list[str]  # default first


@cache
def _data() -> dict[str, dict]:
    with DATA.open("rb") as f:
        return tomllib.load(f)


def refined() -> list[str]:
    """The countries the data file refines (the campaign's own)."""
    return sorted(_data())


def country_code(raw: str) -> str:
    """``"np"`` -> ``"NP"``; Invalid for anything ISO 3166 does not list."""
    code = (raw or "").strip().upper()
    if not code:  # the setup page's list left on its empty choice: ISO codes would puzzle
        raise Invalid({"country": NO_COUNTRY})
    if len(code) != 2 or not code.isalpha() or pycountry.countries.get(alpha_2=code) is None:
        raise Invalid({"country": UNKNOWN_COUNTRY})
    return code


def _locale(reader: str) -> Locale:
    try:
        return Locale.parse(reader)
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def country_name(code: str, reader: str = "en") -> str:
    found = _locale(reader).territories.get(code)
    return found or pycountry.countries.get(alpha_2=code).name


def language_name(code: str, reader: str = "en") -> str:
    """Babel's name in the reader's language, else the ISO 639 name; capitalised as a label."""
    name = _locale(reader).languages.get(code)
    if not name:
        found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
        name = found.name if found else code
    return name[:1].upper() + name[1:]


def subdivisions(code: str) -> list[str]:
    """The country's first-level subdivisions (provinces, states, regions...) by name."""
    found = pycountry.subdivisions.get(country_code=code) or []
    return sorted((s.name for s in found if s.parent_code is None), key=str.casefold)


@cache
def zone_table() -> dict[str, list[str]]:
    """Country -> its zones, from the tz database zone.tab (tzdata, else the system copy)."""
    try:
        text = (resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        paths = [Path(p) / "zone.tab" for p in zoneinfo.TZPATH]
        text = next((p.read_text(encoding="utf-8") for p in paths if p.is_file()), "")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            table.setdefault(parts[0], []).append(parts[2])
    return table


def valid_timezone(name: str) -> bool:
    return bool(name) and name in zoneinfo.available_timezones()


def valid_phone_country(code: str) -> bool:
    return code in phonenumbers.SUPPORTED_REGIONS


def preset(raw_code: str, reader: str | None = None) -> Preset:
    """The preset for a country; language names in ``reader``'s language (the edition's own
    default interface language when not given)."""
    code = country_code(raw_code)
    data = _data().get(code, {})
    official = list(get_official_languages(code, de_facto=True))
    interface = list(data.get("interface") or dict.fromkeys([*official, "en"]))
    reader = reader or interface[0]
    timezone = data.get("timezone") or (zone_table().get(code) or ["UTC"])[0]
    languages = data.get("languages") or official or ["en"]
    return Preset(
        country=code,
        name=country_name(code, reader),
        regions=list(data.get("regions") or subdivisions(code)),
        languages=[{"code": c, "name": language_name(c, reader)} for c in languages],
        timezone=timezone,
        phone_country=code if valid_phone_country(code) else "",
        interface_languages=interface,
    )


def choices(reader: str = "en") -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, name) pairs for a country picker: the refined countries, then every other."""

    def named(codes) -> list[tuple[str, str]]:
        return sorted(((c, country_name(c, reader)) for c in codes), key=lambda p: p[1].casefold())

    ours = set(refined())
    others = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in ours]
    return named(ours), named(others)
