"""session calls: a session may hold files of several calls of the same committee

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:10:00

Adds `session_calls` (session_id, call_id), backfilled from `sessions.call_id`, which stays the
session's first call.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_calls",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("session_id", "call_id"),
    )
    op.create_index("ix_session_calls_call_id", "session_calls", ["call_id"], unique=False)
    op.execute("INSERT INTO session_calls (session_id, call_id) SELECT id, call_id FROM sessions")


def downgrade() -> None:
    op.drop_index("ix_session_calls_call_id", table_name="session_calls")
    op.drop_table("session_calls")
