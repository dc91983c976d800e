"""Drains the outbox once a start signal appears, and prints how many rows it delivered.

Usage: python drain_dispatcher.py READY_FILE GO_FILE   (settings from COFINANCE_* variables)

Two of these run at once in the exactly-once tests: each writes READY_FILE when its imports are
done and waits for GO_FILE, so both really dispatch at the same time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.db import Database
from engine.notify.deliver import dispatch_outbox
from engine.settings import Settings

if __name__ == "__main__":
    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    settings = Settings()
    db = Database(settings.effective_database_url)
    ready.touch()
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    delivered = 0
    while count := dispatch_outbox(db, settings):
        delivered += count
    db.dispose()
    print(delivered)
