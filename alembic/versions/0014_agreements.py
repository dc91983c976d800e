"""agreements (convention or notification) per granted share; funders' siret

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 06:30:00

One agreement per granted share, opened when the application is notified (DESIGN §10), with the
convention's PDF and the holder's signed copy as blobs; the funder's SIRET, printed on its
conventions. Adds a table and a nullable column: no existing row is changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("funders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("siret", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True)
        )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("cumulated", sa.Numeric(12, 2), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=True),
        sa.Column("signed_blob_id", sa.Integer(), nullable=True),
        sa.Column("signed_filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("signed_by", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("countersigned_by", sa.Integer(), nullable=True),
        sa.Column("countersigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"]),
        sa.ForeignKeyConstraint(["countersigned_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["funder_id"], ["funders.id"]),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"]),
        sa.ForeignKeyConstraint(["signed_blob_id"], ["blobs.id"]),
        sa.ForeignKeyConstraint(["signed_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("blob_id"),
        sa.UniqueConstraint("share_id"),
        sa.UniqueConstraint("signed_blob_id"),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreements_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agreements_funder_id"), ["funder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreements_state"), ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("agreements")
    # A plain ALTER TABLE … DROP COLUMN (PostgreSQL, SQLite 3.35+): recreating `funders` in
    # batch mode is refused by the foreign keys pointing to it.
    op.drop_column("funders", "siret")
