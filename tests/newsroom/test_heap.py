"""The web workers keep what they loaded at start-up out of garbage collection (newsroom.heap): a full
collection walking the whole application was a 100 ms pause on one request in ten."""

import gc
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from newsroom import heap
from tests.test_run_script import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_settle_freezes_the_loaded_application_and_leaves_new_garbage_collectable():
    thresholds = gc.get_threshold()
    try:
        frozen = heap.settle()
        assert gc.get_threshold()[:2] == (heap.YOUNG_OBJECTS, heap.YOUNG_COLLECTIONS)
        # The modules, classes and URLconf of the application (a frozen object freed since may leave one fewer).
        assert frozen > 50_000 and gc.get_freeze_count() > 50_000
        tracked = len(gc.get_objects())
        assert tracked < frozen / 5  # what a full collection still walks
        cycle = []
        cycle.append(cycle)  # garbage made after start-up is still freed
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_gunicorn_workers_settle_their_heap_once_the_application_is_loaded(tmp_path):
    port = free_port()
    env = {**os.environ, "WEB_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "WEB_THREADS": "1",
           "TARJAMA_VAR_DIR": str(tmp_path)}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--config",
                               "python:newsroom.gunicorn_conf", "newsroom.wsgi:application"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline, answered = time.monotonic() + 60, None
        while answered is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answered = response.status
            except urllib.error.HTTPError as refused:  # 503: a peer /healthz checks is away; the worker answered
                answered = refused.code
            except OSError:
                time.sleep(0.2)
        assert answered in (200, 503), (tmp_path / "gunicorn.log").read_text()[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    frozen = [line for line in output.splitlines() if "objects frozen out of garbage collection" in line]
    assert frozen, output[-3000:]
    assert int(frozen[0].split(": ")[-1].split()[0].replace(",", "")) > 50_000
