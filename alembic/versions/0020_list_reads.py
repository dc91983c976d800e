"""lists read a summary of the rule result; indexes for the envelope use of a call

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 17:50:00

Lists (the session screen, a funder's inbox, a holder's files) show of each file's stored rule
result all but its trace and per-funder detail, two thirds of its size: PostgreSQL cut them out of
every row's JSON at every read, a third of the session screen's time at national scale. The new
column `applications.result_summary` keeps that summary, written with the result
(engine.models.list_result); this migration fills it for the files already there. On
PostgreSQL it is stored out of the row (`toast_tuple_target`), as the result is: inside, it
would triple the table's main part (measured at 100 000 files: 80 MB against 274 MB).

The session screen also sums the shares of each call on its agenda (the envelope use) at every
reload: with two indexes PostgreSQL reads a call's files and their shares' amounts from the
indexes alone (index-only scans). The shares' plain index on `application_id` becomes the
covering one.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OMITTED = ("trace", "shares")  # engine.models.LIST_RESULT_OMITS when this was written
BATCH = 500


def upgrade() -> None:
    op.add_column("applications", sa.Column("result_summary", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # A compressed summary (about 1 kB) fits in a row under PostgreSQL's default 2 kB
        # target and would stay in it, tripling the table that statistics and exports scan:
        # with this target it goes out of line, with the results already there.
        op.execute("ALTER TABLE applications SET (toast_tuple_target = 1024)")
    _fill_summaries()
    op.create_index(
        "ix_applications_call_state", "applications", ["call_id", "state", "id"], unique=False
    )
    op.create_index(
        "ix_shares_application_amounts",
        "shares",
        ["application_id"],
        unique=False,
        postgresql_include=["funder_id", "state", "granted", "proposed"],
    )
    # The new index serves every lookup of a file's shares, as the plain one did.
    op.drop_index("ix_shares_application_id", table_name="shares")


def _fill_summaries() -> None:
    # In Python, by batches of ids: the same summary on every database, whatever the JSON holds
    # (PostgreSQL's jsonb refuses some escapes its json accepts).
    connection = op.get_bind()
    table = sa.table(
        "applications",
        sa.column("id", sa.Integer),
        sa.column("result", sa.JSON),
        sa.column("result_summary", sa.JSON),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.result)
            .where(table.c.id > last, table.c.result.is_not(None))
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(result_summary=sa.bindparam("summary", type_=sa.JSON)),
            [{"row_id": row_id, "summary": _summary(result)} for row_id, result in rows],
        )
        last = rows[-1][0]


def _summary(result: object) -> object:
    if not isinstance(result, dict):
        return result
    return {key: value for key, value in result.items() if key not in OMITTED}


def downgrade() -> None:
    op.create_index("ix_shares_application_id", "shares", ["application_id"], unique=False)
    op.drop_index("ix_shares_application_amounts", table_name="shares")
    op.drop_index("ix_applications_call_state", table_name="applications")
    op.drop_column("applications", "result_summary")
