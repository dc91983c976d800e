"""an index on the notification events

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 13:20:00

The territory's statistics measure processing times from filing to notification: the moment a
file was notified is its `notify` event. A partial index keeps that lookup small at national
scale (a handful of rows per file among twenty events). No row is changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_events_notified",
        "events",
        ["application_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("action = 'notify'"),
        sqlite_where=sa.text("action = 'notify'"),
    )


def downgrade() -> None:
    op.drop_index("ix_events_notified", table_name="events")
