"""accounts administration: funders can be deactivated, password resets by email

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 03:00:00

`funders.active` (a deactivated funder is no longer offered to new calls; its existing shares
keep working) and `password_resets`: every request for a new password (kept to throttle them
per account and per address) and, for a known account, the hash of the token sent by email.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (in place on SQLite too): existing funders stay active.
    op.add_column(
        "funders", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("password_stamp", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_resets_username"), ["username"])
        batch_op.create_index(batch_op.f("ix_password_resets_address"), ["address"])
        batch_op.create_index(batch_op.f("ix_password_resets_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_password_resets_at"), ["at"])


def downgrade() -> None:
    op.drop_table("password_resets")
    # Not a batch (which rebuilds the table on SQLite and trips on the rows that point to it):
    # SQLite 3.35+ drops a plain column in place, as PostgreSQL does.
    op.execute("ALTER TABLE funders DROP COLUMN active")
