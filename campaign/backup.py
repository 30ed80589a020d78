"""Backup and restore, consistent while the site serves: SQLite with its online backup API,
PostgreSQL with its own tools (``pg_dump -Fc`` reads one snapshot; ``pg_restore`` in one
transaction), so ``icon backup FILE`` / ``icon restore FILE`` work on either engine."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine

BACKUP_SECONDS = 3600  # a stuck pg_dump or pg_restore is ended, not waited for
# In ``pg_restore --list``: "215; 1259 16390 TABLE public campaign root".
_OUR_TABLES = [
    re.compile(rf"^\d+; \d+ \d+ TABLE \S+ {t} ", re.M) for t in ("alembic_version", "campaign")
]


class BackupError(Exception):
    pass


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("This SQLite database lives in memory: there is nothing to back up.")
    return path


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to ``target``; returns the size in bytes."""
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    if engine.dialect.name != "sqlite":
        _pg(engine, "pg_dump", "--format=custom", f"--file={target}", cleanup=target)
        return target.stat().st_size
    source_path = _sqlite_path(engine)
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target.stat().st_size


def restore(engine: Engine, source: Path) -> None:
    """Replace the live database's content with the backup's, after checking it is one of ours."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    if engine.dialect.name != "sqlite":
        _restore_pg(engine, source)
        return
    target_path = _sqlite_path(engine)
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
            (ok,) = backup_db.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not an SQLite database ({exc}).") from exc
    if ok != "ok" or "alembic_version" not in tables or "campaign" not in tables:
        raise BackupError(f"{source} is not a backup of this site's database.")
    engine.dispose()
    with sqlite3.connect(source) as backup_db, sqlite3.connect(target_path) as live:
        backup_db.backup(live)


def _restore_pg(engine: Engine, source: Path) -> None:
    listing = _run(["pg_restore", "--list", str(source)], os.environ.copy())
    if listing.returncode != 0:
        raise BackupError(f"{source} is not a pg_dump archive ({listing.stderr.strip()}).")
    if not all(table.search(listing.stdout) for table in _OUR_TABLES):
        raise BackupError(f"{source} is not a backup of this site's database.")
    engine.dispose()
    # One transaction: a restore that fails half-way leaves the database as it was.
    _pg(
        engine,
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        str(source),
    )


def _pg(engine: Engine, tool: str, *args: str, cleanup: Path | None = None) -> None:
    """Runs a PostgreSQL client tool against the engine's database. The password goes in the
    environment (PGPASSWORD), never on a command line that ``ps`` shows."""
    url = engine.url
    env = os.environ | ({"PGPASSWORD": url.password} if url.password else {})
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = _run([tool, f"--dbname={dsn}", *args], env)
    if done.returncode != 0:
        if cleanup is not None:
            cleanup.unlink(missing_ok=True)
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def _run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(  # noqa: S603 - our argv, no shell
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=BACKUP_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools "
            "(Debian: postgresql-client, of the server's major version or newer)."
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{command[0]} did not finish within {BACKUP_SECONDS} s.") from exc
