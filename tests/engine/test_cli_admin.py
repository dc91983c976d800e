"""`cofinance db upgrade`, `cofinance users add … --password-stdin`, backup and restore."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cofinance(
    tmp: Path, *args: str, stdin: str = "", data: str = "data"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COFINANCE_DATA_DIR": str(tmp / data),
        "COFINANCE_DATABASE_URL": f"sqlite:///{tmp / data / 'cofinance.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    result = _cofinance(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return tmp_path


def test_a_user_added_from_the_command_line_can_sign_in(migrated: Path) -> None:
    added = _cofinance(
        migrated,
        "users",
        "add",
        "presidence",
        "--role",
        "chair",
        "--email",
        "p@example.org",
        "--password-stdin",
        stdin="une phrase de passe assez longue\n",
    )
    assert added.returncode == 0, added.stderr
    assert "presidence" in added.stdout

    from engine.db import Database
    from engine.services.accounts import authenticate

    database = Database(f"sqlite:///{migrated / 'data' / 'cofinance.sqlite3'}")
    try:
        user = authenticate(database, "presidence", "une phrase de passe assez longue")
        assert user is not None and user.role == "chair"
        assert authenticate(database, "presidence", "wrong") is None
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "chair"], "short\n", "password"),
        (["--role", "funder", "--funder", "nobody"], "a long enough password\n", "funder"),
        (["--role", "applicant"], "a long enough password\n", "organisation"),
    ],
)
def test_bad_user_input_is_one_line_naming_the_field_and_exit_status_2(
    migrated: Path, args: list[str], stdin: str, message: str
) -> None:
    result = _cofinance(migrated, "users", "add", "someone", *args, "--password-stdin", stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # Bytes of argv that are not UTF-8 reach Python as lone surrogates (surrogateescape).
        (
            ["\udcffpresidence", "--role", "chair"],
            "username: Le texte contient un caractère invalide (U+DCFF)",
        ),
        (
            ["presidence", "--role", "chair", "--full-name", "P\x1b[2J"],
            "name: Le texte ne doit pas contenir de caractère de contrôle",
        ),
        (
            ["presidence", "--role", "chair", "--email", "p@example.org\nBcc: x"],
            "email: Ce champ tient sur une seule ligne",
        ),
    ],
)
def test_text_no_account_may_hold_is_refused_from_the_command_line(
    migrated: Path, args: list[str], message: str
) -> None:
    password = "a long enough password\n"
    result = _cofinance(migrated, "users", "add", *args, "--password-stdin", stdin=password)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # Nothing was written: the same account, spelt right, is still free.
    added = _cofinance(
        migrated,
        "users",
        "add",
        "presidence",
        "--role",
        "chair",
        "--password-stdin",
        stdin=password,
    )
    assert added.returncode == 0, added.stderr


def test_adding_the_same_user_twice_is_refused(migrated: Path) -> None:
    first = _cofinance(
        migrated,
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert first.returncode == 0, first.stderr
    second = _cofinance(
        migrated,
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert second.returncode == 2
    assert "L'identifiant admin est déjà pris." in second.stderr


def test_backup_and_restore_from_the_command_line_round_trip(migrated: Path) -> None:
    assert (
        _cofinance(
            migrated,
            "users",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            stdin="a long enough password\n",
        ).returncode
        == 0
    )
    archive = migrated / "backup.tar.gz"
    saved = _cofinance(migrated, "backup", str(archive))
    assert saved.returncode == 0, saved.stderr
    restored = _cofinance(migrated, "restore", str(archive), data="elsewhere")
    assert restored.returncode == 0, restored.stderr
    again = _cofinance(migrated, "restore", str(archive), data="elsewhere")
    assert again.returncode == 2 and "exists" in again.stderr
    # The restored database knows the user.
    from engine.db import Database
    from engine.services.accounts import authenticate

    database = Database(f"sqlite:///{migrated / 'elsewhere' / 'cofinance.sqlite3'}")
    try:
        assert authenticate(database, "admin", "a long enough password") is not None
    finally:
        database.dispose()
