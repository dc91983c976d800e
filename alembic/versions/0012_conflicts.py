"""conflicts of interest declared or detected on a file of a session

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 06:30:00

`conflicts_of_interest`: a member of a funder who takes no part in the decision on one file of
a session, declared by the member, recorded by the chair or found automatically; one row per
(session, file, member).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conflicts_of_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("declared_by", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["declared_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "application_id", "user_id"),
    )
    with op.batch_alter_table("conflicts_of_interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflicts_of_interest_session_id"), ["session_id"])
        batch_op.create_index(
            batch_op.f("ix_conflicts_of_interest_application_id"), ["application_id"]
        )
        batch_op.create_index(batch_op.f("ix_conflicts_of_interest_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("conflicts_of_interest")
