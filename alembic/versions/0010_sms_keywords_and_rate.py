"""The edition's own SMS keywords and short code; the gateway's rate shared by every process

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("sms_keywords", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(
            sa.Column("sms_number", sa.String(length=20), nullable=False, server_default="")
        )
    op.create_table(
        "sms_rate",
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("gateway"),
    )


def downgrade() -> None:
    op.drop_table("sms_rate")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("sms_number")
        batch.drop_column("sms_keywords")
