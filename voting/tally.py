"""Count a public voting round and blend it with the jury's scores; bucket votes for a live chart.

Pure: no database, no I/O, standard library only. These are the documented rules; the tests in
tests/voting/test_tally.py check each of them.

Votes
    A vote counts unless it is void (managers void votes, for instance after reviewing a fraud
    signal). Void votes are reported per candidate and for the round, never counted. A vote for a
    number that is not on the ballot raises ValueError, void or not: the caller validates ballots,
    so such a vote is a bug to surface, not a ballot to drop quietly. So does a channel other than
    "web" or "sms".

Shares (each in [0, 1])
    web_share, sms_share
        the candidate's counted votes on the channel / all counted votes on that channel; 0 when
        the channel has none (a round run by SMS only gives web no say, rather than failing).
    jury_share
        the candidate's jury score / the sum of the jury scores of the candidates; 0 for everyone
        when that sum is 0. Scores may be on any non-negative scale (normalised 0-10, say): only
        their proportions matter. A score for a number not on the ballot raises ValueError (it is
        most likely keyed by nominee id instead of ballot number). When ``weights.jury`` is above 0
        every candidate needs a score, else ValueError: silently scoring a forgotten one as 0 would
        cost a finalist a place. With ``weights.jury == 0`` scores may be partial or empty; the
        missing count as 0 and only break ties (see Ordering).

Blended score (in [0, 1])
    (jury * jury_share + web * web_share + sms * sms_share) / (jury + web + sms). Weights are any
    non-negative finite numbers, not all zero (50/25/25 and 0.5/0.25/0.25 are the same round).
    It is computed with exact rationals (a float is an exact binary fraction) and rounded once for
    display, and ordering uses the exact value: scores that are mathematically equal tie, and go to
    the tie-break below instead of to a rounding error.

Ordering (place 1, 2, 3, ...; no shared places)
    1. higher blended score;
    2. more counted votes in total: the round is the public's say, so between equal scores the
       candidate more people voted for goes first;
    3. higher jury share: the jury's considered judgement is the remaining merit;
    4. the managers' drawing of lots, ``draw``: the candidate numbers in the order drawn (a
       listed number goes before an unlisted one). Record it for every candidate of a tie that
       ``Result.ties`` reports, or for the whole ballot;
    5. lower ballot number: fixed and public before voting opens, so the last resort is known to
       everyone in advance and cannot be steered after the count.
    Keys 1-3 are merit; ``Result.ties`` lists every group of two or more candidates equal on all
    three, in result order, so managers see where 4 or 5 decided. A round without votes is still
    ordered: everyone's vote shares are 0, so the jury share decides, then the tie-break.

Outcome
    The first min(seats, N) rows are "seat", the next min(alternates, N - seats) "alternate",
    the rest "".

Live chart (``per_minute``)
    Counted votes with start <= at < end, per bucket of one minute; when that would take more than
    MAX_BUCKETS (24 * 60) buckets, per bucket of the first of 2, 5, 10, 15, 30, 60, 120, 180, 360,
    720 minutes, then whole days, that keeps within it. Buckets are aligned on the clock (a
    15-minute bucket starts at :00, :15, ...; days at midnight), counting from the bucket that holds
    ``start``, and every bucket up to ``end`` is listed, empty ones too, so the chart's time axis
    is regular. Pass UTC (or any fixed offset) datetimes: aware and naive may not be mixed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal, NamedTuple

Channel = Literal["web", "sms"]
CHANNELS = ("web", "sms")
MAX_BUCKETS = 24 * 60
_LADDER = (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720)  # minutes; each divides a day


@dataclass(frozen=True, slots=True)
class Candidate:
    number: int  # on the ballot: "ICON 3"
    nominee_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Vote:
    candidate: int  # ballot number
    channel: Channel
    void: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Weights:
    jury: float
    web: float
    sms: float


class Row(NamedTuple):
    place: int  # 1, 2, 3, ...
    number: int
    nominee_id: int
    name: str
    web: int  # counted votes
    sms: int
    total: int  # web + sms
    void: int
    web_share: float
    sms_share: float
    jury_share: float
    blended: float
    outcome: Literal["seat", "alternate", ""]


@dataclass(frozen=True, slots=True)
class Result:
    rows: tuple[Row, ...]
    web: int  # counted votes in the round, per channel
    sms: int
    total: int
    void: int
    ties: tuple[tuple[int, ...], ...]  # ballot numbers equal on every merit key, in result order


class Bucket(NamedTuple):
    start: datetime
    web: int
    sms: int


def tally(
    candidates: Sequence[Candidate],
    votes: Iterable[Vote],
    weights: Weights,
    jury_scores: Mapping[int, float],
    seats: int,
    alternates: int,
    draw: Sequence[int] = (),
) -> Result:
    """The round's result (rules in the module docstring).

    Raises ValueError for a repeated ballot number, a vote or jury score for a number not on the
    ballot, an unknown channel, a negative or non-finite weight or jury score, weights all zero, a
    missing jury score while the jury weighs, negative seats or alternates, or a ``draw`` that
    repeats a number or names one not on the ballot.
    """
    numbers = [c.number for c in candidates]
    if len(set(numbers)) != len(numbers):
        raise ValueError("a ballot number is listed twice")
    if seats < 0 or alternates < 0:
        raise ValueError("seats and alternates must not be negative")
    weight = _exact_weights(weights)
    jury = _exact_jury(jury_scores, numbers, weights.jury > 0)
    drawn = _draw_positions(draw, numbers)

    counts = {n: [0, 0, 0] for n in numbers}  # web, sms, void
    for vote in votes:
        tally_of = counts.get(vote.candidate)
        if tally_of is None:
            raise ValueError(f"a vote for {vote.candidate!r}, which is not on the ballot")
        if vote.channel not in CHANNELS:
            raise ValueError(f"unknown channel {vote.channel!r}")
        tally_of[2 if vote.void else CHANNELS.index(vote.channel)] += 1
    web_total = sum(c[0] for c in counts.values())
    sms_total = sum(c[1] for c in counts.values())
    jury_total = sum(jury.values())

    ranked = []
    for candidate in candidates:
        web, sms, void = counts[candidate.number]
        shares = (
            _share(jury[candidate.number], jury_total),
            _share(web, web_total),
            _share(sms, sms_total),
        )
        blended = sum(w * s for w, s in zip(weight, shares, strict=True)) / sum(weight)
        merit = (blended, web + sms, shares[0])
        order = (drawn.get(candidate.number, len(drawn)), candidate.number)
        ranked.append((merit, order, candidate, web, sms, void, shares))
    ranked.sort(key=lambda r: (-r[0][0], -r[0][1], -r[0][2], r[1]))

    rows = []
    for place, (merit, _, candidate, web, sms, void, shares) in enumerate(ranked, 1):
        jury_share, web_share, sms_share = map(float, shares)
        if place <= seats:
            outcome = "seat"
        elif place <= seats + alternates:
            outcome = "alternate"
        else:
            outcome = ""
        rows.append(
            Row(
                place=place,
                number=candidate.number,
                nominee_id=candidate.nominee_id,
                name=candidate.name,
                web=web,
                sms=sms,
                total=web + sms,
                void=void,
                web_share=web_share,
                sms_share=sms_share,
                jury_share=jury_share,
                blended=float(merit[0]),
                outcome=outcome,
            )
        )
    ties = []
    for i, entry in enumerate(ranked):
        if i and entry[0] == ranked[i - 1][0]:
            ties[-1].append(entry[2].number)
        elif i + 1 < len(ranked) and entry[0] == ranked[i + 1][0]:
            ties.append([entry[2].number])
    return Result(
        rows=tuple(rows),
        web=web_total,
        sms=sms_total,
        total=web_total + sms_total,
        void=sum(c[2] for c in counts.values()),
        ties=tuple(tuple(group) for group in ties),
    )


def per_minute(votes: Iterable[Vote], start: datetime, end: datetime) -> list[Bucket]:
    """Counted votes per channel per bucket from ``start`` to ``end`` (rules in the module
    docstring): one-minute buckets unless that takes more than MAX_BUCKETS. Empty when end <=
    start. Raises ValueError for an unknown channel."""
    if end <= start:
        return []
    first, step, count = _buckets(start, end)
    web = [0] * count
    sms = [0] * count
    for vote in votes:
        if vote.channel not in CHANNELS:
            raise ValueError(f"unknown channel {vote.channel!r}")
        if vote.void or not start <= vote.at < end:
            continue
        (web if vote.channel == "web" else sms)[(vote.at - first) // step] += 1
    return [Bucket(first + i * step, web[i], sms[i]) for i in range(count)]


def _buckets(start: datetime, end: datetime) -> tuple[datetime, timedelta, int]:
    """First bucket start, bucket width and bucket count: the finest width within MAX_BUCKETS."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    for minutes in _LADDER:
        step = timedelta(minutes=minutes)
        first = midnight + (start - midnight) // step * step
        count = -((first - end) // step)  # ceiling division
        if count <= MAX_BUCKETS:
            return first, step, count
    days = -((midnight - end) // (timedelta(days=1) * MAX_BUCKETS))
    step = timedelta(days=days)
    return midnight, step, -((midnight - end) // step)


def _share(part: Fraction | int, whole: Fraction | int) -> Fraction:
    return Fraction(part) / whole if whole else Fraction(0)


def _exact_weights(weights: Weights) -> tuple[Fraction, Fraction, Fraction]:
    values = (weights.jury, weights.web, weights.sms)
    if not all(math.isfinite(w) and w >= 0 for w in values):
        raise ValueError("weights must be non-negative numbers")
    if not any(values):
        raise ValueError("at least one weight must be above 0")
    return tuple(map(Fraction, values))  # type: ignore[return-value]


def _exact_jury(
    scores: Mapping[int, float], numbers: list[int], required: bool
) -> dict[int, Fraction]:
    unknown = set(scores) - set(numbers)
    if unknown:
        raise ValueError(f"jury scores for numbers not on the ballot: {sorted(unknown)}")
    if required and len(scores) != len(numbers):
        missing = sorted(set(numbers) - set(scores))
        raise ValueError(f"the jury weighs but these candidates have no jury score: {missing}")
    exact = {}
    for n in numbers:
        score = scores.get(n, 0.0)
        if not math.isfinite(score) or score < 0:
            raise ValueError(f"jury score of candidate {n} must be a non-negative number")
        exact[n] = Fraction(score)
    return exact


def _draw_positions(draw: Sequence[int], numbers: list[int]) -> dict[int, int]:
    positions = {n: i for i, n in enumerate(draw)}
    if len(positions) != len(draw):
        raise ValueError("the draw lists a number twice")
    if not set(positions) <= set(numbers):
        raise ValueError("the draw lists a number not on the ballot")
    return positions
