"""Indexes for the housekeeping purges: old rate-limit events by time, old inbound SMS replies

Revision ID: house_split
Revises: 0011
"""

from alembic import op

revision = "house_split"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (key, at) serves a limit's window, not "at < ?": without these a purge reads every row.
    op.create_index("ix_rateevent_at", "rateevent", ["at"])
    op.create_index("ix_inboundsms_received_at", "inboundsms", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_inboundsms_received_at", table_name="inboundsms")
    op.drop_index("ix_rateevent_at", table_name="rateevent")
