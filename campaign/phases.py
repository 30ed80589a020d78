"""Which phase of a campaign is open at a given instant. Pure: no database.

Every later feature asks here ("are nominations open now?") rather than comparing dates itself.
A phase is open from its start (inclusive) to its end (exclusive). Between phases the campaign is
"between" them, and the page says what comes next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Phase(StrEnum):
    upcoming = "upcoming"
    nominations = "nominations"
    review = "review"
    voting = "voting"
    results = "results"


class PhaseDates(Protocol):
    nominations_start: datetime
    nominations_end: datetime
    review_start: datetime
    review_end: datetime
    voting_start: datetime
    voting_end: datetime
    results_at: datetime


@dataclass(frozen=True)
class Window:
    phase: Phase
    start: datetime
    end: datetime | None  # results never close


def windows(c: PhaseDates) -> list[Window]:
    return [
        Window(Phase.nominations, c.nominations_start, c.nominations_end),
        Window(Phase.review, c.review_start, c.review_end),
        Window(Phase.voting, c.voting_start, c.voting_end),
        Window(Phase.results, c.results_at, None),
    ]


def is_open(c: PhaseDates, phase: Phase, now: datetime) -> bool:
    for w in windows(c):
        if w.phase == phase:
            return w.start <= now and (w.end is None or now < w.end)
    return False


def current_phase(c: PhaseDates, now: datetime) -> Phase | None:
    """The open phase, ``Phase.upcoming`` before the first, or None between two phases."""
    if now < c.nominations_start:
        return Phase.upcoming
    for w in reversed(windows(c)):
        if w.start <= now and (w.end is None or now < w.end):
            return w.phase
    return None


def next_window(c: PhaseDates, now: datetime) -> Window | None:
    """The next phase to open after ``now``, if any."""
    for w in windows(c):
        if w.start > now:
            return w
    return None


def order_errors(c: PhaseDates) -> list[str]:
    """Why a set of phase dates is inconsistent, as field names; empty when it is fine."""
    errors = []
    pairs = [
        ("nominations_end", c.nominations_start, c.nominations_end),
        ("review_start", c.nominations_end, c.review_start),
        ("review_end", c.review_start, c.review_end),
        ("voting_start", c.review_end, c.voting_start),
        ("voting_end", c.voting_start, c.voting_end),
        ("results_at", c.voting_end, c.results_at),
    ]
    for field, earlier, later in pairs:
        # Each date must follow the one before; equality is allowed between phases (back to back).
        strict = field in ("nominations_end", "review_end", "voting_end")
        if later < earlier or (strict and later == earlier):
            errors.append(field)
    return errors
