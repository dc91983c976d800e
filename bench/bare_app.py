"""The bare limit of a write through the HTTP stack: FastAPI + SQLModel inserting one row.

Same server (uvicorn, same options as `cofinance serve`), same database and engine set-up
(`engine.db.make_engine`: WAL and BEGIN IMMEDIATE on SQLite, a pool on PostgreSQL), a sync
endpoint like cofinance's, one row per request in its own transaction. No authentication, no
rules, no audit trail: what is left is the floor under any submission.

    python -m bench.bare_app --port 8001   (COFINANCE_DATABASE_URL names the database)
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Column, DateTime
from sqlmodel import Field, Session, SQLModel

from engine.db import make_engine


class BenchRow(SQLModel, table=True):
    __tablename__ = "bench_rows"
    id: int | None = Field(default=None, primary_key=True)
    payload: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def create_app(url: str) -> FastAPI:
    engine = make_engine(url)
    BenchRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/rows/{key}")
    def insert(key: int) -> dict[str, Any]:
        with Session(engine, expire_on_commit=False) as session:
            row = BenchRow(payload=f"row {key}", created_at=datetime.now(UTC))
            session.add(row)
            session.commit()
            return {"id": row.id, "payload": row.payload}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(os.environ["COFINANCE_DATABASE_URL"])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
