"""``icon backup FILE`` while votes come in, then ``icon restore FILE`` into a fresh database: the
copy is consistent and holds every vote acknowledged before the backup began. On SQLite the
fresh database is a new file; on PostgreSQL ``<test database>_restore``, made and dropped here."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url

from campaign import db, migrations
from tests.conftest import PG_URL
from tests.reliability.burst import Burst, count, counted_twice, server_env
from tests.voting.test_ballot_box import make_round
from tests.voting.test_durability import _start_server

ORPHANS = (
    "SELECT count(*) FROM ballot b LEFT JOIN round r ON r.id = b.round_id "
    "LEFT JOIN candidate c ON c.id = b.candidate_id "
    "WHERE r.id IS NULL OR c.id IS NULL OR c.round_id <> b.round_id"
)
PER_CANDIDATE = (
    "SELECT c.number, count(b.id) FROM candidate c "
    "LEFT JOIN ballot b ON b.candidate_id = c.id AND NOT b.void "
    "WHERE c.round_id = :r GROUP BY c.number"
)


def _icon(database_url: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "campaign.cli", *args],
                          env=server_env(database_url), cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip


@contextlib.contextmanager
def _fresh_database(tmp_path):
    """The URL of an empty database to restore into."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_restore"
    admin = db.make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with admin.connect() as conn:
        conn.exec_driver_sql(drop)
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(drop)
        admin.dispose()


def test_a_backup_taken_during_a_burst_restores_to_a_consistent_database(
    database_url, engine, campaign, tmp_path
):
    r = make_round(engine, campaign)
    process, base = _start_server(database_url, tmp_path, "backup")
    burst = Burst(engine, r.id, [base], web_votes=200, sms_votes=200, prefix="bk")
    target = tmp_path / "during.backup"
    try:
        burst.start()
        started = time.monotonic()
        while burst.acknowledged() < 60 and time.monotonic() - started < 5:
            time.sleep(0.01)
        began, acked_before = time.monotonic(), burst.acknowledged()
        backed_up = _icon(database_url, tmp_path, "backup", str(target))
        acked_during = burst.acknowledged() - acked_before
        burst.join()
    finally:
        burst.stop.set()
        process.terminate()
        process.wait(timeout=10)
    assert (backed_up.returncode, backed_up.stderr) == (0, "")
    with _fresh_database(tmp_path) as restored_url:
        restored_run = _icon(restored_url, tmp_path, "restore", str(target))
        assert (restored_run.returncode, restored_run.stderr) == (0, "")
        tallied = _icon(restored_url, tmp_path, "tally", str(r.id), "--json")
        restored = db.make_engine(restored_url)
        try:
            migrations.ensure_migrated(restored)  # the copy is a database the site can serve
            with restored.connect() as conn:
                counted = dict(conn.execute(text(PER_CANDIDATE), {"r": r.id}).all())
            in_copy = count(restored, "SELECT count(*) FROM ballot")
            orphans, twice = count(restored, ORPHANS), counted_twice(restored)
            lost = burst.lost(restored, before=began)
        finally:
            restored.dispose()
    tally = {c["number"]: c["total"] for c in json.loads(tallied.stdout)["candidates"]}
    live = count(engine, "SELECT count(*) FROM ballot")
    print(f"\nbackup: {burst.figures()}; acknowledged {acked_before} before the backup and "
          f"{acked_during} while it ran; counted {live} "
          f"live, {in_copy} in the restored copy (tally {tally}), lost from before the backup "
          f"{lost}, orphans {orphans}, counted twice {twice}")  # fmt: skip
    assert acked_before > 0 and acked_during > 0  # the backup ran in the middle of the burst
    assert (lost, orphans, twice) == (0, 0, 0)
    assert tally == counted and sum(tally.values()) == in_copy
