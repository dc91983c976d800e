"""user titles: the job title printed after a signatory's name on letters and minutes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:10:00

`users.title` (« Présidente du comité des financeurs »): letters and minutes are signed by a
named person with their title, not by a role. Nullable: existing accounts keep working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A plain ADD/DROP COLUMN, not a batch copy of the table: on SQLite a batch recreates `users`,
# which every other table references (DROP TABLE fails on the foreign keys).


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("users", "title")
