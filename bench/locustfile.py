"""The newsroom's users for `make bench-load`: bench/load.py starts locust with this file.

Not meant to be run by hand: it reads what bench/load.py prepared (LOAD_SETUP, a JSON file: the web hosts, the
translators with their tokens and articles, the editors with tokens and signed-in sessions, the published slugs,
the mix of users) and writes what it saw to LOAD_OUT when locust quits (every request with its start time, kind,
time and status; for every segment the highest version a save was granted and its text; when the run's users
were all spawned and, with LOAD_RAMP, when each step began). bench/load.py computes the figures from that.

User i talks to host i % len(hosts). The kinds of request (locust's names): autosave, editor save, article,
article list, desk, history, diff, public page, feed.
"""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task

SETUP = json.loads(Path(os.environ["LOAD_SETUP"]).read_text())
OUT = Path(os.environ["LOAD_OUT"])
HOSTS = SETUP["hosts"]
MIX = SETUP["mix"]

RECORDS: list[tuple] = []  # (start time, kind, milliseconds, status (0: no answer), exception name)
GRANTED: dict[int, list] = {}  # segment id -> [highest version a save was granted, its text, article id]
MARKS: dict = {"spawned": [], "steps": [], "stopped": None}
TRANSLATING: list[int] = []  # the articles of the translators of this run, for the editors who edit them too

_user_numbers = itertools.count()
_translator_numbers = itertools.count()
_MARKER = re.compile(r" \([te]\d+\.\d+\)$")
_WORDS = ("the council said on Tuesday that the road to the city would reopen after the agreement ended the "
          "fighting and residents returned to their homes while aid convoys waited at the crossing").split()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, start_time=None,
            **kwargs):
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append((start_time or time.time(), name, round(response_time, 2), status,
                    type(exception).__name__ if exception else ""))


@events.spawning_complete.add_listener
def _spawned(user_count, **kwargs):
    MARKS["spawned"].append([time.time(), user_count])


@events.test_stop.add_listener
def _stopped(**kwargs):
    MARKS["stopped"] = MARKS["stopped"] or time.time()


@events.quitting.add_listener
def _dump(**kwargs):
    OUT.write_text(json.dumps({"records": RECORDS, "granted": GRANTED, "marks": MARKS}))


def _granted(segment_id: int, version: int, text: str, article_id: int) -> None:
    best = GRANTED.get(segment_id)
    if best is None or version > best[0]:
        GRANTED[segment_id] = [version, text, article_id]


def _next_text(previous: str | None, author: str, n: int) -> str:
    """Type one more word into the segment, as a translator does between autosaves; each text is unique."""
    base = _MARKER.sub("", previous or "")
    if len(base) > 300:
        base = ""
    words = base.split()
    words.append(_WORDS[len(words) % len(_WORDS)])
    return " ".join(words) + f" ({author}.{n})"


