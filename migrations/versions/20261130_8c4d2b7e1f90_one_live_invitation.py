"""One live invitation per person, enforced by the database.

Two organizers reissuing the same invitation at once could leave a person with two
valid invitations (both accepted at the gate). Before the unique partial index is
created, any such pair is repaired: the newest invitation stays valid, the older ones
are revoked with the reason "duplicate".

Revision ID: 8c4d2b7e1f90
Revises: 5e1f0c2a9d47
Create Date: 2026-11-30 06:15:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4d2b7e1f90'
down_revision = '5e1f0c2a9d47'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    invitations = sa.table('invitations', sa.column('id', sa.Integer),
                           sa.column('attendee_id', sa.Integer),
                           sa.column('revoked_at', sa.DateTime(timezone=True)),
                           sa.column('revoke_reason', sa.String),
                           sa.column('replaced_by_id', sa.Integer))
    rows = bind.execute(sa.select(invitations.c.id, invitations.c.attendee_id)
                        .where(invitations.c.revoked_at.is_(None))
                        .order_by(invitations.c.attendee_id, invitations.c.id.desc())).all()
    now = datetime.now(timezone.utc)
    if bind.dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # stored naive UTC, as UTCDateTime does
    newest = {}
    for invitation_id, attendee_id in rows:
        if attendee_id not in newest:
            newest[attendee_id] = invitation_id
            continue
        bind.execute(invitations.update().where(invitations.c.id == invitation_id).values(
            revoked_at=now, revoke_reason='duplicate', replaced_by_id=newest[attendee_id]))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('uq_invitations_live_attendee', ['attendee_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('uq_invitations_live_attendee')
