"""The profile forms as typed; ``parse`` validates them into values for the table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.text import CONTROL, whole
from profiles.models import Distinction

FIRST_YEAR = 2010  # before the first Integrity Icon (Nepal, 2014): room for a typo's correction
BIO_MAX, STORY_MAX = 1000, 6000


def _line(value: str, name: str, errors: dict, *, low: int = 0, high: int = 200) -> str:
    text = " ".join(CONTROL.sub("", str(value)).split())
    if len(text) < low:
        errors[name] = N_("At least 2 characters.")
    elif len(text) > high:
        errors[name] = (
            N_("At most 100 characters.") if high == 100 else N_("At most 200 characters.")
        )
    return text


def _text(value: str, name: str, errors: dict, high: int, too_long: str) -> str:
    # Paragraphs are kept: the public page shows one <p> per paragraph.
    text = re.sub(r"\r\n?", "\n", CONTROL.sub("", str(value))).strip()
    if len(text) > high:
        errors[name] = too_long
    return text


def _distinction(value: str, errors: dict) -> str:
    if value not in set(Distinction):
        errors["distinction"] = N_("Choose winner or finalist.")
    return str(value)


def _video(value: str, errors: dict) -> str:
    url = str(value).strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or len(url) > 500
        or any(c.isspace() or ord(c) < 32 for c in url)
    ):
        errors["video_url"] = N_("Give a web address starting with https://, or leave it empty.")
    return url


@dataclass(frozen=True)
class ProfileIn:
    name: str = ""
    distinction: str = Distinction.finalist
    position: str = ""
    institution: str = ""
    region: str = ""
    bio: str = ""
    story: str = ""
    video_url: str = ""

    def parse(self) -> dict:
        errors: dict[str, str] = {}
        values = {
            "name": _line(self.name, "name", errors, low=2),
            "distinction": _distinction(self.distinction, errors),
            "position": _line(self.position, "position", errors),
            "institution": _line(self.institution, "institution", errors),
            "region": _line(self.region, "region", errors, high=100),
            "bio": _text(self.bio, "bio", errors, BIO_MAX, N_("At most 1,000 characters.")),
            "story": _text(self.story, "story", errors, STORY_MAX, N_("At most 6,000 characters.")),
            "video_url": _video(self.video_url, errors),
        }
        if errors:
            raise Invalid(errors)
        return values


@dataclass(frozen=True)
class PastIn:
    """A past edition's winner or finalist, for the hall of fame."""

    year: str = ""
    name: str = ""
    distinction: str = Distinction.winner
    position: str = ""
    institution: str = ""
    region: str = ""

    def parse(self, latest_year: int) -> dict:
        errors: dict[str, str] = {}
        raw = str(self.year).strip()
        year = whole(raw, 1900, 2200, 0)
        if not FIRST_YEAR <= year <= latest_year:
            errors["year"] = N_("A year from 2010 to this campaign's year.")
        values = {
            "year": year,
            "name": _line(self.name, "name", errors, low=2),
            "distinction": _distinction(self.distinction, errors),
            "position": _line(self.position, "position", errors),
            "institution": _line(self.institution, "institution", errors),
            "region": _line(self.region, "region", errors, high=100),
        }
        if errors:
            raise Invalid(errors)
        return values
