"""Alembic environment: migrations run against the URL the caller put in the config."""

from sqlmodel import SQLModel

import engine.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from engine.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    db_engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with db_engine.connect() as connection:
            _run(connection)
    finally:
        db_engine.dispose()  # also when a migration fails


def _run(connection):  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
