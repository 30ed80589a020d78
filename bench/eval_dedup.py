"""Pairwise precision and recall of ``group_nominations`` on three kinds of labelled sets.

Run from the repository root: ``.venv/bin/python bench/eval_dedup.py [SEEDS]`` (default 30).
Kinds: today's (bench/evalset.py, Mali), another country's (Nigeria, its own name lists) and
Malian free wording (orthographies, diminutives, title and family name only, free posts and
institutions, cercles and towns for regions). Each prints the worst and median over the seeds,
and, for free wording, the figures once as many of the probable-match queue's entries as a
tenth of the nominees are answered: worked page by page as the app shows it (``confirmed``), and
by the earlier static measure (``confirmed_static``: the first tenth of one list, merges only).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalset import generate, pairwise_scores  # noqa: E402
from bench.evalset_free import generate_free, generate_ng  # noqa: E402
from nominations.dedup import group_nominations, probable_matches  # noqa: E402
from nominations.matches import QUEUE_SIZE, current_pairs  # noqa: E402

KINDS = {
    "today": (lambda seed: generate(1100, seed), "ML", ()),
    "nigeria": (lambda seed: generate_ng(1100, seed), "NG", ()),
    "free": (lambda seed: generate_free(1500, seed), "ML", ()),
}


def confirmed_static(
    groups: list[list], rows: list[dict], labels: dict, country: str
) -> list[list]:
    """The earlier measure, kept for comparison: one list of probable matches, its first tenth
    of the groups merged wherever the labels agree (no page, no "different" answer)."""
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


def _person(members: list, labels: dict) -> object:
    """Who a nominee is, as a manager reading its nominations sees it: most of them."""
    counts = Counter(labels[i] for i in members)
    return min(counts, key=lambda k: (-counts[k], str(k)))


def confirmed(
    groups: list[list], rows: list[dict], labels: dict, country: str, page: int = QUEUE_SIZE
) -> list[list]:
    """The nominees once a manager has answered as many queue entries as a tenth of the
    nominees, working the queue as the app shows it (nominations.matches): a page of ``page``
    current pairs, a pair already one nominee skipped; each answered truthfully, "same" merging
    the right nominee into the left (nominations.grouping.merge), "different" remembered as a
    DistinctPair of both nominees' nominations and passed to every later grouping; the page
    recomputed once answered. Every answer counts toward the tenth.

    A manager's merge changes the nominees only, not grouping's own groups: the next page is
    grouping's probable matches again (with the "different" answers), each group read as the
    nominee most of its nominations now have, as the app does. The app recomputes its page
    after each answer; entries below an answer on this page are read through the nominees as
    they stand then, and skipped once their two sides are one nominee or already answered."""
    budget = len(groups) // 10
    nominee_of = {i: g[0] for g in groups for i in g}
    members = {g[0]: list(g) for g in groups}
    distinct: list[tuple] = []
    answered = 0
    while answered < budget:
        shown = current_pairs(
            probable_matches(rows, country=country, distinct=distinct), nominee_of, page
        )
        if not shown:
            break
        # A nomination of each shown nominee: where it is now says what that nominee became.
        shown = [(members[a][0], members[b][0]) for _, a, b in shown]
        done: set[tuple] = set()
        for x, y in shown:
            if answered == budget:
                break
            left, right = nominee_of[x], nominee_of[y]
            key = (min(left, right), max(left, right))
            if left == right or key in done:
                continue
            done.add(key)
            answered += 1
            if _person(members[left], labels) == _person(members[right], labels):
                for i in members[right]:
                    nominee_of[i] = left
                members[left] += members.pop(right)
            else:
                distinct += [(x, y) for x in members[left] for y in members[right]]
    merged: dict = {}
    for i, n in nominee_of.items():
        merged.setdefault(n, []).append(i)
    return list(merged.values())


def evaluate(kind: str, seeds: range) -> dict[str, list[float]]:
    make, country, regions = KINDS[kind]
    out: dict[str, list[float]] = {k: [] for k in ("p", "r", "pq", "rq", "ps", "rs", "s")}
    for seed in seeds:
        rows, labels = make(seed)
        start = time.perf_counter()
        groups = group_nominations(rows, country=country, regions=regions)
        out["s"].append(time.perf_counter() - start)
        p, r = pairwise_scores(groups, labels)
        out["p"].append(p)
        out["r"].append(r)
        if kind == "free":
            for p_key, r_key, answer in (("pq", "rq", confirmed), ("ps", "rs", confirmed_static)):
                pq, rq = pairwise_scores(answer(groups, rows, labels, country), labels)
                out[p_key].append(pq)
                out[r_key].append(rq)
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
                f"; after the queue's first tenth, paged as the app shows it: precision worst "
                f"{min(f['pq']):.4f} median {statistics.median(f['pq']):.4f}, recall worst "
                f"{min(f['rq']):.4f} median {statistics.median(f['rq']):.4f}; static list "
                f"(earlier measure): precision worst {min(f['ps']):.4f}, recall worst "
                f"{min(f['rs']):.4f} median {statistics.median(f['rs']):.4f}"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
