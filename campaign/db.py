"""Database engine: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL through psycopg 3."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial, wraps
from typing import TypeVar

from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
# FULL: a committed vote survives a power cut (WAL is synced on every commit). NORMAL syncs at
# checkpoints only: quicker, and a power cut (not a crash of the process) can lose the last
# commits. ICON_SQLITE_SYNCHRONOUS chooses; voting wants FULL, the default.
SQLITE_SYNCHRONOUS = ("full", "normal")
# A unit of work whose connection was lost is tried this many more times, each on a new one.
RETRIES_ON_DISCONNECT = 2
log = logging.getLogger("icon.db")
T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Accept the plain ``postgresql://`` form operators copy from their provider."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, sqlite_synchronous: str = "full") -> Engine:
    """An engine whose errors never quote their statement's values (``hide_parameters``): an
    error's text reaches the log, and the values may be a voter's number or a nominator's
    email."""
    url = normalise_url(url)
    if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {SQLITE_SYNCHRONOUS}")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            hide_parameters=True,
        )
        event.listen(engine, "connect", partial(_sqlite_pragmas, sqlite_synchronous.upper()))
        # pysqlite's own transaction handling defers BEGIN until the first write, so the reads of a
        # unit of work would not share one snapshot; begin explicitly (SQLAlchemy's recipe).
        # IMMEDIATE: a deferred transaction that reads, then writes after another writer
        # committed fails at once with "database is locked" (WAL cannot upgrade a stale
        # snapshot); taking the write lock up front makes it wait (busy timeout) instead.
        # Readers still read in WAL; units of work are short, so the wait is milliseconds.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )
    event.listen(engine, "handle_error", _hide_detail_of)
    return engine


def hide_detail(exc: BaseException) -> bool:
    """PostgreSQL's own error text quotes the row's values in its DETAIL ("Failing row contains
    (..., +22376000001, ...)", "Key (receipt)=(...) already exists"): kept to the primary
    message, like the statement's parameters. The diagnostic stays on ``exc.diag``."""
    diag = getattr(exc, "diag", None)
    if diag is None or not diag.message_detail or not exc.args:
        return False
    exc.args = (f"{diag.message_primary} (its detail, which quotes the row, is hidden)",)
    return True


def _hide_detail_of(context) -> None:  # type: ignore[no-untyped-def]
    # SQLAlchemy has already written the driver's text into its own error: written again.
    wrapper, orig = context.sqlalchemy_exception, context.original_exception
    if hide_detail(orig) and isinstance(wrapper, DBAPIError):
        wrapper.args = (f"({type(orig).__module__}.{type(orig).__name__}) {orig}",)


def _sqlite_pragmas(synchronous: str, dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.close()


def is_disconnect(exc: BaseException) -> bool:
    """Whether the database connection was lost (a PostgreSQL restart or failover, an operator's
    ``pg_terminate_backend``): SQLAlchemy has then dropped it and checks the pool's others
    before use (pool_pre_ping), so trying again gets a working connection."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def retrying(work: Callable[..., T], *args, **kwargs) -> T:
    """``work(*args, **kwargs)``, done again (on a new connection) when its connection was lost.
    Only for work that is safe to repeat: a connection lost during COMMIT leaves unknown whether
    it committed, so the repeat must find its own work done (a unique constraint, a stored reply,
    a spent code) rather than do it twice. Reads always are."""
    for attempt in itertools.count(1):
        try:
            return work(*args, **kwargs)
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt > RETRIES_ON_DISCONNECT:
                raise
            log.warning("database connection lost (%s); trying again", exc.orig)
    raise AssertionError("unreachable")


def retry_on_disconnect(work: Callable[..., T]) -> Callable[..., T]:
    """``work`` done through ``retrying``: for the reads every vote request makes, so a vote
    that arrives as the connection is lost is answered rather than failed."""

    @wraps(work)
    def again(*args, **kwargs) -> T:
        return retrying(work, *args, **kwargs)

    return again


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit, so services can return them."""
    return Session(engine, expire_on_commit=False)


def violates(exc: Exception, table: str, constraint: str, columns: tuple[str, ...]) -> bool:
    """Whether an IntegrityError is this unique constraint's (PostgreSQL names it; SQLite lists
    its columns). Any other violation is a fault, not an answer to give the user."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:
        return diag.constraint_name == constraint
    listed = ", ".join(f"{table}.{c}" for c in columns)
    return str(orig) == f"UNIQUE constraint failed: {listed}"


def delete_oldest(s: Session, model, at, older_than: datetime, batch: int) -> int:
    """Deletes up to ``batch`` rows of ``model`` whose ``at`` column is before ``older_than``;
    how many went. Callers repeat in fresh transactions while a full batch went, so the write
    lock (the whole database, on SQLite) is held for one short batch at a time."""
    oldest = select(model.id).where(at < older_than).limit(batch).scalar_subquery()
    return s.execute(delete(model).where(model.id.in_(oldest))).rowcount


def reset_sequences(engine: Engine, *tables: str) -> None:
    """After rows were inserted with their ids (the demo), PostgreSQL's id sequences are behind:
    the next insert would collide. Moves each to its table's largest id; SQLite needs nothing."""
    if engine.dialect.name == "sqlite":
        return
    with engine.begin() as conn:
        for table in tables:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"
            )
