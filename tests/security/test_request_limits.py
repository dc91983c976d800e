"""Request bodies bounded while they stream, Retry-After on throttling, forwarded addresses
believed only from trusted proxies, tokens that must expire.

The streaming tests talk to a real `cofinance serve` over a socket: the test client would read
a body whole before the application sees it, which is the very thing under test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from api.proxies import client_from_chain, parse_networks
from engine.db import Database
from engine.settings import Settings, get_settings
from tests.conftest import PASSWORD
from tests.security.test_hardening import login, make_client

COFINANCE = Path(sys.executable).with_name("cofinance")
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _folder_size(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        with suppress(FileNotFoundError):  # a temporary file may vanish while we walk
            total += path.stat().st_size if path.is_file() else 0
    return total


@dataclass
class LiveServer:
    url: str
    port: int
    pid: int
    tmp: Path


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`cofinance serve` on SQLite with its own temporary folder, which the test measures."""
    root = tmp_path_factory.mktemp("limits")
    tmp = root / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "COFINANCE_DATA_DIR": str(root / "data"),
        "COFINANCE_SCHEDULER": "false",
        "TMPDIR": str(tmp),
    }
    env.pop("COFINANCE_DATABASE_URL", None)
    subprocess.run([str(COFINANCE), "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [str(COFINANCE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (root / "server.log").read_text()
            try:
                if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield LiveServer(url, port, process.pid, tmp)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class Streamed:
    status: int | None
    body: bytes
    sent: int
    seconds: float
    peak_tmp: int


def _stream(server: LiveServer, path: str, content_type: str, chunks: Iterator[bytes]) -> Streamed:
    """POST a chunked body (no Content-Length) until the server answers or hangs up; measure
    the server's temporary folder meanwhile."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    answer = bytearray()
    done = threading.Event()
    peak_tmp = 0

    def read() -> None:
        try:
            while data := connection.recv(65536):
                answer.extend(data)
                if b"\r\n\r\n" in answer:
                    head, _, rest = bytes(answer).partition(b"\r\n\r\n")
                    length = [
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ]
                    if length and len(rest) >= length[0]:
                        break
        except OSError:
            pass
        finally:
            done.set()

    def measure() -> None:
        nonlocal peak_tmp
        while not done.is_set():
            peak_tmp = max(peak_tmp, _folder_size(server.tmp))
            time.sleep(0.05)

    readers = [threading.Thread(target=read), threading.Thread(target=measure)]
    for thread in readers:
        thread.start()
    started = time.monotonic()
    sent = 0
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    try:
        connection.sendall(head)
        for chunk in chunks:
            if done.is_set() or time.monotonic() - started > 60:
                break
            connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
    except OSError:
        pass  # the server hung up on the rest of the body: that is the point
    done.wait(timeout=30)
    seconds = time.monotonic() - started
    connection.close()
    for thread in readers:
        thread.join(timeout=5)
    head_bytes, _, body = bytes(answer).partition(b"\r\n\r\n")
    status = int(head_bytes.split()[1]) if head_bytes.startswith(b"HTTP/1.1") else None
    return Streamed(status, body, sent, seconds, peak_tmp)


def test_an_anonymous_gigabyte_upload_is_refused_with_disk_and_memory_bounded(
    live_server: LiveServer,
) -> None:
    boundary = "cofinanceboundary"
    part_head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nrib\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n'
    ).encode()
    block = b"0" * MIB

    def gigabyte() -> Iterator[bytes]:
        yield part_head
        for _ in range(1024):
            yield block

    rss_before = _peak_rss(live_server.pid)
    result = _stream(
        live_server,
        "/api/v1/applications/1/documents",
        f"multipart/form-data; boundary={boundary}",
        gigabyte(),
    )
    assert result.status == 413
    answer = json.loads(result.body)
    assert answer["code"] == "too_large" and "trop volumineuse" in answer["detail"]
    # Refused after about the upload limit (10 MB), not after the gigabyte: what was sent
    # beyond it sat in socket buffers, never on the server's disk or in its memory.
    assert result.sent < 100 * MIB
    assert result.peak_tmp < 16 * MIB
    assert _peak_rss(live_server.pid) - rss_before < 64 * MIB
    assert _folder_size(live_server.tmp) == 0
    assert result.seconds < 30


def test_a_200_megabyte_json_body_is_refused_before_it_is_parsed(
    live_server: LiveServer,
) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"scheme": "reaap", "date": "2026-01-01", "application": {"title": "'
        for _ in range(200):
            yield b"a" * MIB
        yield b'"}}'

    rss_before = _peak_rss(live_server.pid)
    result = _stream(live_server, "/api/v1/rules/evaluate", "application/json", body())
    assert result.status == 413
    assert json.loads(result.body)["code"] == "too_large"
    assert result.sent < 100 * MIB
    assert _peak_rss(live_server.pid) - rss_before < 32 * MIB
    assert result.seconds < 30


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(
    seeded: Any,
) -> None:
    client: TestClient = seeded.client
    for path, content_type in [
        ("/api/v1/applications/1/documents", "multipart/form-data; boundary=x"),
        ("/api/v1/rules/evaluate", "application/json"),
    ]:
        response = client.post(
            path,
            content=b"x",  # the header says a gigabyte: the body is never read
            headers={"Content-Type": content_type, "Content-Length": str(1024 * MIB)},
        )
        assert response.status_code == 413, path
        assert response.json()["code"] == "too_large"
        assert response.headers["x-content-type-options"] == "nosniff"
    # A page form gets a page in French, with a way back to the form.
    for path, content_type in [
        ("/dossiers/1/pieces", "multipart/form-data; boundary=x"),
        ("/connexion", "application/x-www-form-urlencoded"),
    ]:
        response = client.post(
            path,
            content=b"x",
            headers={
                "Content-Type": content_type,
                "Content-Length": str(1024 * MIB),
                "Referer": "http://testserver/dossiers/1?onglet=pieces",
            },
        )
        assert response.status_code == 413, path
        assert response.headers["content-type"].startswith("text/html")
        assert "Envoi trop volumineux" in response.text
        assert ("10 Mo" if "multipart" in content_type else "1 Mo") in response.text
        assert 'href="/dossiers/1"' in response.text


def test_a_json_body_over_its_limit_is_refused_and_changes_nothing(
    seeded: Any, settings: Settings, db: Database
) -> None:
    from tests.security.conftest import stored

    client: TestClient = seeded.client
    headers = seeded.headers["chair"]
    before = stored(db, settings)
    title = "x" * (settings.body_max_bytes + 1)
    response = client.post(
        "/api/v1/calls",
        headers=headers,
        json={
            "scheme": "reaap",
            "title": title,
            "opens_at": "2026-01-01T00:00:00Z",
            "closes_at": "2026-12-01T00:00:00Z",
            "funders": [],
        },
    )
    assert response.status_code == 413
    assert stored(db, settings) == before
    # A normal body still goes through.
    assert client.get("/api/v1/calls", headers=headers).status_code != 413


# ---------------------------------------------------------------- throttling and addresses


def test_a_throttled_sign_in_says_when_to_try_again(
    seeded: Any, settings: Settings, db: Database
) -> None:
    settings.login_failures_per_address = 3
    attacker = make_client(settings, db, address="203.0.113.40")
    for username in ("asso", "chair", "caf1"):
        assert login(attacker, username, "guessed password!").status_code == 401
    throttled = login(attacker, "dep1", PASSWORD)
    assert throttled.status_code == 429
    wait = int(throttled.headers["retry-after"])
    assert 1 <= wait <= settings.login_window_minutes * 60
    # The page says it too.
    attacker.get("/connexion")
    csrf = attacker.cookies.get("cofinance_csrf")
    page = attacker.post(
        "/connexion", data={"username": "dep1", "password": PASSWORD, "csrf_token": csrf}
    )
    assert page.status_code == 429
    assert 1 <= int(page.headers["retry-after"]) <= settings.login_window_minutes * 60


def _client_with_proxies(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch, peer: str
) -> TestClient:
    import api.main

    monkeypatch.setattr(api.main, "get_settings", lambda: settings)
    return make_client(settings, db, address=peer)


def test_a_rotated_forwarded_for_does_not_escape_the_address_throttle(
    seeded: Any, settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.login_failures_per_address = 3
    settings.trusted_proxies = ""
    attacker = _client_with_proxies(settings, db, monkeypatch, "127.0.0.1")
    for index, username in enumerate(("asso", "chair", "caf1")):
        forged = {"X-Forwarded-For": f"198.51.100.{index + 1}"}
        response = attacker.post(
            "/api/v1/auth/token",
            data={"username": username, "password": "guessed password!"},
            headers=forged,
        )
        assert response.status_code == 401
    response = attacker.post(
        "/api/v1/auth/token",
        data={"username": "dep1", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert response.status_code == 429


def test_forwarded_for_is_believed_from_a_trusted_proxy_only(
    seeded: Any, settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.login_failures_per_address = 3
    settings.trusted_proxies = "10.0.0.0/8"
    proxy = _client_with_proxies(settings, db, monkeypatch, "10.1.2.3")
    for username in ("asso", "chair", "caf1"):
        response = proxy.post(
            "/api/v1/auth/token",
            data={"username": username, "password": "guessed password!"},
            headers={"X-Forwarded-For": "203.0.113.50"},
        )
        assert response.status_code == 401
    # The guesser behind the proxy is throttled; another visitor through the same proxy is not.
    guesser = {"X-Forwarded-For": "203.0.113.50"}
    visitor = {"X-Forwarded-For": "198.51.100.60"}
    data = {"username": "dep1", "password": PASSWORD}
    assert proxy.post("/api/v1/auth/token", data=data, headers=guesser).status_code == 429
    assert proxy.post("/api/v1/auth/token", data=data, headers=visitor).status_code == 200


def test_the_client_is_the_right_most_untrusted_hop() -> None:
    trusted = parse_networks("10.0.0.0/8, 127.0.0.1")
    assert client_from_chain("10.0.0.1", "1.2.3.4, 5.6.7.8, 10.0.0.2", trusted) == "5.6.7.8"
    assert client_from_chain("203.0.113.1", "1.2.3.4", trusted) == "203.0.113.1"
    assert client_from_chain("127.0.0.1", "", trusted) == "127.0.0.1"
    assert client_from_chain("127.0.0.1", "garbage, 9.9.9.9", parse_networks("")) == "127.0.0.1"
    with pytest.raises(ValueError, match="COFINANCE_TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/8, not-an-address")


# ---------------------------------------------------------------- tokens


def test_a_token_without_an_expiry_is_refused_even_signed_with_the_server_key(
    seeded: Any, settings: Settings
) -> None:
    client: TestClient = seeded.client
    genuine = seeded.headers["chair"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(genuine, settings.secret_key, algorithms=["HS256"])
    assert client.get("/api/v1/sessions", headers=seeded.headers["chair"]).status_code == 200
    forever = {k: v for k, v in claims.items() if k != "exp"}
    token = jwt.encode(forever, settings.secret_key, algorithm="HS256")
    response = client.get("/api/v1/sessions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    # And one whose expiry is far away but that was signed without an issue time is refused too.
    no_iat = {**forever, "exp": int((datetime.now(UTC) + timedelta(days=1)).timestamp())}
    no_iat.pop("iat", None)
    token = jwt.encode(no_iat, settings.secret_key, algorithm="HS256")
    response = client.get("/api/v1/sessions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_the_settings_reject_a_bad_trusted_proxy_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import api.main

    settings = get_settings().model_copy(update={"trusted_proxies": "bogus"})
    monkeypatch.setattr(api.main, "get_settings", lambda: settings)
    with pytest.raises(ValueError, match="bogus"):
        api.main.create_app()
