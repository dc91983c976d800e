"""`cofinance db upgrade`: apply the Alembic migrations to the configured database."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", data_dir: Path | None = None) -> None:
    """Migrate the database at `url`; `data_dir` is the data folder whose files migration 0005
    moves into the database (default: COFINANCE_DATA_DIR)."""
    config = alembic_config(url)
    if data_dir is not None:
        config.attributes["data_dir"] = data_dir
    command.upgrade(config, revision)


def downgrade(url: str, revision: str, data_dir: Path | None = None) -> None:
    config = alembic_config(url)
    if data_dir is not None:
        config.attributes["data_dir"] = data_dir
    command.downgrade(config, revision)
