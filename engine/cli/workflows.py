"""`cofinance workflows diagram [NAME]`: Mermaid diagrams drawn from the workflow data."""

from __future__ import annotations

import argparse
from typing import Any

from engine.cli.errors import CommandError


def register(commands: Any) -> None:
    workflows = commands.add_parser("workflows", help="the workflows as diagrams")
    sub = workflows.add_subparsers(dest="workflows_command", required=True, metavar="ACTION")
    diagram = sub.add_parser("diagram", help="print Mermaid state diagrams")
    from workflows import ALL

    diagram.add_argument("name", nargs="?", help="one workflow: " + ", ".join(ALL))
    diagram.set_defaults(handler=print_diagram)


def print_diagram(args: argparse.Namespace) -> int:
    from engine.diagram import all_diagrams, mermaid
    from workflows import ALL

    if args.name is None:
        print(all_diagrams())
        return 0
    if args.name not in ALL:
        raise CommandError(f"unknown workflow {args.name!r} (one of {', '.join(ALL)})")
    print(mermaid(ALL[args.name]))
    return 0
