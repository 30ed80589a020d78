"""Pairwise precision and recall of ``group_nominations`` on three kinds of labelled sets.

Run from the repository root: ``.venv/bin/python bench/eval_dedup.py [SEEDS]`` (default 30).
Kinds: today's (bench/evalset.py, Mali), another country's (Nigeria, its own name lists) and
Malian free wording (orthographies, diminutives, title and family name only, free posts and
institutions, cercles and towns for regions). Each prints the worst and median over the seeds,
and, for free wording, the recall once the probable-match queue's first entries (up to a tenth
of the nominees) are confirmed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalset import generate, pairwise_scores  # noqa: E402
from bench.evalset_free import generate_free, generate_ng  # noqa: E402
from nominations.dedup import group_nominations, probable_matches  # noqa: E402

KINDS = {
    "today": (lambda seed: generate(1100, seed), "ML", ()),
    "nigeria": (lambda seed: generate_ng(1100, seed), "NG", ()),
    "free": (lambda seed: generate_free(1500, seed), "ML", ()),
}


def confirmed(groups: list[list], rows: list[dict], labels: dict, country: str) -> list[list]:
    """The groups once a manager has answered the queue's first entries (a tenth of the groups)
    truthfully: merge when the labels agree."""
    queue = probable_matches(rows, country=country)[: len(groups) // 10]
    parent = {g[0]: g[0] for g in groups}
    head = {i: g[0] for g in groups for i in g}

    def find(x):  # type: ignore[no-untyped-def]
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b, _ in queue:
        if labels[a[0]] == labels[b[0]]:
            parent[find(head[a[0]])] = find(head[b[0]])
    merged: dict = {}
    for g in groups:
        merged.setdefault(find(g[0]), []).extend(g)
    return list(merged.values())


def evaluate(kind: str, seeds: range) -> dict[str, list[float]]:
    make, country, regions = KINDS[kind]
    out: dict[str, list[float]] = {"p": [], "r": [], "rq": [], "pq": [], "s": []}
    for seed in seeds:
        rows, labels = make(seed)
        start = time.perf_counter()
        groups = group_nominations(rows, country=country, regions=regions)
        out["s"].append(time.perf_counter() - start)
        p, r = pairwise_scores(groups, labels)
        out["p"].append(p)
        out["r"].append(r)
        if kind == "free":
            pq, rq = pairwise_scores(confirmed(groups, rows, labels, country), labels)
            out["pq"].append(pq)
            out["rq"].append(rq)
    return out


def main() -> None:
    seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    for kind in KINDS:
        f = evaluate(kind, seeds)
        line = (
            f"{kind:8} {len(seeds)} seeds: precision worst {min(f['p']):.4f} median "
            f"{statistics.median(f['p']):.4f}; recall worst {min(f['r']):.4f} median "
            f"{statistics.median(f['r']):.4f}; {statistics.median(f['s']):.2f} s a set"
        )
        if f["rq"]:
            line += (
                f"; after the queue's first tenth: precision worst {min(f['pq']):.4f}, "
                f"recall worst {min(f['rq']):.4f} median {statistics.median(f['rq']):.4f}"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
