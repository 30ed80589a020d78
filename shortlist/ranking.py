"""Rank nominees from the jury's readings; summarise the balance of a selection.

Pure: no database, no I/O, standard library only. These are the documented rules; the tests in
tests/shortlist/test_ranking.py check each of them.

Readings
    A reading counts, everywhere, only when it is *complete*: submitted, and scoring every
    criterion with a finite number. A draft, or a sheet with a criterion left blank (None or
    absent), is neither a zero nor part of a reading: it is ignored. Scores for unknown criteria
    are ignored. Two complete readings by one juror of one nominee raise ValueError (one voice per
    nominee). Scores are not range-checked: any finite number is accepted, so the maths holds for
    any shift or scale of a juror's scores. A non-finite score raises ValueError.

Reading total
    sum(w * s) / sum(w) over the criteria: a weighted mean on the scores' scale (0-10).

Per nominee (None, or False, or empty, when it has no complete reading)
    readings, missing, complete
        complete readings; max(0, required - readings); readings >= required.
    weighted_mean, median
        mean and median (mean of the middle two for an even count) of its reading totals.
    spread, disagreement
        spread is max - min of its reading totals in raw points (0.0 for one reading): on three
        readings it reads plainly ("the jurors are 4 points apart"), where a standard deviation
        does not. disagreement is spread >= ``disagreement_threshold`` (default 3.0 points). Raw
        points mean a harsh juror next to a lenient one is flagged too: the flag asks for a look.
    per_criterion_mean
        criterion id -> mean of that criterion's scores over the complete readings.
    mean_z, normalised
        see Normalisation.

Normalisation
    Each juror's reading totals are standardised over every complete reading that juror gave,
    z = (x - mean) / sd with the population sd. Readings of nominees not in ``nominee_ids`` take
    part, so a nominee's normalised score does not depend on which other nominees are shown. A juror
    with a single reading, or who gave every nominee the same total, tells nothing about relative
    merit: all their z are 0. ``mean_z`` is the mean of the nominee's readings' z; ``normalised`` is
    5 + 5 * mean_z / 3 clamped to [0, 10]: 5 is the average nominee of the jurors who read it, 10 is
    three standard deviations above (z cannot pass sqrt(n - 1) for a juror with n readings, so the
    clamp bites only for jurors with more than ten readings).
    Totals, weighted means, medians, spreads and each z are computed from exact rationals (a
    float is an exact binary fraction) and rounded once; mean_z and per_criterion_mean sum floats
    with math.fsum. So input order never changes a value, not even in the last bit.
    Adding a constant to, or multiplying by a positive constant, all of one juror's scores leaves
    every z, mean_z and normalised bit for bit the same, provided the new scores are exactly the
    shifted or scaled ones (whole or half points shifted by whole points, say; 7.3 + 0.1 is
    already rounded before ranking sees it).

Ordering
    Nominees with at least one complete reading get rank 1, 2, 3, ... (no shared ranks) by
      1. mean_z descending: the normalised score, unclamped, so that two nominees both shown as
         10.0 are still told apart;
      2. more complete readings first (more evidence for the same score);
      3. lower nominee id first.
    None of these keys depends on how harsh or lenient a juror is, so shifting or scaling one
    juror's scores never moves anyone, ties included. A raw weighted-mean tie-break would hand back
    to a juror's leniency exactly the ties normalisation leaves (jurors with a single reading).
    Incomplete nominees are ranked among the others, marked complete=False with their ``missing``
    count: putting them after the complete ones would bury a strong nominee whose readings are
    late, and the mark shows that the place is provisional. Nominees without a complete reading are
    never scored as 0: their scores are None, their rank is None, and they come last, by id.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import call, itemgetter
from typing import NamedTuple

DISAGREEMENT_THRESHOLD = 3.0
_Z_AT_TOP = 3.0  # mean_z shown as 10 (and -3 as 0)


@dataclass(frozen=True, slots=True)
class Criterion:
    id: Hashable
    weight: float  # > 0; weights need not sum to 1


@dataclass(frozen=True, slots=True)
class Reading:
    nominee_id: int
    juror_id: Hashable
    scores: Mapping[Hashable, float | None]  # criterion id -> score, None when not scored yet
    submitted: bool


class RankedNominee(NamedTuple):
    """A nominee's line on the board. A NamedTuple: immutable, and cheap to build by the thousand
    (a frozen dataclass took a fifth of the ranking time)."""

    nominee_id: int
    readings: int  # complete readings
    missing: int  # max(0, required - readings)
    complete: bool  # readings >= required
    weighted_mean: float | None
    median: float | None
    normalised: float | None  # 0-10, 5 = the average nominee of its jurors
    mean_z: float | None  # the unclamped normalised score, the primary sort key
    spread: float | None  # max - min of the reading totals, raw points
    disagreement: bool  # spread >= the threshold
    per_criterion_mean: dict[Hashable, float]  # empty without a complete reading
    rank: int | None  # 1, 2, 3, ...; None without a complete reading


def rank(
    criteria: Sequence[Criterion],
    readings: Iterable[Reading],
    nominee_ids: Iterable[int],
    required_readings: int,
    *,
    disagreement_threshold: float = DISAGREEMENT_THRESHOLD,
) -> list[RankedNominee]:
    """One entry per id in ``nominee_ids``, in rank order (rules in the module docstring).

    Raises ValueError for no criteria, a repeated criterion or nominee id, a weight that is not
    positive, a non-finite score, two complete readings by one juror of one nominee, or
    ``required_readings`` below 1.
    """
    if required_readings < 1:
        raise ValueError("required_readings must be at least 1")
    wanted = list(nominee_ids)
    if len(set(wanted)) != len(wanted):
        raise ValueError("a nominee id is listed twice")
    criterion_ids, weights = _integer_weights(criteria)
    keys, rows = _complete_readings(readings, criterion_ids)
    point, denominator = _exact_points(rows)
    # Every total is an exact integer numerator over one denominator: sum(w * points) over
    # denominator * sum(w). Per criterion, a value's weighted numerator is looked up, not computed.
    weighted = [{v: w * p for v, p in point.items()}.__getitem__ for w in weights]
    totals = [sum(map(call, weighted, row)) for row in rows]
    total_denominator = denominator * sum(weights)

    by_juror: dict[Hashable, list[int]] = {}
    by_nominee: dict[int, list[int]] = {}
    for i, (nominee_id, juror_id) in enumerate(keys):
        by_juror.setdefault(juror_id, []).append(i)
        by_nominee.setdefault(nominee_id, []).append(i)
    z = _z_scores(totals, by_juror.values())

    scored, unscored = [], []
    for nominee_id in wanted:
        nominee_rows = by_nominee.get(nominee_id)
        if nominee_rows is None:
            unscored.append(nominee_id)
            continue
        n = len(nominee_rows)
        mine = sorted([totals[i] for i in nominee_rows])
        mean_z = math.fsum([z[i] for i in nominee_rows]) / n
        spread = (mine[-1] - mine[0]) / total_denominator
        columns = zip(*[rows[i] for i in nominee_rows], strict=True)
        stats = (
            sum(mine) / (n * total_denominator),
            (mine[(n - 1) // 2] + mine[n // 2]) / (2 * total_denominator),
            min(10.0, max(0.0, 5.0 + 5.0 * mean_z / _Z_AT_TOP)),
            mean_z,
            spread,
            spread >= disagreement_threshold,
            {c: math.fsum(col) / n for c, col in zip(criterion_ids, columns, strict=True)},
        )
        scored.append((-mean_z, -n, nominee_id, stats))
    scored.sort(key=lambda e: e[:3])
    unscored.sort()
    board = []
    for position, (_, minus_n, nominee_id, stats) in enumerate(scored, 1):
        n = -minus_n
        missing = max(0, required_readings - n)
        board.append(RankedNominee(nominee_id, n, missing, not missing, *stats, position))
    for nominee_id in unscored:
        nothing = (None, None, None, None, None, False, {})
        board.append(RankedNominee(nominee_id, 0, required_readings, False, *nothing, None))
    return board


def _z_scores(totals: list[int], by_juror: Iterable[list[int]]) -> list[float]:
    """Each reading's z among its juror's readings; 0.0 where the juror's totals are all equal."""
    z = [0.0] * len(totals)
    for rows in by_juror:
        mine = [totals[i] for i in rows]
        n, s = len(mine), sum(mine)
        # scale is n * n * variance, exactly. z ** 2 = (n * x - s) ** 2 / scale is a rational that
        # shifting or scaling this juror's totals leaves unchanged, hence so is its rounded float.
        scale = n * sum([x * x for x in mine]) - s * s
        if scale:
            for i, x in zip(rows, mine, strict=True):
                d = n * x - s
                size = math.sqrt(d * d / scale)  # d itself may be too large for a float
                z[i] = size if d >= 0 else -size
    return z


