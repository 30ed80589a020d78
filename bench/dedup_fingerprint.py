"""Hashes of the groups and of the probable-match queue ``group_nominations`` gives, so that a
speed change can be checked to change no result.

Run from the repository root: ``.venv/bin/python bench/dedup_fingerprint.py [--big] [--code DIR]``.
``--code DIR`` groups with the ``nominations`` package found in DIR (e.g. an export of main),
while the generators stay this checkout's: the same sets, another implementation. ``--big`` adds
the benchmark's 500,000 rows (slow), ``--big-only`` runs them alone. Sets: today's kind (the
benchmark's 100,000 rows and small sets at several seeds), Nigeria's and free wording at several
seeds, one set with a manager's "two people" marks and the edition's regions, and one with mixed
ids and no lexicon.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
args = sys.argv[1:]
code = ROOT
if "--code" in args:
    code = Path(args[args.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(code))

from bench.evalset import generate  # noqa: E402
from bench.evalset_free import generate_free, generate_ng  # noqa: E402
from nominations import dedup  # noqa: E402

assert Path(dedup.__file__).resolve().is_relative_to(code), dedup.__file__


def bench_rows(target: int) -> list[dict]:
    """The rows ``bench/bench_dedup.py`` groups."""
    people = target * 2 // 7
    rows, _ = generate(people, 2024)
    while len(rows) < target:
        people += target // 50
        rows, _ = generate(people, 2024)
    return rows[:target]


def digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def fingerprint(name: str, rows: list[dict], country: str, **options: object) -> None:
    start = time.process_time()
    groups, queue = dedup._analyse(
        rows, country, options.get("regions", ()), options.get("distinct", ())
    )
    took = time.process_time() - start
    print(
        f"{name:24} groups {digest(groups)} queue {digest(queue)} "
        f"({len(groups)} groups, {len(queue)} queued, {took:.1f} s)",
        flush=True,
    )


def marked(rows: list[dict]) -> list[tuple[int, int]]:
    """Pairs of rows a manager might mark as two people: neighbours writing one family name."""
    last: dict[str, int] = {}
    out = []
    for row in rows:
        words = str(row["nominee_name"] or "").split()
        if words:
            key = words[-1].lower()
            if key in last and len(out) < 300:
                out.append((last[key], row["id"]))
            last[key] = row["id"]  # type: ignore[assignment]
    return out


def main() -> None:
    if "--big-only" in args:
        fingerprint("bench 500000", bench_rows(500_000), "ML")
        return
    for seed in (0, 3, 7):
        fingerprint(f"today seed {seed}", generate(1100, seed)[0], "ML")
    for seed in (0, 1, 2, 5, 11):
        fingerprint(f"free seed {seed}", generate_free(1500, seed)[0], "ML")
    for seed in (0, 4):
        fingerprint(f"nigeria seed {seed}", generate_ng(1100, seed)[0], "NG")
    rows = generate_free(1500, 9)[0]
    fingerprint("free 9 marked", rows, "ML", distinct=marked(rows), regions=("Kati", "Bla"))
    odd = [{**r, "id": f"n{r['id']}"} if r["id"] % 3 else r for r in generate(400, 1)[0]]
    fingerprint("today mixed ids, no lex", odd, "")
    fingerprint("bench 100000", bench_rows(100_000), "ML")
    if "--big" in args:
        fingerprint("bench 500000", bench_rows(500_000), "ML")


if __name__ == "__main__":
    main()
