"""Every table in one metadata, for Alembic, the tests and the demo reset.

campaign imports no domain package (DESIGN.md: ``campaign`` <- domain packages <- ``web``), so
each domain package names its tables module in pyproject.toml's ``icon.tables`` entry point
group, as it names its commands and its demo; loading them fills ``SQLModel.metadata``.
"""

from importlib.metadata import entry_points

from sqlmodel import SQLModel

import campaign.models  # noqa: F401 - the core's own tables

for _entry in sorted(entry_points(group="icon.tables"), key=lambda e: e.name):
    _entry.load()

metadata = SQLModel.metadata