def _integer_weights(criteria: Sequence[Criterion]) -> tuple[list[Hashable], list[int]]:
    """Criterion ids, and integer weights exactly proportional to the given ones."""
    if not criteria:
        raise ValueError("at least one criterion is needed")
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise ValueError("a criterion id is listed twice")
    exact = []
    for c in criteria:
        if not math.isfinite(c.weight) or c.weight <= 0:
            raise ValueError(f"criterion {c.id!r}: weight must be a positive number")
        exact.append(Fraction(c.weight))
    common = math.lcm(*(w.denominator for w in exact))
    return ids, [int(w * common) for w in exact]


def _complete_readings(
    readings: Iterable[Reading], criterion_ids: list[Hashable]
) -> tuple[list[tuple[int, Hashable]], list[tuple[float, ...]]]:
    """(nominee, juror) and the scores, in criterion order, of every complete reading."""
    if len(criterion_ids) == 1:
        only = criterion_ids[0]

        def scores_of(scores: Mapping[Hashable, float | None]) -> tuple[float | None, ...]:
            return (scores[only],)
    else:
        scores_of = itemgetter(*criterion_ids)
    keys, rows = [], []
    for r in readings:
        if not r.submitted:
            continue
        try:
            scores = scores_of(r.scores)
        except KeyError:
            continue
        if None not in scores:
            keys.append((r.nominee_id, r.juror_id))
            rows.append(scores)
    if len(set(keys)) != len(keys):
        raise ValueError("a juror has two complete readings of one nominee")
    return keys, rows


