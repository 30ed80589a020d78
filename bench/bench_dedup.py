"""Time ``group_nominations`` on 500,000 generated nominations (today's kind, Mali lexicon).

Run from the repository root: ``.venv/bin/python bench/bench_dedup.py [ROWS] [RUNS]``.
The baseline is a bare pass that lower-cases and strips accents from every name, measured in the
same run, so the ratio reads "grouping costs N bare passes" and stays comparable across machines.
The target is 15 s on one core for 500,000 rows; the CPU time is printed beside the wall time,
which on a shared machine also counts the waits for a core.
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

TARGET_ROWS = 500_000
RUNS = 1
SEED = 2024
TARGET_SECONDS = 15.0


def baseline(rows: list[dict[str, object]]) -> list[str]:
    out = []
    for row in rows:
        text = unicodedata.normalize("NFKD", str(row["nominee_name"] or ""))
        out.append(text.encode("ascii", "ignore").decode("ascii").lower())
    return out


def median_seconds(func, rows: list[dict[str, object]], runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall and CPU seconds of ``func(rows)``."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        func(rows)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else TARGET_ROWS
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else RUNS
    people = target * 2 // 7  # about 3.5 nominations a person
    rows, labels = generate(people, SEED)
    while len(rows) < target:  # top up deterministically if the draw came out short
        people += target // 50
        rows, labels = generate(people, SEED)
    rows = rows[:target]
    labels = {r["id"]: labels[r["id"]] for r in rows}  # type: ignore[index]
    base = median_seconds(baseline, rows, max(runs, 3))[1]
    groups: list = []

    def run(rows: list[dict[str, object]]) -> None:
        groups[:] = group_nominations(rows, country="ML")

    # On a shared machine the wall clock also counts the time other processes hold the core:
    # the CPU time this process spent is the one-core figure.
    took, cpu = median_seconds(run, rows, runs)
    precision, recall = pairwise_scores(groups, labels)
    print(
        f"dedup {len(rows)} rows: CPU {cpu:.2f} s, wall median {took:.2f} s over {runs} run(s) "
        f"(baseline {base:.3f} s CPU, CPU ratio {cpu / base:.0f}x; target {TARGET_SECONDS:.0f} s "
        f"= {TARGET_SECONDS / base:.0f}x); precision {precision:.4f}, recall {recall:.4f}"
    )


if __name__ == "__main__":
    main()
