"""Runs the outbox dispatcher once, killing its own process (SIGKILL) at a chosen point.

Usage: python crash_dispatcher.py after_claim|after_send   (settings from COFINANCE_* variables)
"""

from __future__ import annotations

import os
import signal
import sys

from engine.db import Database
from engine.models import OutboxMessage
from engine.notify import deliver
from engine.settings import Settings


def die(_: OutboxMessage) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    deliver.HOOKS[sys.argv[1]] = die
    settings = Settings()
    deliver.dispatch_outbox(Database(settings.effective_database_url), settings)
    sys.exit(3)  # not reached: the hook kills the process
