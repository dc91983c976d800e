"""Bulk writing of the generated rows: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel


def _tables() -> dict[str, Table]:
    return dict(SQLModel.metadata.tables)


class Writer:
    """Buffers rows per table and writes them in batches: COPY on PostgreSQL, else executemany.

    Rows are dicts of Python values; JSON columns hold Python objects (dumped once for the
    objects registered with `shared`).
    """

    ORDER = (
        "organisations",
        "funders",
        "users",
        "calls",
        "call_envelopes",
        "sessions",
        "applications",
        "shares",
        "documents",
        "agenda_items",
        "events",
    )

    def __init__(self, connection: Connection, batch: int) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.batch = batch
        self.tables = _tables()
        self.buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in self.ORDER}
        self.counts: dict[str, int] = dict.fromkeys(self.ORDER, 0)
        self.next_ids: dict[str, int] = {}
        self.pending = 0
        self._json: dict[int, str] = {}
        self._keep: list[Any] = []
        if self.postgres:
            # Nobody else inserts while the ids below are handed out; released at commit.
            names = ", ".join(self.ORDER)
            connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
            try:
                with connection.begin_nested():
                    # Faster than pglz for the large JSON values (PostgreSQL 14+ built with lz4).
                    connection.execute(text("SET LOCAL default_toast_compression = lz4"))
            except DBAPIError:
                pass
        for value in (_EMPTY, _EMPTY_LIST, _CHANGED):
            self.shared(value)
        for name in self.ORDER:
            table = self.tables[name]
            top = connection.execute(select(func.max(table.c.id))).scalar()
            self.next_ids[name] = (top or 0) + 1

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def shared(self, value: Any) -> Any:
        """A JSON value referenced by many rows: serialised once on PostgreSQL."""
        if self.postgres and id(value) not in self._json:
            self._json[id(value)] = json.dumps(value)
            self._keep.append(value)
        return value

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.buffers[table].append(row)
        self.counts[table] += 1
        self.pending += 1

    def maybe_flush(self) -> None:
        """Called between whole applications, so that every row written has its parents."""
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        for name in self.ORDER:
            self._write(name)
        self.pending = 0

    def _write(self, name: str) -> None:
        rows = self.buffers[name]
        if not rows:
            return
        self.buffers[name] = []
        table = self.tables[name]
        if not self.postgres:
            self.connection.execute(insert(table), rows)
            return
        columns = [c.name for c in table.columns]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        # COPY takes no column default: a column the generator does not set (a later migration's,
        # such as `funders.active`) gets its model default, as an INSERT would.
        defaults = {
            c.name: getattr(c.default, "arg", None)
            for c in table.columns
            if c.default is not None and c.default.is_scalar
        }
        raw = self.connection.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        self._dump(row.get(c)) if c in json_columns else row.get(c, defaults.get(c))
                        for c in columns
                    ]
                )

    def _dump(self, value: Any) -> str | None:
        if value is None:
            return None
        cached = self._json.get(id(value))
        return cached if cached is not None else json.dumps(value)

    def finish(self) -> None:
        self.flush()
        if self.postgres:
            for name in self.ORDER:
                self.connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                    )
                )


_EMPTY: dict[str, Any] = {}
_EMPTY_LIST: list[str] = []
_CHANGED: dict[str, Any] = {"changed": ["application"]}
