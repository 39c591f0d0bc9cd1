"""Benchmark of the public article page against a trivial Django view, under gunicorn, cached and uncached.

Both URLs go through the same gunicorn workers and the whole middleware stack in
one run; `/robots.txt` is the trivial view (no database, no cache). The article
page is a real published article. Uncached means PUBLIC_CACHE_SECONDS=0: every
request renders the page from the database. Needs `wrk` (apt-get install wrk).
Usage: `make bench-public` or `.venv/bin/python bench/public.py [--seconds 10]`.
"""

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True,
                         check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not non_2xx, out
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.connections, args.workers = 1, 2, 1
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    import psycopg

    admin_url = "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS tarjama_bench_public WITH (FORCE)")
        conn.execute("CREATE DATABASE tarjama_bench_public")
    scratch = tempfile.mkdtemp(prefix="tarjama-bench-public-")
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/tarjama_bench_public",
           "REDIS_URL": "redis://127.0.0.1:6379/13", "TARJAMA_VAR_DIR": scratch, "DEBUG": "0",
           "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
           "DJANGO_SETTINGS_MODULE": "newsroom.settings", "LOG_LEVEL": "WARNING",
           "THROTTLE_ANON": "100000000/min"}
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    slug = _publish_an_article()

    results = {}
    for label, cache_seconds in (("cached", "600"), ("uncached", "0")):
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "newsroom.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", str(args.workers), "--log-level", "warning"],
            cwd=ROOT, env={**env, "PUBLIC_CACHE_SECONDS": cache_seconds}, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/robots.txt")
                break
            except OSError:
                time.sleep(0.1)
        page = urllib.request.urlopen(f"{base}/articles/{slug}/")
        assert b"has not verified the content of this story" in page.read()
        results[label] = {
            "trivial": wrk(f"{base}/robots.txt", args.seconds, args.connections),
            "article": wrk(f"{base}/articles/{slug}/", args.seconds, args.connections),
        }
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"PostgreSQL + Redis; gunicorn --workers {args.workers} (sync); "
          f"wrk -t2 -c{args.connections} -d{args.seconds}s")
    print(f"Command: .venv/bin/python bench/public.py --seconds {args.seconds} --connections {args.connections} "
          f"--workers {args.workers}\n")
    print("| page cache | trivial view (req/s) | article page (req/s) | article / trivial |")
    print("|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['trivial']:.0f} | {r['article']:.0f} | {r['article'] / r['trivial']:.2f} |")


def _publish_an_article() -> str:
    from editorial import drafting, roles, services, workflow
    from tests.conftest import make_user

    editor = make_user(roles.EDITOR, "bench-editor")
    body = "\n\n".join(f"فقرة {i}: عادت الحياة إلى طبيعتها في المدينة بعد اتفاق أنهى التصعيد." for i in range(12))
    article = services.create_article(user=editor, title="اتفاق ينهي التصعيد", body=body, language="ar",
                                      outlet="Horan Free League", author="أحمد", url="https://example.org/a",
                                      keywords=["Daraa", "Jasim"])
    _, job = workflow.apply(article.pk, editor, "draft")
    drafting.run_draft(job.pk)
    workflow.apply(article.pk, editor, "claim")
    for segment in article.document.segments.order_by("position"):
        # The title, then "فقرة i" as "Paragraph i": the numbers check finds each source number translated.
        text = ("Agreement ends the escalation" if segment.position == 0 else
                f"Paragraph {segment.position - 1}: life returned to normal in the city after an agreement ended "
                "the escalation, residents said on Tuesday.")
        services.save_segment(article.pk, segment.pk, editor, version=segment.version, text=text)
    workflow.apply(article.pk, editor, "submit")
    workflow.apply(article.pk, editor, "publish")
    article.refresh_from_db()
    return article.slug


if __name__ == "__main__":
    main()
