"""Voter privacy: masked SMS recipients, replies keyed on (id, sender), no tails beside choices

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from campaign import phones

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# 0001 left the unique constraint on inboundsms.gateway_id unnamed; SQLite's batch mode needs a
# name to drop it, PostgreSQL named it itself.
UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    with op.batch_alter_table('smsmessage', schema=None) as batch_op:
        batch_op.alter_column('to', existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=32),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('to_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_smsmessage_to_hash'), ['to_hash'], unique=False)
    conn = op.get_bind()
    # What was stored before: numbers masked, texts a gateway took blanked (no key here to hash).
    for id_, to in conn.execute(sa.text('SELECT id, "to" FROM smsmessage')).all():
        conn.execute(sa.text('UPDATE smsmessage SET "to" = :to WHERE id = :id'),
                     {"to": phones.masked_groups(to), "id": id_})
    conn.execute(sa.text("UPDATE smsmessage SET body = '' WHERE status <> 'stored'"))
    # The attempts log kept six digits of the number beside the choice: both go.
    conn.execute(sa.text("UPDATE voteattempt SET candidate = NULL, phone_seq = NULL"))

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_budget', sa.Integer(), nullable=False,
                                      server_default='60'))

    pg = conn.dialect.name == 'postgresql'
    with op.batch_alter_table('inboundsms', schema=None,
                              naming_convention=None if pg else UQ) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inboundsms_sender_hash'))
        batch_op.drop_constraint('inboundsms_gateway_id_key' if pg else 'uq_inboundsms_gateway_id',
                                 type_='unique')
        batch_op.drop_column('sender_hash')
        batch_op.add_column(sa.Column('reply_key', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint('uq_inboundsms_reply_key', ['reply_key'])


def downgrade() -> None:
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('code_budget')
    with op.batch_alter_table('inboundsms', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inboundsms_reply_key', type_='unique')
        batch_op.drop_column('reply_key')
        batch_op.add_column(sa.Column('sender_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_inboundsms_sender_hash'), ['sender_hash'],
                              unique=False)
        batch_op.create_unique_constraint('uq_inboundsms_gateway_id', ['gateway_id'])
    with op.batch_alter_table('smsmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_smsmessage_to_hash'))
        batch_op.drop_column('to_hash')
        batch_op.alter_column('to', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=20),
                              existing_nullable=False)
