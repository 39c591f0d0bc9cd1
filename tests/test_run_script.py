"""`scripts/run.py` (what `make run` starts), end to end.

The supervisor runs for real in the project folder, with its own scratch folder (TARJAMA_VAR_DIR)
and a free port: it starts its own Redis on a Unix socket, migrates a fresh SQLite file, seeds the
demo data and starts the worker, the scheduler and the web server. No database of the test runner is used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_SCRIPT = ROOT / "scripts" / "run.py"

HEALTHY_WITHIN = 90.0
STOPS_WITHIN = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def is_alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def describe(process: psutil.Process) -> str:
    try:
        return f"pid {process.pid}: {' '.join(process.cmdline())}"
    except psutil.Error:
        return f"pid {process.pid}"


def processes_using(var_dir: Path) -> list[psutil.Process]:
    """Every live process whose command line or environment points at this run's scratch folder."""
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if str(var_dir) in " ".join(process.cmdline()):
                found.append(process)
            elif process.environ().get("TARJAMA_VAR_DIR") == str(var_dir):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


class Supervisor:
    """scripts/run.py as a subprocess, its output in a file."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = var_dir.parent / f"{var_dir.name}.log"
        env = dict(os.environ)
        for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"):
            env.pop(name, None)
        env.update(TARJAMA_VAR_DIR=str(var_dir), PORT=str(self.port))
        self.log_file = open(self.log_path, "wb")  # closed in cleanup()
        self.proc = subprocess.Popen(
            [sys.executable, str(RUN_SCRIPT)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.descendants: list[psutil.Process] = []

    def log(self, lines: int = 80) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n--- last lines of scripts/run.py's output ---\n{self.log()}")

    def snapshot(self) -> list[psutil.Process]:
        """Every process below the supervisor right now (they may be reparented once orphaned)."""
        self.descendants = psutil.Process(self.proc.pid).children(recursive=True)
        return self.descendants

    def wait_until(self, what: str, check, timeout: float):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.fail(f"scripts/run.py exited with code {self.proc.returncode} while waiting for {what}")
            last = check()
            if last is True or (last and not isinstance(last, str)):
                return last
            time.sleep(0.5)
        self.fail(f"no {what} within {timeout:.0f} s (last seen: {last!r})")

    def healthy(self):
        try:
            status, body = get(self.url + "healthz")
        except (urllib.error.URLError, OSError) as exc:
            return f"no answer: {exc}"
        if status != 200:
            return f"HTTP {status}: {body[:300]!r}"
        data = json.loads(body)
        if {key: data.get(key) for key in ("database", "broker", "worker")} != {
            "database": "ok",
            "broker": "ok",
            "worker": "ok",
        }:
            return f"HTTP 200 but {data!r}"
        return data

    def wait_for_exit(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"scripts/run.py did not exit within {timeout:.0f} s")

    def cleanup(self) -> None:
        """Whatever happened, leave no process behind (only matters when the test already failed)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for process in [*self.descendants, *processes_using(self.var_dir)]:
            if is_alive(process):
                try:
                    process.kill()
                except psutil.NoSuchProcess:
                    pass
        self.log_file.close()


@pytest.fixture
def supervisor():
    # A short path: the Redis socket lives below it, and Unix socket paths are limited to ~100 bytes.
    parent = Path(tempfile.mkdtemp(prefix="tarjama-run-", dir="/tmp" if os.path.isdir("/tmp") else None))
    var_dir = parent / "var"
    sup = Supervisor(var_dir)
    try:
        yield sup
    finally:
        sup.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


def assert_all_started(sup: Supervisor) -> dict[str, psutil.Process]:
    """The supervisor's own children: Redis, the Celery worker and scheduler (beat), gunicorn."""
    found: dict[str, psutil.Process] = {}
    for process in sup.snapshot():
        try:
            cmdline = " ".join(process.cmdline())
            if process.ppid() != sup.proc.pid:
                continue
        except psutil.Error:
            continue
        if "redis-server" in cmdline:
            found["redis"] = process
        elif "celery" in cmdline and " worker" in cmdline:
            found["worker"] = process
        elif "celery" in cmdline and " beat" in cmdline:
            found["scheduler"] = process
        elif "gunicorn" in cmdline:
            found["web"] = process
    assert set(found) == {"redis", "worker", "scheduler", "web"}, (
        f"children found: {sorted(found)}; all descendants: {[describe(p) for p in sup.descendants]}"
    )
    return found


def assert_nothing_left(sup: Supervisor) -> None:
    left = [p for p in sup.descendants if is_alive(p)] + processes_using(sup.var_dir)
    assert not left, "processes left behind: " + "; ".join(describe(p) for p in left) + "\n" + sup.log()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        assert probe.connect_ex(("127.0.0.1", sup.port)) != 0, f"something still listens on port {sup.port}"


def test_run_starts_everything_and_stops_cleanly_on_ctrl_c(supervisor):
    sup = supervisor
    health = sup.wait_until("healthy /healthz", sup.healthy, HEALTHY_WITHIN)
    assert health["database"] == "ok"

    children = assert_all_started(sup)
    # Its own Redis: on a Unix socket in the scratch folder, persistent, and no TCP port at all.
    sock = sup.var_dir / "redis" / "redis.sock"
    assert sock.is_socket(), f"no Redis socket at {sock}"
    assert sock.stat().st_mode & 0o777 == 0o700, f"Redis socket mode is {sock.stat().st_mode & 0o777:o}, not 700"
    assert (sup.var_dir / "redis" / "appendonly.aof").exists(), "Redis runs without appendonly"
    listening = [c for c in children["redis"].net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert not listening, f"redis-server listens on TCP: {listening}"
    assert (sup.var_dir / "tarjama.sqlite3").exists(), "the SQLite file is not in TARJAMA_VAR_DIR"

    # The banner is printed once the web server answers, and every child's lines carry its name.
    sup.wait_until("banner", lambda: sup.url in sup.log(lines=10_000), 10)
    log = sup.log(lines=10_000)
    for name in ("redis", "migrate", "seed", "worker", "scheduler", "web"):
        assert any(line.startswith(name) and "|" in line for line in log.splitlines()), f"no `{name} |` lines"

    sup.proc.send_signal(signal.SIGINT)
    code = sup.wait_for_exit(STOPS_WITHIN)
    assert code == 0, f"exit code {code} after Ctrl-C\n{sup.log()}"
    assert_nothing_left(sup)
    assert not sock.exists(), "Redis did not shut down cleanly (its socket is still there)"


def test_run_stops_everything_when_a_child_dies(supervisor):
    sup = supervisor
    sup.wait_until("banner", lambda: sup.url in sup.log(lines=10_000), HEALTHY_WITHIN)
    children = assert_all_started(sup)

    children["scheduler"].kill()
    code = sup.wait_for_exit(STOPS_WITHIN)
    assert code != 0, f"scripts/run.py exited 0 although the scheduler died\n{sup.log()}"
    log = sup.log(lines=10_000)
    assert f"scheduler (pid {children['scheduler'].pid}) was killed by SIGKILL" in log, log
    assert "stopped because scheduler died" in log, log
    assert_nothing_left(sup)
