"""Profiles and audio spots

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import campaign.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=True),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('distinction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('institution', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('video_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('photo', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('published_at', campaign.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'nominee_id', name='uq_profile_nominee'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('audiospot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('original_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('original_format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('original_bytes', sa.Integer(), nullable=False),
    sa.Column('duration_s', sa.Float(), nullable=False),
    sa.Column('bitrate', sa.Integer(), nullable=False),
    sa.Column('light_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('light_bytes', sa.Integer(), nullable=False),
    sa.Column('published_at', campaign.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['profile_id'], ['profile.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audiospot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audiospot_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audiospot_profile_id'), ['profile_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audiospot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audiospot_profile_id'))
        batch_op.drop_index(batch_op.f('ix_audiospot_campaign_id'))

    op.drop_table('audiospot')
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_campaign_id'))

    op.drop_table('profile')
