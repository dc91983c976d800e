"""documents and letters stored in the database (blobs)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:00:00

Until now uploaded documents and generated PDFs (letters, minutes, convocations) were files
under the data folder (`documents/`, `letters/`), named by `stored_name`: a second server on
another machine could not serve them and a database backup lost them. This migration

- creates `blobs` (id, sha256, size, content: SQLite BLOB, PostgreSQL bytea, created_at);
- adds `blob_id` (unique, references blobs) to `documents` and `letters`;
- moves every referenced file in: reads `<data folder>/<folder>/<stored_name>` and writes it as
  the row's blob. A missing file is logged with its row and name, and the row keeps no content
  (its download answers 404), but when rows reference files and *none* of them is found the
  data folder is presumably the wrong one (`COFINANCE_DATA_DIR`): the migration stops and
  changes nothing, unless `COFINANCE_MIGRATE_MISSING_FILES=1` says the files are really gone;
- drops `stored_name`.

The files themselves are left where they were, as a copy to remove once a backup of the
migrated database exists: nothing reads them any more.

The data folder is the one `cofinance db upgrade` is configured with (engine/migrations.py
passes it; otherwise COFINANCE_DATA_DIR, default ./var).
"""

import hashlib
import logging
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import sqlmodel

from alembic import context, op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("cofinance.migrations")

TABLES = ("documents", "letters")  # each table and the data folder its files were in

blobs = sa.table(
    "blobs",
    sa.column("id", sa.Integer),
    sa.column("sha256", sa.String),
    sa.column("size", sa.Integer),
    sa.column("content", sa.LargeBinary),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _owner(name: str, with_name: bool) -> sa.TableClause:
    columns = [sa.column("id", sa.Integer), sa.column("blob_id", sa.Integer)]
    if with_name:
        columns.append(sa.column("stored_name", sa.String))
    return sa.table(name, *columns)


def data_dir() -> Path:
    given = context.config.attributes.get("data_dir")
    if given is not None:
        return Path(given)
    from engine.settings import Settings

    return Settings().data_dir


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("blob_id", sa.Integer(), nullable=True))
            batch_op.create_unique_constraint(f"uq_{table}_blob_id", ["blob_id"])
            batch_op.create_foreign_key(f"fk_{table}_blob_id", "blobs", ["blob_id"], ["id"])
    move_files_in(op.get_bind(), data_dir())
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if op.get_bind().dialect.name != "sqlite":
                # PostgreSQL names the unnamed constraint itself; SQLite's goes with the column.
                batch_op.drop_constraint(f"{table}_stored_name_key", type_="unique")
            batch_op.drop_column("stored_name")


def move_files_in(connection: sa.Connection, folder: Path) -> dict[str, int]:
    """Each referenced file becomes its row's blob; returns how many files were moved."""
    rows = {}
    for table in TABLES:
        owner = _owner(table, True)
        query = sa.select(owner.c.id, owner.c.stored_name).order_by(owner.c.id)
        rows[table] = connection.execute(query).all()
    found = {
        table: [(i, name) for i, name in rows[table] if (folder / table / name).is_file()]
        for table in TABLES
    }
    referenced = sum(len(r) for r in rows.values())
    present = sum(len(f) for f in found.values())
    if referenced and not present and os.environ.get("COFINANCE_MIGRATE_MISSING_FILES") != "1":
        raise RuntimeError(
            f"none of the {referenced} files the database references is under {folder}: "
            "is COFINANCE_DATA_DIR the data folder of this database? (if the files are really "
            "gone, set COFINANCE_MIGRATE_MISSING_FILES=1 to migrate without them)"
        )
    moved: dict[str, int] = {}
    for table in TABLES:
        owner = _owner(table, False)
        present_ids = {i for i, _ in found[table]}
        for row_id, name in rows[table]:
            if row_id not in present_ids:
                log.warning(
                    "%s %s: its file %s is missing under %s; the row keeps no content",
                    table[:-1],
                    row_id,
                    name,
                    folder / table,
                )
        for row_id, name in found[table]:
            content = (folder / table / name).read_bytes()
            blob_id = connection.execute(
                blobs.insert()
                .values(
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    content=content,
                    created_at=datetime.now(UTC),
                )
                .returning(blobs.c.id)
            ).scalar_one()
            connection.execute(owner.update().where(owner.c.id == row_id).values(blob_id=blob_id))
        moved[table] = len(found[table])
    if referenced:
        log.warning(
            "moved %d of %d files into the database (%s); the files under %s are no longer "
            "read: remove them once the migrated database is backed up",
            present,
            referenced,
            ", ".join(f"{n} {t}" for t, n in moved.items()),
            folder,
        )
    return moved


def downgrade() -> None:
    """Write every blob back as a file of the data folder and forget the blobs."""
    folder = data_dir()
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("stored_name", sqlmodel.sql.sqltypes.AutoString(length=100))
            )
        owner = _owner(table, True)
        query = sa.select(owner.c.id, owner.c.blob_id, blobs.c.content).select_from(
            owner.outerjoin(blobs, blobs.c.id == owner.c.blob_id)
        )
        for row_id, blob_id, content in connection.execute(query).all():
            name = f"{secrets.token_hex(16)}{_suffix(content)}"
            if blob_id is not None:
                (folder / table).mkdir(parents=True, exist_ok=True)
                (folder / table / name).write_bytes(bytes(content))
            connection.execute(owner.update().where(owner.c.id == row_id).values(stored_name=name))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("stored_name", nullable=False)
            batch_op.create_unique_constraint(f"{table}_stored_name_key", ["stored_name"])
            batch_op.drop_constraint(f"fk_{table}_blob_id", type_="foreignkey")
            batch_op.drop_constraint(f"uq_{table}_blob_id", type_="unique")
            batch_op.drop_column("blob_id")
    op.drop_table("blobs")


def _suffix(content: bytes | None) -> str:
    if content is not None and bytes(content[:8]).startswith(b"\x89PNG"):
        return ".png"
    if content is not None and bytes(content[:3]) == b"\xff\xd8\xff":
        return ".jpg"
    return ".pdf"
