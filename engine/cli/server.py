"""`cofinance serve`: the API, the pages and (unless told otherwise) the scheduler.

uvicorn loads the app by its import string (`api.main:create_app`), so the engine never imports
`api` (DESIGN §1) and `--workers N` can start N worker processes, each building its own app.

The scheduler runs in a thread of this process (with `--workers`, uvicorn's supervisor, which
serves no request): once per `cofinance serve`, whatever N. Across several `cofinance serve`
processes, only one of them (the leader, see engine/jobs/leader.py) runs the jobs.
`--no-scheduler`, or `COFINANCE_SCHEDULER=false`, leaves the jobs to other processes
(`cofinance scheduler`).
"""

from __future__ import annotations

import argparse
from typing import Any

from engine.settings import get_settings

APP = "api.main:create_app"


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {value!r}")
    return number


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve the API and the web pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="number of worker processes serving requests (default 1)",
    )
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs")
    serve.set_defaults(handler=serve_app)


def serve_app(args: argparse.Namespace) -> int:
    import uvicorn

    from engine.scheduler import SchedulerService, configure_logging
    from engine.services import production
    from engine.services.sweep import sweep_at_start

    settings = get_settings()
    configure_logging()
    # Once per `cofinance serve` (not per worker): the upload temporaries a crash left behind.
    sweep_at_start(settings)
    # And what a stopped process left to produce (letters of a close, convocations), at once,
    # in the background: production jobs whose lease has passed (engine/services/production/).
    production.resume_at_start(settings)
    service = None
    if settings.scheduler and not args.no_scheduler:
        service = SchedulerService(settings)
        service.start()
    try:
        # uvicorn would believe X-Forwarded-For from any loopback peer: the app decides instead,
        # from COFINANCE_TRUSTED_PROXIES (api/proxies.py).
        uvicorn.run(
            APP,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="info",
            proxy_headers=False,
        )
    finally:
        if service is not None:
            service.stop()
    return 0
