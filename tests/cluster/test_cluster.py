"""Production on several hosts, proven: each scenario breaks something a real deployment loses (a host, a link,
the database) and asserts exact outcomes. The hosts are network namespaces running the Procfile's entry points.
"""

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from tests.fakes.mt_servers import fake_translation

from .conftest import PASSWORD, TIMINGS, Load
from .harness import REDIS_IP


def _states(answers) -> list:
    return [a.status_code if isinstance(a, requests.Response) else type(a).__name__ for _, a in answers]


def _no_server_errors(answers) -> None:
    errors = [(a.status_code, a.text[:300]) for _, a in answers
              if isinstance(a, requests.Response) and a.status_code >= 500 and a.status_code != 503]
    assert not errors, errors
    for _, answer in answers:
        if isinstance(answer, requests.Response):
            assert "Traceback" not in answer.text


def test_a_session_and_a_token_work_on_every_web_host(cluster, newsroom):
    article = newsroom.in_translation(paragraphs=1)
    browser = requests.Session()
    browser.get(f"{cluster.url('web1')}/login/", timeout=10)
    csrf = browser.cookies["csrftoken"]
    signed_in = browser.post(f"{cluster.url('web1')}/login/", timeout=10, allow_redirects=False, data={
        "username": newsroom.translator, "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/desk/"

    # The proxy sends the same browser to web2 next: its session cookie, signed on web1, is good there.
    cookies = {"sessionid": browser.cookies["sessionid"], "csrftoken": csrf}
    desk = requests.get(f"{cluster.url('web2')}/desk/", cookies=cookies, timeout=10, allow_redirects=False)
    assert desk.status_code == 200 and newsroom.translator in desk.text
    segment = article["segments"][1]
    saved = requests.patch(f"{cluster.url('web2')}/api/v1/articles/{article['id']}/segments/{segment['id']}/",
                           json={"text": "Saved through web2", "version": segment["version"]}, cookies=cookies,
                           headers={"X-CSRFToken": csrf}, timeout=10)
    assert saved.status_code == 200, saved.text
    assert cluster.sql("SELECT text FROM translations_segment WHERE id = %s", segment["id"]) == [
        ("Saved through web2",)]

    token = newsroom.token(newsroom.translator, "web1")
    for host in ("web1", "web2"):
        response = requests.get(f"{cluster.url(host)}/api/v1/articles/{article['id']}/", timeout=10,
                                headers={"Authorization": f"Token {token}"})
        assert response.status_code == 200 and response.json()["segments"][1]["text"] == "Saved through web2"


def test_a_worker_host_dies_mid_draft_and_the_other_finishes_it(cluster, newsroom):
    article = newsroom.import_article(paragraphs=299)  # 300 segments with the title
    cluster.mt.requests.clear()
    cluster.mt.delay = 1.0  # each batch of 25 takes a second
    dying = None
    try:
        job = newsroom.call(newsroom.editor, "POST", f"/api/v1/articles/{article['id']}/actions/draft/", {},
                            expect=202).json()["job"]
        deadline = time.monotonic() + 60
        while newsroom.wait_job(job["id"], timeout=0)["progress"]["done"] < 50:
            assert time.monotonic() < deadline, "the draft did not start"
            time.sleep(0.2)
        # The host the MT service hears from is the one drafting: it dies, every process at once.
        drafting_ip = cluster.mt.requests[-1]["client"]
        dying = next(h for h in (cluster["worker1"], cluster["worker2"]) if h.ip == drafting_ip)
        survivor = next(h for h in (cluster["worker1"], cluster["worker2"]) if h is not dying)
        dying.kill()
        killed_at = time.monotonic()

        finished = newsroom.wait_job(job["id"], timeout=150)
    finally:
        cluster.mt.delay = 0.0
        if dying is not None:
            dying.start("worker")  # the host comes back for the next scenarios
    assert finished["state"] == "succeeded", finished
    assert (finished["progress"]["done"], finished["progress"]["total"]) == (300, 300)
    # After the death (and the request it had in flight), only the survivor asked for translations.
    assert {r["client"] for r in cluster.mt.requests if r["at"] > killed_at + 1.0} == {survivor.ip}
    assert cluster.sql("SELECT attempts FROM editorial_job WHERE id = %s", job["id"]) == [(2,)]

    rows = cluster.sql("SELECT s.source_text, s.machine_text, s.text, s.version FROM translations_segment s "
                       "JOIN editorial_article a ON a.document_id = s.document_id WHERE a.id = %s", article["id"])
    assert len(rows) == 300
    # Every segment drafted exactly once: version 1 at import, 2 after its one draft.
    assert all(machine == text == fake_translation(source) and version == 2 for source, machine, text, version in rows)
    # Only the batch in flight when the host died was asked for twice.
    asked = sum(len(r["json"]["q"]) for r in cluster.mt.requests)
    assert 300 <= asked <= 350, asked
    assert cluster.sql("SELECT count(*) FROM editorial_statechange WHERE article_id = %s AND action = 'draft'",
                       article["id"]) == [(1,)]
    assert newsroom.article(article["id"])["state"] == "machine_draft"


def test_web1_cut_off_from_redis_keeps_saving_and_loses_no_job(cluster, newsroom):
    article = newsroom.in_translation(paragraphs=3)
    waiting = newsroom.import_article(paragraphs=2)
    web1 = cluster["web1"]
    versions = {s["id"]: s["version"] for s in article["segments"]}
    saves, slow = [], []

    def save(segment_id: int, text: str) -> None:
        started = time.monotonic()
        response = newsroom.call(newsroom.translator, "PATCH",
                                 f"/api/v1/articles/{article['id']}/segments/{segment_id}/",
                                 {"text": text, "version": versions[segment_id]}, host="web1")
        if time.monotonic() - started > 6:
            slow.append(time.monotonic() - started)
        saves.append((time.monotonic(), response))
        if response.status_code == 200:
            versions[segment_id] = response.json()["version"]

    web1.cut_from(REDIS_IP)
    cut_at = time.monotonic()
    try:
        draft = newsroom.call(newsroom.editor, "POST", f"/api/v1/articles/{waiting['id']}/actions/draft/", {},
                              host="web1", timeout=30)
        health = requests.get(f"{cluster.url('web1')}/healthz", timeout=30)
        n = 0
        while time.monotonic() - cut_at < 20:
            segment_id = list(versions)[n % len(versions)]
            save(segment_id, f"Saved during the cut, edit {n}")
            n += 1
            time.sleep(0.3)
    finally:
        web1.heal(REDIS_IP)

    assert draft.status_code == 202, draft.text  # recorded, though the broker was out of reach
    assert health.status_code == 503 and health.json()["broker"].startswith("unreachable"), health.text
    assert health.json()["database"] == "ok"
    assert [r.status_code for _, r in saves] == [200] * len(saves) and len(saves) >= 10
    assert not slow, f"saves that took over 6 s: {slow}"
    _no_server_errors(saves)
    job = newsroom.wait_job(draft.json()["job"]["id"], timeout=90)
    assert job["state"] == "succeeded", job
    assert newsroom.article(waiting["id"])["state"] == "machine_draft"
    # Nothing lost: every segment holds the last text web1 acknowledged.
    stored = dict(cluster.sql("SELECT id, version FROM translations_segment WHERE id = ANY(%s)", list(versions)))
    assert stored == versions


def _ready_to_schedule(newsroom, count: int) -> list[dict]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: newsroom.in_editing(paragraphs=1), range(count)))


