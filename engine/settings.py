"""Every setting of cofinance, read once from the environment (COFINANCE_*)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
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
    # Sign-in throttling: failures allowed per account and per address within the window.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 30
    login_window_minutes: int = 15
    # Password reset by email (engine/services/password_reset.py): how long a link works, and
    # requests allowed per typed name and per address within the window.
    password_reset_minutes: int = Field(default=60, ge=1)
    password_resets_per_account: int = Field(default=3, ge=1)
    password_resets_per_address: int = Field(default=20, ge=1)
    password_reset_window_minutes: int = Field(default=60, ge=1)
    upload_max_bytes: int = 10 * 1024 * 1024
    # Any other request body (JSON, forms) is refused above this size while it streams in.
    body_max_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
    # empty: the peer's own address is the client's, whatever the headers say.
    trusted_proxies: str = ""
    scheduler: bool = True
    # Upload temporaries (`documents/.upload-…`) a killed process left are removed at start once
    # older than this (engine/services/sweep.py): an upload in progress elsewhere is younger.
    orphan_grace_seconds: float = Field(default=3600.0, ge=0)

    # Email delivery (engine/notify): the outbox dispatcher's retries and SMTP connection.
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_seconds: float = Field(default=60.0, ge=0)  # doubled after each failure
    outbox_backoff_max_seconds: float = Field(default=6 * 3600.0, ge=0)
    outbox_lease_seconds: float = Field(default=900.0, gt=0)  # a claimed row is retried after
    outbox_batch_size: int = Field(default=50, ge=1)  # rows claimed at once, one SMTP connection
    # Batches delivered at once, each over its own connection (threads of the dispatching
    # process), and the most rows one dispatch pass (a scheduler run) delivers before it returns.
    outbox_parallel: int = Field(default=4, ge=1)
    outbox_pass_max: int = Field(default=500, ge=1)

    # Production of letters, minutes and convocations after a close or a convening
    # (engine/services/production/): jobs claimed per pass, and how long a claim holds before
    # another process may take the job over (a worker killed mid-job).
    production_batch_size: int = Field(default=200, ge=1)
    production_store_jobs: int = Field(default=20, ge=1)  # jobs stored per transaction
    production_lease_seconds: float = Field(default=300.0, gt=0)
    production_backoff_max_seconds: float = Field(default=3600.0, ge=0)  # after a failure

    # The scheduler (engine/scheduler.py): sweep periods, leader election, reminder delays.
    scheduler_sweep_seconds: float = Field(default=60.0, gt=0)
    scheduler_dispatch_seconds: float = Field(default=15.0, gt=0)
    scheduler_lock_retry_seconds: float = Field(default=5.0, gt=0)
    scheduler_lock_file: Path | None = None  # SQLite only; default: beside the database file
    reminder_draft_days: list[int] = Field(default_factory=lambda: [7, 1])
    reminder_undecided_days: int = Field(default=3, ge=0)
    convocation_days_before: int = Field(default=8, ge=0)
    final_report_reminder_days: list[int] = Field(default_factory=lambda: [30, 7])
    # Reminders once a final report is overdue: that many days after its due date.
    final_report_overdue_days: list[int] = Field(default_factory=lambda: [7, 30])
    reminder_hour: int = Field(default=8, ge=0, le=23)  # Paris hour of date-based reminders
    # The DSFR brand block (Marianne, « République française ») is reserved to State services.
    state_service: bool = False
    # Page session cookies: Secure always (True), never (False), or when served over https.
    cookie_secure: bool | None = None
    api_docs: bool = True
    # A deployment's own parameter values (README, "Local parameter values"): a folder of
    # `<namespace>/<name>.yaml` files whose dated values override or add to the built-in ones.
    # None: the built-in values only.
    parameters_dir: Path | None = None
    # The commune outlines of the coverage map (engine/territory/outlines.py): a GeoJSON file,
    # one feature per commune with its INSEE code in `code`. None: the packaged outlines of
    # Isère; a missing or empty file, or one without the département's communes: no map, the
    # pages show its tables only.
    outlines_file: Path | None = None

    @field_validator("parameters_dir", "outlines_file", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cofinance.sqlite3').resolve()}"


@cache
def get_settings() -> Settings:
    return Settings()
