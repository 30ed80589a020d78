"""Managers' "different people" answers to probable matches

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import campaign.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nominee_distinct",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("left", sa.JSON(), nullable=False),
        sa.Column("right", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", campaign.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_nominee_distinct_campaign_id"), "nominee_distinct", ["campaign_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_nominee_distinct_campaign_id"), table_name="nominee_distinct")
    op.drop_table("nominee_distinct")
