"""The migrations build exactly the tables the models declare (nothing to autogenerate)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import engine.models  # noqa: F401  (declares the tables)
from engine.settings import Settings


def test_migrated_database_matches_the_models(settings: Settings) -> None:
    database = create_engine(settings.effective_database_url)
    try:
        with database.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        database.dispose()
    assert diff == []
