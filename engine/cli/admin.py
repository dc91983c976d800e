"""`cofinance db upgrade`, `cofinance users add`, `cofinance demo`, `cofinance scheduler`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.cli.errors import CommandError
from engine.errors import ServiceError
from engine.rulebook import InvalidInput
from engine.settings import get_settings


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(handler=db_upgrade)

    users = commands.add_parser("users", help="user accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="create a user (password read from stdin)")
    add.add_argument("name", metavar="NAME", help="login name")
    add.add_argument("--role", required=True, choices=["applicant", "funder", "chair", "admin"])
    add.add_argument("--funder", metavar="CODE")
    add.add_argument("--organisation", metavar="NAME")
    add.add_argument("--email", metavar="E")
    add.add_argument("--full-name", metavar="TEXT", help="name shown in letters and pages")
    add.add_argument("--password-stdin", action="store_true", required=True)
    add.set_defaults(handler=users_add)

    demo = commands.add_parser("demo", help="load a demo département (safe to run twice)")
    demo.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="instead: bulk-load N applications (4 shares, 20 events each) for benchmarks",
    )
    demo.set_defaults(handler=load_demo)


def db_upgrade(_: argparse.Namespace) -> int:
    from engine.migrations import upgrade

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url, data_dir=settings.data_dir)
    print("database up to date")
    return 0


def users_add(args: argparse.Namespace) -> int:
    from engine.db import get_database
    from engine.services.accounts import create_user

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(
            get_database(get_settings()),
            args.name,
            password,
            args.role,
            name=args.full_name,
            email=args.email,
            funder_code=args.funder,
            organisation=args.organisation,
        )
    except InvalidInput as exc:
        raise CommandError(str(exc)) from None
    except ServiceError as exc:
        raise CommandError(exc.detail) from None
    print(f"user {user.username} created ({user.role})")
    return 0


def load_demo(args: argparse.Namespace) -> int:
    from engine.demo import load

    if args.scale is not None:
        from engine.demo.scale import load as load_scale

        if args.scale < 1:
            raise CommandError("--scale needs a number of applications of at least 1")
        for line in load_scale(get_settings(), args.scale):
            print(line)
        return 0
    for line in load(get_settings()):
        print(line)
    return 0
