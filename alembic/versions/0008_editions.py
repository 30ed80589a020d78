"""Editions: one per country and year, phone country, interface languages, archive, staff roles

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import campaign.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('interface_languages', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('archived_at', campaign.db.UTCDateTime(timezone=True), nullable=True))
    # Editions made before: numbers were parsed for the campaign's own country.
    op.execute("UPDATE campaign SET phone_country = country")
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_campaign_country_year', ['country', 'year'])

    op.create_table('staffrole',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('campaign_id', 'user_id')
    )


def downgrade() -> None:
    op.drop_table('staffrole')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint('uq_campaign_country_year', type_='unique')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('interface_languages')
        batch_op.drop_column('phone_country')
