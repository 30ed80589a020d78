"""voting: rounds, candidates, ballots, codes, attempts

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import campaign.db


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('opens_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('alternates', sa.Integer(), nullable=False),
    sa.Column('web_enabled', sa.Boolean(), nullable=False),
    sa.Column('sms_enabled', sa.Boolean(), nullable=False),
    sa.Column('results_live', sa.Boolean(), nullable=False),
    sa.Column('weight_jury', sa.Float(), nullable=False),
    sa.Column('weight_web', sa.Float(), nullable=False),
    sa.Column('weight_sms', sa.Float(), nullable=False),
    sa.Column('previous_round_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', campaign.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['previous_round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('nominee_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('jury_score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'nominee_id', name='uq_candidate_round_nominee'),
    sa.UniqueConstraint('round_id', 'number', name='uq_candidate_round_number')
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_round_id'), ['round_id'], unique=False)

    op.create_table('votecode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('phone_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('votecode', schema=None) as batch_op:
        batch_op.create_index('ix_votecode_phone_created', ['phone_hash', 'created_at'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('voter_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('receipt', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('receipt'),
    sa.UniqueConstraint('round_id', 'voter_hash', name='uq_ballot_round_voter')
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_ballot_round_at', ['round_id', 'at'], unique=False)

    op.create_table('voteattempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('at', campaign.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('candidate', sa.Integer(), nullable=True),
    sa.Column('phone_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phone_seq', sa.Integer(), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('browser', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('voteattempt', schema=None) as batch_op:
        batch_op.create_index('ix_voteattempt_round_at', ['round_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('voteattempt', schema=None) as batch_op:
        batch_op.drop_index('ix_voteattempt_round_at')

    op.drop_table('voteattempt')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_round_at')
        batch_op.drop_index(batch_op.f('ix_ballot_candidate_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('votecode', schema=None) as batch_op:
        batch_op.drop_index('ix_votecode_phone_created')

    op.drop_table('votecode')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_round_id'))

    op.drop_table('candidate')
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_campaign_id'))

    op.drop_table('round')
