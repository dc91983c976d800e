"""What every benchmark shares: results, statistics, the machine, databases, servers, load."""

from __future__ import annotations

import contextlib
import os
import platform
import queue
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
# A server (PostgreSQL superuser, trust) where the benchmarks create and drop their databases.
POSTGRES_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-key-not-for-production-0123456789"


# -- results ------------------------------------------------------------------------------------


@dataclass
class Result:
    """One line of the table: several runs of one measure, its bare limit and their ratio."""

    benchmark: str
    measure: str
    backend: str
    unit: str
    runs: list[float]
    target: str = ""
    met: bool | None = None
    bare: list[float] = field(default_factory=list)
    bare_label: str = ""
    ratios: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = summary(self.runs)
        data["bare_summary"] = summary(self.bare)
        data["ratio_summary"] = summary(self.ratios)
        return data


def summary(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.4999)))
    return ordered[rank - 1]


# -- the machine --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return {
        "cpu": cpu,
        "cores": cores,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
    }


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# -- databases ----------------------------------------------------------------------------------


def postgres_version() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return None if row is None else str(row[0])
    except Exception:
        return None


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one benchmark, dropped afterwards."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def database(backend: str, label: str) -> Iterator[tuple[str, Path]]:
    """(database URL, data folder) on `backend`, both removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"cofinance-bench-{label}-"))
    try:
        if backend == "sqlite":
            yield f"sqlite:///{folder / 'cofinance.sqlite3'}", folder
        else:
            with postgres_database(f"cofinance_bench_{label}_{os.getpid()}") as url:
                yield url, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) of the server process, in kB."""
        values: dict[str, int] = {}
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
        return values

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], health: str, log: Path) -> Iterator[Server]:
    """Start `command` (a uvicorn server on 127.0.0.1), wait until `health` answers, stop it."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    port = command[command.index("--port") + 1]
    started = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(started.url + health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer in 60 s: {log}")
            time.sleep(0.2)
        yield started
    finally:
        started.stop()


def cofinance_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("cofinance")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli"]
    return [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"]


def cofinance_env(url: str, data_dir: Path) -> dict[str, str]:
    return {
        "COFINANCE_DATABASE_URL": url,
        "COFINANCE_DATA_DIR": str(data_dir),
        "COFINANCE_SECRET_KEY": SECRET,
        "COFINANCE_SCHEDULER": "false",
        "COFINANCE_SMTP_URL": "",
    }


# -- load ---------------------------------------------------------------------------------------


@dataclass
class Load:
    """What a load phase measured: completed requests, errors, latencies (ms), elapsed (s)."""

    completed: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return self.completed / self.elapsed if self.elapsed else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95) if self.latencies else 0.0


Request = Callable[[httpx.Client], httpx.Response]


def run_load(
    base_url: str,
    requests: Iterator[Request],
    concurrency: int,
    seconds: float,
    ok: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200,
) -> Load:
    """Send `requests` from `concurrency` threads (one keep-alive client each) until they run
    out or `seconds` pass: bounded in count and in time."""
    result = Load()
    lock = threading.Lock()
    work: queue.Queue[Request | None] = queue.Queue()
    for request in requests:
        work.put(request)
    for _ in range(concurrency):
        work.put(None)
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while time.perf_counter() < deadline:
                request = work.get()
                if request is None:
                    return
                before = time.perf_counter()
                try:
                    response = request(client)
                    good = ok(response)
                    detail = "" if good else f"{response.status_code} {response.text[:300]}"
                except httpx.HTTPError as exc:
                    good, detail = False, repr(exc)
                spent = (time.perf_counter() - before) * 1000
                with lock:
                    if good:
                        result.completed += 1
                        result.latencies.append(spent)
                    else:
                        result.errors += 1
                        result.first_error = result.first_error or detail

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


class Sampler:
    """Samples a server's resident memory while a load runs (VmHWM keeps the peak anyway)."""

    def __init__(self, target: Server, every: float = 0.1) -> None:
        self.target = target
        self.every = every
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self.target.memory().get("VmRSS", 0))
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)
