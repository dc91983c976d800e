"""Backup and restore of a SQLite deployment: an online copy of the database, which holds the
documents and letters too (the `blobs` table, engine/blobs.py).

PostgreSQL deployments use `pg_dump`/`pg_restore`, which carry everything the same way.
Archives written before documents and letters moved into the database also hold their files
(`documents/`, `letters/`): a restore still puts them back in the data folder, where
`cofinance db upgrade` (migration 0005) moves them into the restored database.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from engine.clock import now
from engine.settings import Settings

LEGACY_FOLDERS = ("documents", "letters")  # in archives written before migration 0005
DATABASE_NAME = "cofinance.sqlite3"


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why."""


def _sqlite_path(settings: Settings) -> Path | None:
    url = settings.effective_database_url
    if not url.startswith("sqlite"):
        return None
    return Path(url.split("///", 1)[1])


def backup(settings: Settings, target: Path) -> dict[str, object]:
    """Write a .tar.gz with a consistent copy of the database, stored files included."""
    database = _sqlite_path(settings)
    if database is None:
        raise BackupError(
            "with PostgreSQL, back up with pg_dump: it carries the documents and letters too "
            "(they are stored in the database)"
        )
    if not database.exists():
        raise BackupError(f"no database at {database}")
    manifest: dict[str, object] = {"created_at": now().isoformat(), "database": DATABASE_NAME}
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(target, "w:gz") as archive:
        copy = Path(scratch) / DATABASE_NAME
        # The online backup API gives a consistent snapshot while the server keeps writing.
        with sqlite3.connect(database) as source, sqlite3.connect(copy) as destination:
            source.backup(destination)
            stored = {
                table: destination.execute(
                    f"SELECT count(*) FROM {table} WHERE blob_id IS NOT NULL"
                ).fetchone()[0]
                for table in ("documents", "letters")
            }
        destination.close()
        archive.add(copy, arcname=DATABASE_NAME)
        # The files are rows of the copy: documents and letters with their content.
        manifest["files"] = sum(stored.values())
        manifest["stored"] = stored
        data = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return manifest


def restore(settings: Settings, source: Path, force: bool = False) -> dict[str, object]:
    """Restore an archive into the configured data folder (refuses to overwrite unless forced)."""
    database = _sqlite_path(settings)
    if database is not None and database.exists() and not force:
        raise BackupError(f"{database} exists: restore into an empty data folder or use --force")
    try:
        with tarfile.open(source, "r:gz") as archive:
            return _extract(archive, settings, database, source)
    except tarfile.TarError as exc:
        raise BackupError(f"{source}: not a cofinance backup ({exc})") from None
    except FileNotFoundError:
        raise BackupError(f"{source}: no such file") from None


def _extract(
    archive: tarfile.TarFile, settings: Settings, database: Path | None, source: Path
) -> dict[str, object]:
    try:
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    except (KeyError, AttributeError, ValueError):
        raise BackupError(f"{source}: no manifest, not a cofinance backup") from None
    for member in archive.getmembers():
        top = member.name.split("/", 1)[0]
        allowed = member.name == DATABASE_NAME or (top in LEGACY_FOLDERS and member.isfile())
        if member.name == "manifest.json" or not allowed:
            continue
        if member.name == DATABASE_NAME:
            if database is None:
                raise BackupError("this archive holds a SQLite database; configure SQLite")
            database.parent.mkdir(parents=True, exist_ok=True)
            for journal in ("-wal", "-shm"):
                # A journal left from the old database would be replayed over the restored one.
                database.with_name(database.name + journal).unlink(missing_ok=True)
            target = database
        else:
            # Only the base name is kept: an archive cannot write outside the data folder.
            target = settings.data_dir / top / Path(member.name).name
            target.parent.mkdir(parents=True, exist_ok=True)
        extracted = archive.extractfile(member)
        assert extracted is not None
        temporary = target.with_name(target.name + ".restoring")
        temporary.write_bytes(extracted.read())
        temporary.replace(target)
    return dict(manifest)
