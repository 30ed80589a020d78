"""Time from an empty database to a working edition: ``icon migrate`` then
``icon campaign new --country NP --year 2027``, each as the command a team types.

Run from the repository root: ``.venv/bin/python bench/bench_setup.py``.
The baseline is ``icon --help`` in the same run (Python start-up and imports), so the ratio reads
"setting up costs N bare starts of the command" and stays comparable across machines.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
ICON = [sys.executable, "-m", "campaign.cli"]
ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(ICON + args, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    bare, migrate, new = [], [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            env = os.environ | {
                "ICON_ENV": "development",
                "ICON_DATABASE_URL": f"sqlite:///{tmp}/icon.db",
                "ICON_SECRET_KEY": "bench-secret-key-long-enough-0123456789",
            }
            bare.append(_run(["--help"], env))
            migrate.append(_run(["migrate"], env))
            new.append(_run(["campaign", "new", "--country", "NP", "--year", "2027"], env))
    total = [m + n for m, n in zip(migrate, new, strict=True)]
    base = statistics.median(bare)
    print(f"icon --help (baseline)     median {base * 1000:7.0f} ms")
    print(f"icon migrate               median {statistics.median(migrate) * 1000:7.0f} ms")
    print(f"icon campaign new NP 2027  median {statistics.median(new) * 1000:7.0f} ms")
    print(f"empty db -> working edition median {statistics.median(total) * 1000:6.0f} ms "
          f"= {statistics.median(total) / base:.1f}x baseline ({RUNS} runs)")  # fmt: skip


if __name__ == "__main__":
    main()
