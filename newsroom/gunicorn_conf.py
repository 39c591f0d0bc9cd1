"""The web process's gunicorn settings, from the environment only (the Procfile's `web` line).

WEB_BIND (default 0.0.0.0:$PORT, PORT default 8000), WEB_CONCURRENCY worker processes (default 2),
WEB_THREADS threads each (default 4), WEB_TIMEOUT seconds a request may take before its worker is replaced.
"""

import os
from pathlib import Path

bind = os.environ.get("WEB_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
# Replace each worker after a few thousand requests, at staggered times: any slow leak stays bounded.
max_requests = 5000
max_requests_jitter = 500
# gunicorn 25.1+ opens a control socket, by default in ~/.gunicorn: keep it in this host's var folder.
control_socket = str(Path(os.environ.get("TARJAMA_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
                     / "gunicorn.ctl")


def post_worker_init(worker):
    """The worker has loaded the application: keep what it loaded out of garbage collection (newsroom.heap)."""
    from newsroom import heap

    frozen = heap.settle()
    worker.log.info("Worker %s: %s objects frozen out of garbage collection", worker.pid, f"{frozen:,}")
