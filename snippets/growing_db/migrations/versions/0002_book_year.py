"""A year for each book; books already stored get none.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite cannot alter most of a table in place; batch mode copies it.
    with op.batch_alter_table("book") as batch:
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("book") as batch:
        batch.drop_column("year")
