"""Runs the outbox dispatcher once, killing its own process (SIGKILL) at a chosen point.

Usage: python crash_dispatcher.py after_claim|after_send   (settings from COFINANCE_* variables)

The fault is injected from here, around functions the dispatcher calls, not by the dispatcher:
`after_claim` dies as the claim transaction returns (rows claimed, nothing sent); `after_send`
dies as soon as SMTP has accepted the first message (before its row is marked sent).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from engine.db import Database
from engine.notify import deliver
from engine.notify.mail import Transport
from engine.settings import Settings


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def after_claim() -> None:
    claim = deliver._claim

    def claimed(*args: Any, **kwargs: Any) -> Any:
        claim(*args, **kwargs)
        die()

    deliver._claim = claimed  # type: ignore[assignment]


def after_send() -> None:
    transport_for = deliver.transport_for

    def dying(settings: Settings) -> Transport:
        transport = transport_for(settings)
        send = transport.send

        def sent(*args: Any, **kwargs: Any) -> Any:
            send(*args, **kwargs)
            die()

        transport.send = sent  # type: ignore[method-assign]
        return transport

    deliver.transport_for = dying


if __name__ == "__main__":
    {"after_claim": after_claim, "after_send": after_send}[sys.argv[1]]()
    settings = Settings()
    deliver.dispatch_outbox(Database(settings.effective_database_url), settings)
    sys.exit(3)  # not reached: the injected fault kills the process
