"""Time ``group_nominations`` on about 50,000 generated nominations.

Run from the repository root: ``.venv/bin/python bench/bench_dedup.py``.
The baseline is a bare pass that lower-cases and strips accents from every name,
measured in the same run, so the ratio reads "grouping costs N bare passes" and
stays comparable across machines.
"""

from __future__ import annotations

import statistics
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalset import generate, pairwise_scores  # noqa: E402
from nominations.dedup import group_nominations  # noqa: E402

TARGET_ROWS = 50_000
RUNS = 5
SEED = 2024


def baseline(rows: list[dict[str, object]]) -> list[str]:
    out = []
    for row in rows:
        text = unicodedata.normalize("NFKD", str(row["nominee_name"] or ""))
        out.append(text.encode("ascii", "ignore").decode("ascii").lower())
    return out


def median_seconds(func, rows: list[dict[str, object]], runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(rows)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    people = 14_500
    rows, labels = generate(people, SEED)
    while len(rows) < TARGET_ROWS:  # top up deterministically if the draw came out short
        people += 500
        rows, labels = generate(people, SEED)
    rows = rows[:TARGET_ROWS]
    labels = {r["id"]: labels[r["id"]] for r in rows}  # type: ignore[index]
    base = median_seconds(baseline, rows, RUNS)
    took = median_seconds(group_nominations, rows, RUNS)
    precision, recall = pairwise_scores(group_nominations(rows), labels)
    print(
        f"dedup {len(rows)} rows: median {took:.2f} s "
        f"(baseline {base:.3f} s, ratio {took / base:.1f}x); "
        f"precision {precision:.4f}, recall {recall:.4f}"
    )


if __name__ == "__main__":
    main()
