"""final reports (CERFA 15059) and their reviews per funder

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 06:30:00

One final report per notified application (`final_reports`), and each funder's review of each
of its submissions (`report_reviews`). New tables only: no existing row is changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "final_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("actual_total_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("actual_other_resources", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("activity", sa.JSON(), nullable=False),
        sa.Column("narrative", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    with op.batch_alter_table("final_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_final_reports_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_final_reports_due_on"), ["due_on"], unique=False)
    op.create_table(
        "report_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("reduction", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("reduction_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["funder_id"], ["funders.id"]),
        sa.ForeignKeyConstraint(["report_id"], ["final_reports.id"]),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report_id", "funder_id", "round"),
    )
    with op.batch_alter_table("report_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_reviews_report_id"), ["report_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("report_reviews")
    op.drop_table("final_reports")
