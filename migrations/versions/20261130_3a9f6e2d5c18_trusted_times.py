"""Times you can trust: the gate's own clock beside the server's, and its offline span.

Revision ID: 3a9f6e2d5c18
Revises: 8c4d2b7e1f90
Create Date: 2026-11-30 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3a9f6e2d5c18'
down_revision = '8c4d2b7e1f90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('gate_devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_offset_ms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offline_from', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offline_until', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_time', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_column('device_time')
    with op.batch_alter_table('gate_devices', schema=None) as batch_op:
        batch_op.drop_column('offline_until')
        batch_op.drop_column('offline_from')
        batch_op.drop_column('clock_offset_ms')
