"""nominations and nominees

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import campaign.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nominee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('nomination_count', sa.Integer(), nullable=False),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('nominee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nominee_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('tracking_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('nominee_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('nominee_gender', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('nominee_position', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('nominee_institution', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('nominee_region', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('nominee_town', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('nominee_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('referees', sa.JSON(), nullable=False),
    sa.Column('nominator_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('nominator_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('nominator_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('nominator_relation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('paper_serial', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('region_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('name_words', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], ),
    sa.ForeignKeyConstraint(['volunteer_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'volunteer_id', 'paper_serial', name='uq_paper_form'),
    sa.UniqueConstraint('submission_key'),
    sa.UniqueConstraint('tracking_code')
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index('ix_nomination_campaign_created', ['campaign_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_nomination_campaign_region_key', ['campaign_id', 'region_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_nominee_id'), ['nominee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_volunteer_id'), ['volunteer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_status'))
        batch_op.drop_index(batch_op.f('ix_nomination_nominee_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_channel'))
        batch_op.drop_index('ix_nomination_campaign_region_key')
        batch_op.drop_index(batch_op.f('ix_nomination_campaign_id'))
        batch_op.drop_index('ix_nomination_campaign_created')

    op.drop_table('nomination')
    with op.batch_alter_table('nominee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominee_campaign_id'))

    op.drop_table('nominee')