def _lease_holder(cluster):
    holders = [cluster[name] for name in ("sched1", "sched2")
               if any("Acquired lock" in p.tail(200_000) for p in cluster[name].processes if p.alive())]
    assert len(holders) == 1, [h.logs() for h in holders]
    return holders[0]


def _wait_published(newsroom, ids, timeout: float) -> float:
    started = time.monotonic()
    pending = set(ids)
    while pending:
        assert time.monotonic() - started < timeout, f"not published within {timeout} s: {sorted(pending)}"
        pending = {i for i in pending if newsroom.article(i)["state"] != "published"}
        time.sleep(0.3)
    return time.monotonic() - started


def test_two_schedulers_publish_each_article_once_and_one_takes_over(cluster, newsroom):
    articles = _ready_to_schedule(newsroom, 20)
    ids = [a["id"] for a in articles]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    for article in articles:
        scheduled = newsroom.call(newsroom.editor, "POST", f"/api/v1/articles/{article['id']}/actions/publish/",
                                  {"publish_at": later}, expect=200).json()
        assert scheduled["state"] == "scheduled"
    # All 20 due at the same instant, however long scheduling them took on a slow machine.
    cluster.sql("UPDATE editorial_article SET publish_at = now() + interval '3 seconds' WHERE id = ANY(%s) "
                "RETURNING id", ids)
    _wait_published(newsroom, ids, timeout=60)
    time.sleep(2 * float(TIMINGS["PUBLISH_DUE_SECONDS"]))  # both schedulers had every chance to publish again

    count = "SELECT article_id, count(*) FROM {} WHERE article_id = ANY(%s) {} GROUP BY article_id"
    assert dict(cluster.sql(count.format("editorial_publishedversion", ""), ids)) == dict.fromkeys(ids, 1)
    assert dict(cluster.sql(count.format("editorial_statechange", "AND action = 'publish_scheduled'"), ids)) == (
        dict.fromkeys(ids, 1))
    assert dict(cluster.sql(count.format("editorial_job", "AND kind = 'memory'"), ids)) == dict.fromkeys(ids, 1)
    # The translator and the editor who imported it, each told once.
    assert dict(cluster.sql(count.format("editorial_notification", "AND event = 'publish_scheduled'"), ids)) == (
        dict.fromkeys(ids, 2))

    holder = _lease_holder(cluster)
    other = cluster["sched2" if holder.name == "sched1" else "sched1"]
    assert not any("Sending due task" in p.tail(200_000) for p in other.processes), "two schedulers sent tasks"

    late = _ready_to_schedule(newsroom, 1)[0]
    newsroom.call(newsroom.editor, "POST", f"/api/v1/articles/{late['id']}/actions/publish/",
                  {"publish_at": later}, expect=200)
    holder.kill()
    killed_at = time.monotonic()
    try:
        cluster.sql("UPDATE editorial_article SET publish_at = now() WHERE id = %s RETURNING id", late["id"])
        # The dead scheduler's lease runs out, the other takes it and publishes at its next tick (a few seconds
        # of room for process start-up on a loaded machine).
        limit = float(TIMINGS["SCHEDULER_LEASE_SECONDS"]) + float(TIMINGS["PUBLISH_DUE_SECONDS"]) + 8
        _wait_published(newsroom, [late["id"]], timeout=limit)
        assert time.monotonic() - killed_at <= limit
        assert _lease_holder(cluster) is other
        assert cluster.sql("SELECT count(*) FROM editorial_publishedversion WHERE article_id = %s",
                           late["id"]) == [(1,)]
    finally:
        holder.start("scheduler")  # back, waiting for the lease


