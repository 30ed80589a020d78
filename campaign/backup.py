"""Backup and restore of an SQLite database with SQLite's online backup API, so a copy taken while
the site serves is consistent. PostgreSQL has its own tools (pg_dump, pg_restore)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(Exception):
    pass


def _sqlite_path(engine: Engine) -> str:
    if engine.dialect.name != "sqlite":
        raise BackupError(
            "This database is PostgreSQL: back it up with `pg_dump -Fc` and restore it with "
            "`pg_restore --clean`, which are consistent while the site serves."
        )
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("This SQLite database lives in memory: there is nothing to back up.")
    return path


def backup(engine: Engine, target: Path) -> int:
    """Copy the live database to ``target``; returns the size in bytes."""
    source_path = _sqlite_path(engine)
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name.")
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target.stat().st_size


def restore(engine: Engine, source: Path) -> None:
    """Replace the live database's content with the backup's, after checking it is one of ours."""
    target_path = _sqlite_path(engine)
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
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
