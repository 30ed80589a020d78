"""The round form: what a manager types (``RoundIn``, validated by ``parse``) and a round's
settings as the form shows them again (``form_values``). No database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.text import whole
from voting.models import Round

SOURCES = ("shortlist", "finalists", "round")


MAX_SEATS, REASON_MAX = 100, 500


MAX_CODE_BUDGET = 100_000


@dataclass(frozen=True)
class RoundIn:
    """The round form as typed; ``parse`` validates it into values for the table."""

    title: str = ""
    opens_at: str = ""
    closes_at: str = ""
    seats: str = "5"
    alternates: str = "0"
    channels: tuple[str, ...] = ("web", "sms")
    results_live: bool = False
    weight_jury: str = "50"
    weight_web: str = "25"
    weight_sms: str = "25"
    code_budget: str = "60"
    source: str = "shortlist"  # shortlist | finalists | round (the previous round's seats)
    previous_round_id: str = ""

    def parse(self, tz: str) -> dict:
        errors: dict[str, str] = {}
        title = " ".join(self.title.split())
        if not 3 <= len(title) <= 200:
            errors["title"] = N_("Between 3 and 200 characters.")
        times = {}
        for name in ("opens_at", "closes_at"):
            try:
                local = datetime.fromisoformat(getattr(self, name).strip())
                times[name] = local.replace(tzinfo=ZoneInfo(tz))
            except ValueError:
                errors[name] = N_("Enter a date and time.")
        if len(times) == 2 and times["closes_at"] <= times["opens_at"]:
            errors["closes_at"] = N_("The round must close after it opens.")
        seats = _whole(self.seats, 1, "seats", errors)
        alternates = _whole(self.alternates, 0, "alternates", errors)
        if not set(self.channels) & {"web", "sms"}:
            errors["channels"] = N_("Choose at least one channel.")
        weights = {}
        for name in ("weight_jury", "weight_web", "weight_sms"):
            try:
                weights[name] = float(getattr(self, name).strip().replace(",", "."))
            except ValueError:
                weights[name] = -1.0
            if not (math.isfinite(weights[name]) and 0 <= weights[name] <= 1000):
                errors[name] = N_("A number from 0 to 1,000.")
        budget = str(self.code_budget).strip()
        if whole(budget, 1, MAX_CODE_BUDGET) is None:
            errors["code_budget"] = N_("A whole number from 1 to 100,000.")
        if len(weights) == 3 and not any(weights.values()) and "weight_jury" not in errors:
            errors["weight_jury"] = N_("At least one weight must be above 0.")
        if errors:
            raise Invalid(errors)
        return {
            "title": title,
            **times,
            "seats": seats,
            "alternates": alternates,
            "web_enabled": "web" in self.channels,
            "sms_enabled": "sms" in self.channels,
            "results_live": self.results_live,
            "code_budget": int(budget),
            **weights,
        }


def _whole(raw: str, least: int, name: str, errors: dict[str, str]) -> int:
    text = str(raw).strip()
    if whole(text, least, MAX_SEATS) is None:
        errors[name] = N_("A whole number from 1 to 100.") if least else N_("From 0 to 100.")
        return 0
    return int(text)


def form_values(r: Round, tz: str) -> dict[str, str]:
    local = ZoneInfo(tz)
    return {
        "title": r.title,
        "opens_at": r.opens_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": r.closes_at.astimezone(local).strftime("%Y-%m-%dT%H:%M"),
        "seats": str(r.seats),
        "alternates": str(r.alternates),
        "channels": [c for c, on in (("web", r.web_enabled), ("sms", r.sms_enabled)) if on],
        "results_live": r.results_live,
        "weight_jury": f"{r.weight_jury:g}",
        "weight_web": f"{r.weight_web:g}",
        "weight_sms": f"{r.weight_sms:g}",
        "code_budget": str(r.code_budget),
    }
