"""One cluster for the module: db (PostgreSQL + Redis), web1/web2, worker1/worker2, sched1/sched2, each a network
namespace running the Procfile's entry points; a slow LibreTranslate fake in the root namespace.

Everything is driven from outside, through the HTTP API, the way the newsroom's tools and browsers would; the
database is read directly only to count what happened (publications, drafts, notifications).
"""

import os
import string
import threading
import time
import uuid

import pytest
import requests

from tests.conftest import CI
from tests.fakes.mt_servers import LibreTranslateServer

from .harness import GATEWAY, Cluster, can_build_hosts

PASSWORD = "Cluster-pa55word!"
# Short intervals, set the way an operator would (environment only): each scenario then takes seconds.
TIMINGS = {
    "JOB_STALL_SECONDS": "15",  # a job's lease: how long a silent worker keeps it (room for a busy CI machine)
    "SWEEP_SECONDS": "2",
    "PUBLISH_DUE_SECONDS": "3",
    "SCHEDULER_LEASE_SECONDS": "8",
    "JOB_RETRY_BASE_SECONDS": "0.5",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="module")
def cluster():
    reason = can_build_hosts()
    if reason:
        if CI:
            pytest.fail(f"CI=true: the cluster tests must run, but {reason}")
        pytest.skip(reason)
    cluster = Cluster()
    try:
        cluster.up()
        service = LibreTranslateServer(host=GATEWAY)
        cluster.mt = service
        cluster.extra_env.update(TIMINGS, MT_ENGINE="libretranslate", LIBRETRANSLATE_URL=service.url,
                                 LIBRETRANSLATE_API_KEY=service.valid_key, FETCH_PRIVATE_NETWORKS=f"{GATEWAY}/32",
                                 WEB_CONCURRENCY="2", WEB_THREADS="4", WORKER_CONCURRENCY="2",
                                 THROTTLE_USER="100000/min", THROTTLE_ANON="100000/min")
        cluster.start_database()
        cluster.create_database()
        cluster.start_redis()
        cluster.release()
        cluster["web1"].manage("adduser", "chief", "--role", "admin", "--password", PASSWORD,
                               "--email", "chief@example.org")
        for name in ("web1", "web2"):
            cluster[name].start("web")
        for name in ("worker1", "worker2"):
            cluster[name].start("worker")
        for name in ("sched1", "sched2"):
            cluster[name].start("scheduler")
        cluster.wait_until_serving("web1", "web2")
        yield cluster
    except BaseException:
        print(cluster.logs())
        raise
    finally:
        if getattr(cluster, "mt", None):
            cluster.mt.stop()
        if os.environ.get("KEEP_CLUSTER_LOGS"):
            print(cluster.logs())
        cluster.down()


@pytest.fixture(autouse=True)
def _logs_on_failure(request, cluster):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(cluster.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def words(n: int) -> str:
    """n made-up Arabic-script words with no digits (the numbers check then has nothing to compare)."""
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    seed = uuid.uuid4().int
    out = []
    for _ in range(n):
        word = ""
        for _ in range(5):
            seed, index = divmod(seed, len(letters))
            word += letters[index]
            if seed == 0:
                seed = uuid.uuid4().int
        out.append(word)
    return " ".join(out)


class Newsroom:
    """The newsroom's people, talking to whichever web host they are given."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.tokens: dict[str, str] = {}
        self.tokens["chief"] = self.token("chief", "web1")
        suffix = "".join(c for c in uuid.uuid4().hex if c in string.ascii_lowercase)[:6]
        self.editor, self.translator = f"editor{suffix}", f"translator{suffix}"
        for name, role in ((self.editor, "editor"), (self.translator, "translator")):
            self.call("chief", "POST", "/api/v1/users/", {"username": name, "password": PASSWORD,
                                                          "email": f"{name}@example.org", "role": role}, expect=201)
            self.tokens[name] = self.token(name, "web2")

    def token(self, username: str, host: str) -> str:
        response = requests.post(f"{self.cluster.url(host)}/api/v1/auth/token/",
                                 json={"username": username, "password": PASSWORD}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def call(self, who: str, method: str, path: str, body=None, *, host: str = "web1", expect=None, timeout=15):
        response = requests.request(method, f"{self.cluster.url(host)}{path}", json=body, timeout=timeout,
                                    headers={"Authorization": f"Token {self.tokens[who]}"})
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text[:500])
        return response

    def import_article(self, paragraphs: int = 3) -> dict:
        body = "\n\n".join(words(12) for _ in range(paragraphs))
        return self.call(self.editor, "POST", "/api/v1/articles/", {
            "source": {"title": words(6), "body": body, "language": "ar", "outlet": "Enab Baladi"},
            "target_language": "en", "keywords": ["Daraa"]}, expect=201).json()

    def wait_job(self, job_id: int, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.call(self.editor, "GET", f"/api/v1/jobs/{job_id}/", host="web2").json()
            if job["state"] in ("succeeded", "failed") or time.monotonic() > deadline:
                return job
            time.sleep(0.3)

    def drafted(self, paragraphs: int = 3) -> dict:
        article = self.import_article(paragraphs)
        job = self.call(self.editor, "POST", f"/api/v1/articles/{article['id']}/actions/draft/", {},
                        expect=202).json()["job"]
        assert self.wait_job(job["id"])["state"] == "succeeded"
        return self.article(article["id"])

    def article(self, article_id: int, host: str = "web2") -> dict:
        return self.call(self.editor, "GET", f"/api/v1/articles/{article_id}/", host=host, expect=200).json()

    def in_translation(self, paragraphs: int = 3) -> dict:
        article = self.drafted(paragraphs)
        self.call(self.editor, "POST", f"/api/v1/articles/{article['id']}/actions/assign/",
                  {"assignee": self.translator}, expect=200)
        return self.article(article["id"])

    def in_editing(self, paragraphs: int = 2) -> dict:
        article = self.in_translation(paragraphs)
        for segment in article["segments"]:
            self.call(self.translator, "PATCH", f"/api/v1/articles/{article['id']}/segments/{segment['id']}/",
                      {"text": f"English text {segment['position']}", "version": segment["version"]}, expect=200)
        self.call(self.translator, "POST", f"/api/v1/articles/{article['id']}/actions/submit/", {}, expect=200)
        return self.article(article["id"])


@pytest.fixture(scope="module")
def newsroom(cluster):
    return Newsroom(cluster)


class Load:
    """Background requests until stopped; every answer is kept, so a test can say none was a 500."""

    def __init__(self, target, threads: int = 4):
        self.target = target
        self.answers: list[tuple[float, object]] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        while not self.stopped.is_set():
            try:
                outcome = self.target()
            except requests.RequestException as exc:
                outcome = exc
            self.answers.append((time.monotonic(), outcome))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for thread in self.threads:
            thread.join(30)
