"""Every setting of cofinance, read once from the environment (COFINANCE_*)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COFINANCE_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    department: str = Field(default="38", pattern=r"^(\d{2}|2A|2B|97\d)$")
    department_name: str = "Isère"
    smtp_url: str | None = None
    mail_from: str = "comite-des-financeurs@example.org"
    secret_key: str = "change-me-in-production-this-is-only-for-development"
    base_url: str = "http://127.0.0.1:8000"
    token_minutes: int = 60 * 8
    upload_max_bytes: int = 10 * 1024 * 1024
    scheduler: bool = True
    api_docs: bool = True

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cofinance.sqlite3').resolve()}"


@cache
def get_settings() -> Settings:
    return Settings()
