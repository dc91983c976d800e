"""organisation profile: the holder's identity and its reusable documents

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:00:00

The holder keeps its identity (legal status, RNA, republican commitment contract) on its
organisation, and the documents it joins to every application (statuts, RIB…) in
`organisation_documents`; a new application starts from them. Adds columns (nullable) and a
table: no existing row is changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("rna", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.add_column(sa.Column("cer_signed", sa.Boolean(), nullable=True))
    op.create_table(
        "organisation_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("blob_id"),
    )
    with op.batch_alter_table("organisation_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_documents_organisation_id"),
            ["organisation_id"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("organisation_documents")
    # A plain ALTER TABLE … DROP COLUMN (PostgreSQL, SQLite 3.35+): recreating `organisations`
    # as batch mode would is refused by the foreign keys of the users and applications on it.
    for column in ("cer_signed", "rna", "kind"):
        op.drop_column("organisations", column)
