"""members' opinions on a share before the session

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 06:30:00

`share_opinions`: a funder member's opinion (favourable, reserved, unfavourable, with a comment)
on its funder's share of a file, one per member and share, given before the session opens.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opinion", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["funder_id"], ["funders.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "funder_id", "user_id"),
    )
    with op.batch_alter_table("share_opinions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_opinions_application_id"), ["application_id"])


def downgrade() -> None:
    op.drop_table("share_opinions")
