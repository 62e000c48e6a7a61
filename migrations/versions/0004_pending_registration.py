"""pending registration

Registration waits for its e-mail link: what the form gave (with the password's hash, never
the password) is kept here until the link is used or expires; the account is made then.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:15:18.557989

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('home_area_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['home_area_id'], ['area.id'], name=op.f('fk_pending_registration_home_area_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registration')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_registration_token_hash'))
    )
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registration_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_registration_email'), ['email'], unique=False)



def downgrade():
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registration_email'))
        batch_op.drop_index(batch_op.f('ix_pending_registration_created_at'))

    op.drop_table('pending_registration')
