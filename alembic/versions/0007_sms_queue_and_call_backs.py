"""sms queue and call-backs

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import campaign.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('callback',
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', campaign.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('closed_at', campaign.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('nomination_id')
    )
    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_volunteer_id'), ['volunteer_id'], unique=False)

    with op.batch_alter_table('smsmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', campaign.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', campaign.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('dedup_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('pending_to', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('pending_body', sqlmodel.sql.sqltypes.AutoString(length=1600), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_smsmessage_dedup_key'), ['dedup_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_smsmessage_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_smsmessage_status'), ['status'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('smsmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smsmessage_status'))
        batch_op.drop_index(batch_op.f('ix_smsmessage_provider_id'))
        batch_op.drop_index(batch_op.f('ix_smsmessage_dedup_key'))
        batch_op.drop_column('pending_body')
        batch_op.drop_column('pending_to')
        batch_op.drop_column('dedup_key')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('kind')

    with op.batch_alter_table('callback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_volunteer_id'))

    op.drop_table('callback')
    