class DeskUser(FastHttpUser):
    abstract = True
    host = HOSTS[0]
    network_timeout = 60.0
    connection_timeout = 10.0

    def __init__(self, environment):
        self.number = next(_user_numbers)
        self.host = HOSTS[self.number % len(HOSTS)]  # user i uses host i % 2 with two web hosts
        super().__init__(environment)

    def _json(self, path: str, kind: str, headers: dict):
        with self.client.get(path, name=kind, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            try:
                return response.json()
            except ValueError:
                response.failure("not JSON")
                return None

    def _save(self, article_id: int, segment: dict, text: str, kind: str, headers: dict) -> int:
        """PATCH one segment; on 200 or 409 `segment` ends with the server's text and version. Returns the status."""
        body = {"text": text, "version": segment["version"]}
        url = f"/api/v1/articles/{article_id}/segments/{segment['id']}/"
        with self.client.patch(url, json=body, name=kind, headers=headers, catch_response=True) as response:
            status = response.status_code
            if status == 200:
                answer = response.json()
                segment["version"], segment["text"] = answer["version"], answer["text"]
                _granted(segment["id"], answer["version"], answer["text"], article_id)
                response.success()
            elif status == 409:
                # Someone saved first: take their version and text, as the workspace does, and carry on.
                details = response.json()["error"]["details"]
                segment["version"], segment["text"] = details["version"], details["text"]
                response.success()
            else:
                response.failure(f"HTTP {status}")
            return status


class Translator(DeskUser):
    """Owns one article in translation and autosaves its segments as they are typed."""

    weight = MIX["translator"]
    wait_time = between(0.3, 1.0)

    def on_start(self):
        me = SETUP["translators"][next(_translator_numbers) % len(SETUP["translators"])]
        self.headers = {"Authorization": f"Token {me['token']}"}
        self.article = me["article"]
        self.segments = None
        self.saves = 0
        self.current = 0
        TRANSLATING.append(self.article)

    def _load(self) -> bool:
        data = self._json(f"/api/v1/articles/{self.article}/", "article", self.headers)
        if data is None:
            return False
        self.segments = [{"id": s["id"], "version": s["version"], "text": s["text"]} for s in data["segments"]]
        self.current = random.randrange(len(self.segments))
        return True

    @task
    def autosave(self):
        if self.segments is None and not self._load():
            return
        segment = self.segments[self.current]
        self.saves += 1
        self._save(self.article, segment, _next_text(segment["text"], f"t{self.number}", self.saves), "autosave",
                   self.headers)
        if random.random() < 0.15:  # done with this segment: on to another one
            self.current = random.randrange(len(self.segments))


class Editor(DeskUser):
    """Edits segments of the articles being translated right now, so real version conflicts happen."""

    weight = MIX["editor"]
    wait_time = between(1.0, 3.0)

    def on_start(self):
        me = SETUP["editors"][self.number % len(SETUP["editors"])]
        self.headers = {"Authorization": f"Token {me['token']}"}
        self.saves = 0

    @task
    def edit(self):
        if not TRANSLATING:
            return
        article_id = random.choice(TRANSLATING)
        data = self._json(f"/api/v1/articles/{article_id}/", "article", self.headers)
        if data is None:
            return
        # The segment typed last: what an editor following the work in progress looks at.
        s = max(data["segments"], key=lambda s: s["changed_at"] or "")
        segment = {"id": s["id"], "version": s["version"], "text": s["text"]}
        gevent.sleep(random.uniform(0.2, 1.0))  # reading it, while the translator keeps typing
        for _ in range(3):  # on a conflict: take their text and version, apply the change again
            self.saves += 1
            text = _next_text(segment["text"], f"e{self.number}", self.saves)
            if self._save(article_id, segment, text, "editor save", self.headers) != 409:
                break


class DeskReader(DeskUser):
    """An editor reading the desk: the dashboard, the list in translation, articles, history and diffs."""

    weight = MIX["desk"]
    wait_time = between(1.0, 3.0)

    def on_start(self):
        me = SETUP["editors"][self.number % len(SETUP["editors"])]
        self.headers = {"Authorization": f"Token {me['token']}"}
        self.session = {"Cookie": f"sessionid={me['session']}"}

    @task(2)
    def desk(self):
        with self.client.get("/desk/", name="desk", headers=self.session, catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:  # a redirect to /login/ would mean the session was not taken
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def article_list(self):
        self._json("/api/v1/articles/?state=translation", "article list", self.headers)

    @task(3)
    def article(self):
        self._json(f"/api/v1/articles/{random.choice(SETUP['articles'])}/", "article", self.headers)

    @task(2)
    def history(self):
        self._json(f"/api/v1/articles/{random.choice(SETUP['articles'])}/history/", "history", self.headers)

    @task(2)
    def diff(self):
        article_id = random.choice(SETUP["articles"])
        revisions = self._json(f"/api/v1/articles/{article_id}/history/", "history", self.headers)
        if revisions and revisions["results"]:
            since = random.choice(revisions["results"])["id"]
            self._json(f"/api/v1/articles/{article_id}/diff/?from={since}&to=current", "diff", self.headers)


class Reader(DeskUser):
    """The public: the front page, published articles, the feeds."""

    weight = MIX["reader"]
    wait_time = between(0.5, 2.0)

    def _get(self, path: str, kind: str):
        with self.client.get(path, name=kind, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(1)
    def front_page(self):
        self._get("/", "public page")

    @task(3)
    def article_page(self):
        self._get(f"/articles/{random.choice(SETUP['published'])}/", "public page")

    @task(1)
    def rss(self):
        self._get("/feed/", "feed")

    @task(1)
    def atom(self):
        self._get("/feed/atom/", "feed")


if os.environ.get("LOAD_RAMP"):
    class StepRamp(LoadTestShape):
        """LOAD_RAMP users per step (e.g. 50,100,200,400), LOAD_STEP_SECONDS each; then stop."""

        steps = [int(n) for n in os.environ["LOAD_RAMP"].split(",")]
        seconds = float(os.environ.get("LOAD_STEP_SECONDS", "30"))

        def tick(self):
            index = int(self.get_run_time() // self.seconds)
            if index >= len(self.steps):
                return None
            if len(MARKS["steps"]) <= index:
                MARKS["steps"].append([time.time(), self.steps[index]])
            previous = self.steps[index - 1] if index else 0
            return self.steps[index], max(10.0, (self.steps[index] - previous) / 4)  # each step spawned in ~4 s