def test_a_web_host_dies_with_requests_in_flight(cluster, newsroom):
    article = newsroom.in_translation(paragraphs=7)
    segments = {s["id"]: s["version"] for s in article["segments"]}
    acknowledged: dict[int, tuple[int, str]] = {}
    attempted: dict[int, list[tuple[int, str]]] = {sid: [] for sid in segments}
    answers, stop = [], threading.Event()

    def writer(segment_id: int) -> None:
        version, n = segments[segment_id], 0
        while not stop.is_set():
            host = ("web1", "web2")[n % 2]
            text = f"Edit {n} of segment {segment_id} through {host}"
            attempted[segment_id].append((version + 1, text))
            try:
                response = newsroom.call(newsroom.translator, "PATCH",
                                         f"/api/v1/articles/{article['id']}/segments/{segment_id}/",
                                         {"text": text, "version": version}, host=host, timeout=10)
            except requests.RequestException as exc:
                answers.append((time.monotonic(), host, exc))
            else:
                answers.append((time.monotonic(), host, response))
                if response.status_code == 200:
                    version = response.json()["version"]
                    acknowledged[segment_id] = (version, text)
                elif response.status_code == 409:  # an unanswered save did land: carry on from it
                    version = response.json()["error"]["details"]["version"]
            n += 1

    threads = [threading.Thread(target=writer, args=(sid,), daemon=True) for sid in segments]
    for thread in threads:
        thread.start()
    time.sleep(3)
    cluster["web1"].kill()
    killed_at = time.monotonic()
    try:
        time.sleep(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        cluster["web1"].start("web")

    # web2 kept answering: every request it got was served (a 409 only tells a writer that an unanswered save of
    # its own landed on web1 before the crash), none was refused or dropped.
    served = [a for at, host, a in answers if host == "web2" and at > killed_at]
    assert all(isinstance(a, requests.Response) and a.status_code in (200, 409) for a in served), served[:5]
    assert sum(a.status_code == 200 for a in served) >= 20
    assert not [a for _, host, a in answers if host == "web2" and not isinstance(a, requests.Response)]
    _no_server_errors([(at, a) for at, _, a in answers])
    stored = {sid: (version, text) for sid, version, text in cluster.sql(
        "SELECT id, version, text FROM translations_segment WHERE id = ANY(%s)", list(segments))}
    for segment_id, (version, text) in acknowledged.items():
        # The last acknowledged save is there, or one sent after it that landed while its answer was lost.
        assert stored[segment_id] == (version, text) or (
            stored[segment_id][0] == version + 1 and stored[segment_id] in attempted[segment_id]
        ), (segment_id, stored[segment_id], (version, text))
    cluster.wait_until_serving("web1")


def test_postgresql_restarts_under_load(cluster, newsroom):
    article = newsroom.in_translation(paragraphs=2)
    turns = itertools.count()

    def read():
        host = ("web1", "web2")[next(turns) % 2]
        return newsroom.call(newsroom.editor, "GET", f"/api/v1/articles/{article['id']}/", host=host, timeout=15)

    with Load(read, threads=4) as load:
        time.sleep(2)
        cluster.stop_database()
        down_at = time.monotonic()
        time.sleep(2)
        health = requests.get(f"{cluster.url('web1')}/healthz", timeout=15)
        desk = requests.get(f"{cluster.url('web2')}/api/v1/articles/", timeout=15,
                            headers={"Authorization": f"Token {newsroom.tokens[newsroom.editor]}"})
        time.sleep(2)
        restart_at = time.monotonic()  # start_database() returns once PostgreSQL answers: 200s before it are right
        cluster.start_database()
        up_at = time.monotonic()
        deadline = up_at + 30
        for host in ("web1", "web2"):
            while requests.get(f"{cluster.url(host)}/healthz", timeout=15).json().get("database") != "ok":
                assert time.monotonic() < deadline, f"{host} did not recover"
                time.sleep(0.3)
        recovered_at = time.monotonic()
        time.sleep(2)

    assert health.status_code == 503 and health.json()["database"].startswith("unreachable"), health.text
    assert desk.status_code == 503 and desk.json()["error"]["code"] == "unavailable", desk.text
    _no_server_errors(load.answers)
    during = [a for at, a in load.answers if down_at + 0.5 < at < restart_at]
    assert during and {a.status_code for a in during if isinstance(a, requests.Response)} == {503}
    after = [a for at, a in load.answers if at > recovered_at + 0.5]
    assert after and _states([(0, a) for a in after]) == [200] * len(after)
    # Writes work again through both hosts, with no restart of either.
    segment = newsroom.article(article["id"])["segments"][0]
    for host in ("web1", "web2"):
        saved = newsroom.call(newsroom.translator, "PATCH", f"/api/v1/articles/{article['id']}/segments/"
                              f"{segment['id']}/", {"text": f"After the restart, via {host}",
                                                    "version": segment["version"]}, host=host, expect=200)
        segment = saved.json()
