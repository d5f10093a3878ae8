"""Versions per stream: attendance, dialogue, live — counted by the database.

The single ``events.version`` (bumped read-then-write in Python, which lost
increments under concurrency) becomes three counters, each starting from the old
value so that no open page ever sees a version go back.

Revision ID: 5e1f0c2a9d47
Revises: 5d1e0b7a9c42
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c2a9d47'
down_revision = '5d1e0b7a9c42'
branch_labels = None
depends_on = None

STREAMS = ('attendance', 'dialogue', 'live')


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        for stream in STREAMS:
            batch_op.add_column(sa.Column(f'{stream}_version', sa.Integer(), nullable=False,
                                          server_default='1'))
    op.execute('UPDATE events SET attendance_version = version, dialogue_version = version, '
               'live_version = version')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('version')


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
    # The old single counter must not go back either: the sum is at least each stream.
    op.execute('UPDATE events SET version = attendance_version + dialogue_version '
               '+ live_version')
    with op.batch_alter_table('events', schema=None) as batch_op:
        for stream in STREAMS:
            batch_op.drop_column(f'{stream}_version')
