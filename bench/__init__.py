"""Benchmarks at national scale (`make bench`, i.e. `python -m bench`).

Each benchmark measures cofinance against a bare limit measured in the same run on the same
machine, and writes `bench/results.json` and the Markdown table `bench/results.md`:

- rules:   rule evaluation throughput vs a plain-Python function computing the same amounts;
- submit:  `POST /api/v1/applications/{id}/submit` through uvicorn vs a bare FastAPI + SQLModel
           endpoint inserting one row in the same database (SQLite and PostgreSQL), with the
           resident memory of `cofinance serve` under that load;
- close:   closing a session of 500 files × 4 funders with every letter and the minutes, and one
           letter's rendering vs a bare reportlab one-page document;
- reading: the funder inbox, the session screen and an application page on 100 000 applications
           in PostgreSQL, with the number of SQL statements each page issues;
- email:   2 000 outbox messages delivered to a local aiosmtpd server, exactly once (messages/s).
"""