def _exact_points(rows: list[tuple[float, ...]]) -> tuple[dict[float, int], int]:
    """Each score value as an integer numerator over one common denominator (returned second)."""
    # Jurors reuse a few dozen values (whole points, tenths), so each is converted once.
    try:
        ratios = {v: v.as_integer_ratio() for v in set().union(*rows)}
    except (OverflowError, ValueError):
        raise ValueError("a score is not a finite number") from None
    common = math.lcm(*(q for _, q in ratios.values()))
    return {v: p * (common // q) for v, (p, q) in ratios.items()}, common


class Member(NamedTuple):
    """One selected nominee as ``balance`` sees it; a plain (gender, region) pair works too."""

    gender: str | None  # "female", "male"; anything else is unknown
    region: str | None  # as the campaign lists it; blank when unknown


@dataclass(frozen=True, slots=True)
class Balance:
    total: int
    women: int
    men: int
    unknown: int  # gender not given, or neither "female" nor "male"
    # Regions covered: the campaign's own in its order, then any others sorted.
    regions: tuple[str, ...]
    region_counts: dict[str, int]
    no_region: int  # blank region
    uncovered: tuple[str, ...]  # campaign regions nobody in the selection comes from


def balance(
    selection: Iterable[tuple[str | None, str | None]], campaign_regions: Sequence[str] = ()
) -> Balance:
    """Balance summary of any selection of nominees (longlist, shortlist, finalists).

    Gender is compared with the stored values ("female", "male"), ignoring case and surrounding
    spaces. Regions are compared as given, spaces trimmed; pass ``campaign_regions`` to order the
    covered regions as the campaign lists them and to learn which are not covered.
    """
    women = men = unknown = no_region = 0
    counts: dict[str, int] = {}
    for gender, region in selection:
        kind = (gender or "").strip().casefold()
        if kind == "female":
            women += 1
        elif kind == "male":
            men += 1
        else:
            unknown += 1
        place = (region or "").strip()
        if place:
            counts[place] = counts.get(place, 0) + 1
        else:
            no_region += 1
    listed = list(dict.fromkeys(campaign_regions))
    others = sorted(set(counts) - set(listed))
    return Balance(
        total=women + men + unknown,
        women=women,
        men=men,
        unknown=unknown,
        regions=tuple(r for r in [*listed, *others] if r in counts),
        region_counts={r: counts[r] for r in [*listed, *others] if r in counts},
        no_region=no_region,
        uncovered=tuple(r for r in listed if r not in counts),
    )
