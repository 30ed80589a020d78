"""The few statements of a vote batch, in plain SQL through the driver (both engines).

SQLAlchemy would compile a multi-row insert afresh for every batch size, which cost more than the
writing itself; these statements are fixed text with bound values. They run on the driver's own
cursor of the batch's connection, inside that connection's transaction (so its BEGIN, its COMMIT
and the constraints decide as before): ``exec_driver_sql`` set up a CursorResult and fired the
engine's events for each, a third of the batch thread's Python. A driver error is raised as
SQLAlchemy would raise it, a lost connection invalidated, so ``db.retrying`` still tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from campaign import db
from campaign.db import UTCDateTime
from voting.models import VoteChannel
from voting.vote_codes import CODE_TRIES


@dataclass(frozen=True)
class BallotRound:
    id: int
    title: str


@dataclass(frozen=True)
class BallotCandidate:
    id: int
    number: int
    name: str


@dataclass(frozen=True)
class OpenBallot:
    country: str
    round: BallotRound
    candidates: dict[int, BallotCandidate]  # by ballot number


def open_ballot(sql: BatchSql, channel: str) -> OpenBallot | None:
    """The open round of the current campaign if it takes votes on ``channel``: the rules of
    ``campaigns.current_in`` and ``ballot_box.open_round``, read in one plain statement once per
    batch (their ORM form cost more than the batch's writing; three statements, three rounds of
    the driver). No row: no campaign or no open round; one row of nulls past the round's
    columns: a round without candidates."""
    m = sql.mark
    enabled = "sms_enabled" if channel == VoteChannel.sms else "web_enabled"
    rows = sql.rows(
        f"SELECT c.phone_country, r.id, r.title, r.{enabled}, k.id, k.number, k.name "  # noqa: S608
        "FROM (SELECT id, phone_country FROM campaign ORDER BY year DESC, id DESC LIMIT 1) c "
        "JOIN round r ON r.id = (SELECT id FROM round WHERE campaign_id = c.id "
        f"AND opens_at <= {m} AND closes_at > {m} AND closed_at IS NULL "
        "ORDER BY opens_at DESC, id DESC LIMIT 1) "
        "LEFT JOIN candidate k ON k.round_id = r.id",
        [sql.now, sql.now],
    )
    if not rows or not rows[0][3]:
        return None
    country, round_id, title = rows[0][:3]
    candidates = {
        number: BallotCandidate(id_, number, name)
        for *_round, id_, number, name in rows
        if id_ is not None
    }
    return OpenBallot(country, BallotRound(round_id, title), candidates)


class BatchSql:
    """One batch's statements on the batch's connection; ``now`` is bound once."""

    def __init__(self, conn: Connection, now: datetime):
        self.conn = conn
        self.dialect = dialect = self.conn.dialect
        self.raw = self.conn.connection.dbapi_connection
        self.cursor = self.raw.cursor()
        self.mark = "%s" if dialect.name == "postgresql" else "?"
        # The dialect's own processor: on SQLite the text the ORM stores (with microseconds),
        # once per batch, where a datetime left pysqlite a conversion for every row and column.
        self.bind_time = _time_processor(dialect)
        self.now = self.bind_time(now)

    def marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    def rows(self, sql: str, params: list) -> list[tuple]:
        return self.execute(sql, params, fetch=True)

    def execute(self, sql: str, params, fetch: bool = False) -> list[tuple] | None:
        params = tuple(params)
        try:
            self.cursor.execute(sql, params)
            return self.cursor.fetchall() if fetch else None
        except self.dialect.loaded_dbapi.Error as exc:
            # As Connection._handle_dbapi_exception: a lost connection is dropped from the pool
            # and says so (connection_invalidated), anything else keeps its SQLAlchemy class.
            lost = self.dialect.is_disconnect(exc, self.raw, self.cursor)
            if lost:
                self.conn.invalidate(exc)
            error = self.dialect.loaded_dbapi.Error
            db.hide_detail(exc)
            # Hidden as the engine hides them (db.make_engine): the values are a batch's voter
            # hashes, receipts, addresses and replies, and the error's text reaches the log.
            raise DBAPIError.instance(
                sql,
                params,
                exc,
                error,
                hide_parameters=self.conn.engine.hide_parameters,
                connection_invalidated=lost,
                dialect=self.dialect,
            ) from exc

    def insert(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """One multi-row statement per ``MAX_ROWS`` rows (a batch holds at most a few hundred):
        a row costs a few microseconds instead of a statement's round of the driver."""
        one = f"({self.marks(len(columns))})"
        for start in range(0, len(rows), MAX_ROWS):
            chunk = rows[start : start + MAX_ROWS]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - constant names
            sql += ", ".join([one] * len(chunk))
            self.execute(sql, chain.from_iterable(chunk))

    def stored_replies(self, keys: list[str]) -> dict[str, str]:
        """{reply key: reply} of the messages already answered (sms_inbound.reply_key)."""
        marks = self.marks(len(keys))
        sql = f"SELECT reply_key, reply FROM inboundsms WHERE reply_key IN ({marks})"  # noqa: S608
        return dict(self.rows(sql, keys)) if keys else {}

    def sent_recently(self, keys: list[str], since: datetime) -> dict[str, int]:
        if not keys:
            return {}
        marks = self.marks(len(keys))
        sql = f"SELECT key, count(*) FROM rateevent WHERE key IN ({marks})"  # noqa: S608
        sql += f" AND at > {self.mark} GROUP BY key"
        return dict(self.rows(sql, [*keys, self.bind_time(since)]))

    def live_codes(self, round_id: int, phone_hashes: list[str]) -> dict[tuple[str, str], int]:
        """{(phone hash, code hash): code id} of the unspent, unexpired codes with tries left."""
        if not phone_hashes:
            return {}
        marks, m = self.marks(len(phone_hashes)), self.mark
        sql = f"SELECT phone_hash, code_hash, id FROM votecode WHERE phone_hash IN ({marks})"  # noqa: S608
        sql += f" AND round_id = {m} AND used = {m} AND expires_at > {m} AND tries < {m}"
        params = [*phone_hashes, round_id, False, self.now, CODE_TRIES]
        return {(phone, code): id_ for phone, code, id_ in self.rows(sql, params)}

    def spend_codes(self, ids: list[int]) -> set[int]:
        """Marks the codes used; returns those this statement spent (not already used)."""
        if not ids:
            return set()
        marks, m = self.marks(len(ids)), self.mark
        sql = f"UPDATE votecode SET used = {m} WHERE id IN ({marks}) AND used = {m}"  # noqa: S608
        sql += f" AND tries < {m} RETURNING id"  # a try counted meanwhile may have killed it
        return {id_ for (id_,) in self.rows(sql, [True, *ids, False, CODE_TRIES])}

    def ballots_of_new_voters(self, rows: list[tuple]) -> dict[str, tuple[int, str]]:
        """Inserts the ballots whose voter has not voted; returns {voter_hash: (id, receipt)} of
        those that went in. The unique constraint decides, whatever else commits meanwhile."""
        one = f"({self.marks(len(BALLOT_COLUMNS))})"
        counted = {}
        for start in range(0, len(rows), MAX_ROWS):
            chunk = rows[start : start + MAX_ROWS]
            sql = f"INSERT INTO ballot ({', '.join(BALLOT_COLUMNS)}) VALUES "  # noqa: S608
            sql += ", ".join([one] * len(chunk))
            sql += " ON CONFLICT (round_id, voter_hash) DO NOTHING"
            sql += " RETURNING voter_hash, id, receipt"
            found = self.rows(sql, list(chain.from_iterable(chunk)))
            counted.update({voter: (id_, receipt) for voter, id_, receipt in found})
        return counted


@lru_cache(maxsize=8)  # one engine in the app; a few in the tests
def _time_processor(dialect) -> Callable:
    return UTCDateTime().dialect_impl(dialect).bind_processor(dialect)


# Rows per statement: 400 rows of 10 columns stay far below SQLite's 32766 bound values.
MAX_ROWS = 400
BALLOT_COLUMNS = (
    "round_id",
    "candidate_id",
    "channel",
    "voter_hash",
    "receipt",
    "at",
    "void",
    "void_reason",
)
ATTEMPT_COLUMNS = (
    "round_id",
    "at",
    "channel",
    "kind",
    "candidate",
    "phone_hash",
    "phone_seq",
    "address",
    "browser",
    "ballot_id",
)
INBOUND_COLUMNS = ("gateway_id", "reply_key", "keyword", "reply", "received_at")
