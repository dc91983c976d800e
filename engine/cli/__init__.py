"""The `cofinance` command line: one sub-command module per area, errors as one-line messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from engine.cli import admin as admin_cli
from engine.cli import backup as backup_cli
from engine.cli import rules as rules_cli
from engine.cli import scheduler as scheduler_cli
from engine.cli import server as server_cli
from engine.cli import workflows as workflows_cli
from engine.cli.errors import CommandError

USAGE_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cofinance", description="Comité des financeurs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (server_cli, admin_cli, rules_cli, workflows_cli, scheduler_cli, backup_cli):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
    except CommandError as exc:
        print(f"cofinance: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    return status


if __name__ == "__main__":
    sys.exit(main())
