"""`cofinance scheduler`: the scheduled jobs alone, without the web server.

Safe to start on several machines or beside `cofinance serve`: one process at a time is the
leader and runs the jobs; the others wait and take over if it dies.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any

from engine.settings import get_settings


def register(commands: Any) -> None:
    scheduler = commands.add_parser(
        "scheduler", help="run the scheduled jobs alone (one leader among all processes)"
    )
    scheduler.set_defaults(handler=run_scheduler)


def run_scheduler(_: argparse.Namespace) -> int:
    from engine.scheduler import SchedulerService, configure_logging
    from engine.services.sweep import sweep_at_start

    configure_logging()
    sweep_at_start(get_settings())  # the upload temporaries a crash left behind
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    service = SchedulerService(get_settings())
    service.start()
    print(f"cofinance scheduler: started (pid {os.getpid()})", flush=True)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        service.stop()
    print("cofinance scheduler: stopped", flush=True)
    return 0
