"""Benchmark of a watch run: the scheduler's check of every watched original, against a local outlet.

N articles imported by address from a local web server playing the outlet (tests/fakes/feed_server.py, in a thread
of this process), all due; `watch.check_due` checks them all, on PostgreSQL:
- run 1: nothing changed (each original answers 304 to the conditional request);
- run 2: one original in ten edited (200 with a changed paragraph: a new snapshot, the changes, notifications).
Counted: requests to the outlet (one each, conditional) and database queries (per article, constant).
Usage: `make bench-watch` or `.venv/bin/python bench/watch.py [--articles 1000]`.
"""

import argparse
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import django_on_scratch_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.articles = 20

    django_on_scratch_database("tarjama_bench_watch", FETCH_PRIVATE_NETWORKS="127.0.0.0/8",
                               WATCH_BATCH=str(args.articles))
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from editorial import roles, services, snapshots, watch
    from editorial.fetching import fetch
    from tests.fakes.feed_server import JASIM, FeedServer, article_page

    editor = get_user_model().objects.create_user("bench-editor", "editor@example.org", "x")
    roles.set_role(editor, roles.EDITOR)
    outlet = FeedServer()
    started = time.perf_counter()
    for i in range(args.articles):
        story = {**JASIM, "title": f"{JASIM['title']} {i}"}
        url = outlet.serve(f"/story/{i}", article_page(story), etag=f'"{i}-v1"')
        download = fetch(url, "The page")
        services.create_article(user=editor, title=story["title"], body="\n\n".join(t for _, t in JASIM["blocks"]),
                                language="ar", outlet="Bench Outlet", url=url, received=snapshots.downloaded(download))
    seeded = time.perf_counter() - started

    def run(label: str, now) -> dict:
        outlet.requests.clear()
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            counts = watch.check_due(now)
            elapsed = time.perf_counter() - began
        conditional = sum(1 for r in outlet.requests if r["headers"].get("If-None-Match"))
        assert len(outlet.requests) == args.articles == conditional, (len(outlet.requests), conditional)
        return {"label": label, "counts": counts, "seconds": elapsed, "queries": len(queries.captured_queries)}

    rows = [run("nothing changed (304 each)", timezone.now())]
    edited = max(1, args.articles // 10)
    for i in range(edited):
        blocks = list(JASIM["blocks"])
        blocks[0] = (blocks[0][0], blocks[0][1].replace("جاسم", "نوى", 1))
        outlet.serve(f"/story/{i}", article_page({**JASIM, "title": f"{JASIM['title']} {i}", "blocks": blocks}),
                     etag=f'"{i}-v2"')
    rows.append(run(f"{edited} of {args.articles} edited", timezone.now() + timedelta(hours=1, minutes=1)))
    assert rows[1]["counts"].get("edited") == edited, rows[1]["counts"]
    outlet.stop()

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL; "
          "the outlet is a local server in a thread of the same process")
    print(f"Command: .venv/bin/python bench/watch.py --articles {args.articles} (seeding took {seeded:.0f} s)\n")
    print(f"| watch run over {args.articles:,} articles | time | per article | queries | per article | requests |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['label']} | {row['seconds']:.1f} s | {1000 * row['seconds'] / args.articles:.1f} ms "
              f"| {row['queries']:,} | {row['queries'] / args.articles:.1f} | {args.articles:,} conditional |")


if __name__ == "__main__":
    main()
