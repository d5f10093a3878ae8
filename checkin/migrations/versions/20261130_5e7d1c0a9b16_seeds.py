"""seeds: meetings without quotas, rotating series, contributions, windows

Revision ID: 5e7d1c0a9b16
Revises: 3a9f6e2d5c18
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e7d1c0a9b16'
down_revision = '3a9f6e2d5c18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_mode', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('quotas_enabled', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('date_to_be_fixed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('checkin_opens_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checkin_closes_minutes', sa.Integer(), nullable=True))
    op.execute("UPDATE events SET planned_mode = mode")

    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name', sa.String(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('interval_months', sa.Integer(), nullable=False,
                                      server_default='3'))

    op.create_table('series_hosts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=255), nullable=False),
    sa.Column('venue_address', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_series_hosts_series_id_event_series'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_series_hosts_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series_hosts')),
    sa.UniqueConstraint('series_id', 'position', name=op.f('uq_series_hosts_series_id_position'))
    )
    with op.batch_alter_table('series_hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_hosts_series_id'), ['series_id'], unique=False)

    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agenda_items_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agenda_items_parent_id_agenda_items'),
                                    'agenda_items', ['parent_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('document_name', sa.String(length=255), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('document_type', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('document_size', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('document', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_over', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
    # Number the questions already asked, per meeting, in the order they came.
    op.execute("""
        UPDATE questions SET number = (
            SELECT COUNT(*) FROM questions AS q
            WHERE q.event_id = questions.event_id AND q.id <= questions.id)
    """)
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_questions_event_id_number'),
                                          ['event_id', 'number'])


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_questions_event_id_number'), type_='unique')
        batch_op.drop_column('number')
    with op.batch_alter_table('attendees', schema=None) as batch_op:
        batch_op.drop_column('carried_over')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        for name in ('submitted_at', 'document', 'document_size', 'document_type',
                     'document_name', 'deadline'):
            batch_op.drop_column(name)
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agenda_items_parent_id_agenda_items'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agenda_items_parent_id'))
        batch_op.drop_column('parent_id')
    with op.batch_alter_table('series_hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_hosts_series_id'))
    op.drop_table('series_hosts')
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.drop_column('interval_months')
        batch_op.drop_column('short_name')
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name in ('checkin_closes_minutes', 'checkin_opens_minutes', 'date_to_be_fixed',
                     'quotas_enabled', 'planned_mode'):
            batch_op.drop_column(name)
