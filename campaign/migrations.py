"""Alembic, driven from code: ``icon migrate`` and the start-up check that refuses an old schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

SCRIPT_LOCATION = Path(__file__).resolve().parent.parent / "alembic"


class DatabaseNotMigrated(Exception):
    pass


def config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    # ConfigParser interpolation would choke on a password containing '%'.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def head() -> str:
    return ScriptDirectory.from_config(config("sqlite://")).get_current_head()


def ensure_migrated(engine: Engine) -> None:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head():
        state = "is empty" if current is None else f"is at revision {current}"
        raise DatabaseNotMigrated(
            f"The database {state}, but this code needs revision {head()}. "
            "Run `icon migrate` (or `make migrate`), then start again."
        )
