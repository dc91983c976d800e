"""`cofinance serve`: the API, the pages and (unless told otherwise) the scheduler.

The scheduler runs in a thread of this process; with several server processes, only one of them
(the leader, see engine/jobs/leader.py) runs the jobs. `--no-scheduler`, or
`COFINANCE_SCHEDULER=false`, leaves the jobs to other processes (`cofinance scheduler`).
"""

from __future__ import annotations

import argparse
from typing import Any

from engine.settings import get_settings


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the API and the web pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs")
    serve.set_defaults(handler=serve_app)


def serve_app(args: argparse.Namespace) -> int:
    import uvicorn

    from api.main import create_app
    from engine.scheduler import SchedulerService, configure_logging

    settings = get_settings()
    service = None
    if settings.scheduler and not args.no_scheduler:
        configure_logging()
        service = SchedulerService(settings)
        service.start()
    try:
        uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    finally:
        if service is not None:
            service.stop()
    return 0
