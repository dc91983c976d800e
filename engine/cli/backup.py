"""`cofinance backup PATH` and `cofinance restore PATH`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.backup import BackupError, backup, restore
from engine.cli.errors import CommandError
from engine.settings import get_settings


def register(commands: Any) -> None:
    save = commands.add_parser("backup", help="archive the database (SQLite) and stored files")
    save.add_argument("path", metavar="PATH", help="the .tar.gz to write")
    save.set_defaults(handler=run_backup)
    load = commands.add_parser("restore", help="restore an archive made by `cofinance backup`")
    load.add_argument("path", metavar="PATH")
    load.add_argument("--force", action="store_true", help="overwrite an existing database")
    load.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    try:
        manifest = backup(get_settings(), Path(args.path))
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"backup written to {args.path}: database {manifest['database']}, {manifest['files']} files"
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    try:
        manifest = restore(get_settings(), Path(args.path), force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(f"restored the backup of {manifest['created_at']}")
    return 0
