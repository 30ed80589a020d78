import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from campaign import db, migrations
from campaign.tables import metadata
from web.app import create_app


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_app_refuses_an_unmigrated_database(settings, tmp_path):
    empty = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(migrations.DatabaseNotMigrated, match=r"is empty.*Run `icon migrate`"):
        create_app(settings, empty)


def test_migrated_database_is_at_head(engine):
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == migrations.head()
    assert migrations.ensure_migrated(engine) is None
