"""Pairwise precision and recall of ``group_nominations`` on generated sets.

Run from the repository root: ``.venv/bin/python bench/eval_dedup.py``.
Each seed draws a different labelled set of about 3,500-4,000 nominations.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalset import generate, pairwise_scores  # noqa: E402
from nominations.dedup import group_nominations  # noqa: E402

SEEDS = (0, 1, 2)
PEOPLE = 1100


def main() -> None:
    for seed in SEEDS:
        rows, labels = generate(PEOPLE, seed)
        start = time.perf_counter()
        groups = group_nominations(rows)
        took = time.perf_counter() - start
        precision, recall = pairwise_scores(groups, labels)
        print(
            f"seed {seed}: {len(rows)} nominations of {len(set(labels.values()))} people "
            f"-> {len(groups)} groups in {took:.2f} s; "
            f"precision {precision:.4f}, recall {recall:.4f}"
        )


if __name__ == "__main__":
    main()
