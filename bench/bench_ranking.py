"""Time ``rank`` on a board of 1,000 nominees x 3 readings x 5 criteria by 7 jurors.

Run from the repository root: ``.venv/bin/python bench/bench_ranking.py``.
Scores are drawn to one decimal (7.3), which costs more than whole or half points: their exact
binary fractions have large denominators. The baseline is a bare loop summing every score once,
measured in the same run, so the ratio reads "ranking costs N passes over the scores" and stays
comparable across machines. The target is a median well under 50 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shortlist.ranking import Criterion, Reading, rank  # noqa: E402

NOMINEES, READINGS, JURORS = 1_000, 3, 7
WEIGHTS = (3, 2, 2, 1.5, 1)
RUNS = 21
SEED = 2020


def board(seed: int) -> tuple[list[Criterion], list[Reading]]:
    draw = random.Random(seed)
    criteria = [Criterion(f"c{k}", w) for k, w in enumerate(WEIGHTS)]
    leniency = [draw.uniform(-2, 2) for _ in range(JURORS)]  # harsh and lenient jurors
    readings = []
    for nominee in range(1, NOMINEES + 1):
        merit = draw.uniform(2, 8)
        for juror in draw.sample(range(JURORS), READINGS):
            scores = {
                c.id: round(min(10, max(0, merit + leniency[juror] + draw.gauss(0, 1))), 1)
                for c in criteria
            }
            readings.append(Reading(nominee, juror, scores, submitted=True))
    return criteria, readings


def baseline(readings: list[Reading]) -> float:
    total = 0.0
    for r in readings:
        for s in r.scores.values():
            total += s
    return total


def medians_ms(funcs: list[Callable[[], object]], runs: int) -> list[float]:
    """Median time of each function; runs are interleaved so that both see the same load."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for func, mine in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            mine.append(time.perf_counter() - start)
    return [statistics.median(mine) * 1000 for mine in times]


def main() -> None:
    criteria, readings = board(SEED)
    ids = list(range(1, NOMINEES + 1))
    base, took = medians_ms(
        [lambda: baseline(readings), lambda: rank(criteria, readings, ids, READINGS)], RUNS
    )
    print(
        f"ranking {NOMINEES} nominees: median {took:.1f} ms "
        f"(baseline {base:.2f} ms, ratio {took / base:.1f}x)"
    )


if __name__ == "__main__":
    main()
