"""Benchmark of the desk and the public site over a five-year archive, on PostgreSQL.

`manage.py seed_archive` fills a scratch database (ARTICLES articles of about 30 segments, four in five published,
a million memory entries, every article indexed for search); then each page is asked REQUESTS times through
Django's test client in this process (no network, the public page cache off), each time for another article,
word or page, and the p50 and p95 of the times are reported:
desk list (the Articles page as an editor), search (the same page with ?q=, a word of the archive's vocabulary or
two), the API's ?q=, article open (an editor's workspace of a published article), the public index and a keyword page.
Usage: `make bench-archive` or `.venv/bin/python bench/archive.py [--articles 100000] [--reuse]`.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import django_on_scratch_database  # noqa: E402

DATABASE = "tarjama_bench_archive"


def machine_speed() -> float:
    """Milliseconds for a fixed loop of Python (the best of three): this shared machine runs at speeds a third
    apart from one hour to the next, so each run reports it beside its figures (compare runs by it, or by ratios
    measured in one run)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(range(20_000_000))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def on_the_archive(database: str = DATABASE) -> None:
    """Django set up on an archive a previous run seeded (bench/paired.py measures on it too)."""
    os.environ.update({"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}", "REDIS_URL": "",
                       "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                       "DJANGO_SETTINGS_MODULE": "newsroom.settings", "LOG_LEVEL": "WARNING",
                       "PUBLIC_CACHE_SECONDS": "0", "REQUIRE_2FA_FOR": "",
                       "STATIC_ROOT": tempfile.mkdtemp(prefix=f"{database}-static-")})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", verbosity=0, interactive=False)  # the pages link the static files' hashed names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--memory", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="measure the archive a previous run seeded")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    database = DATABASE
    if args.quick:  # a database of its own: the quick run (make test) never drops a full archive being measured
        args.articles, args.memory, args.requests = 300, 2000, 5
        database = f"{DATABASE}_quick"

    if args.reuse:
        on_the_archive(database)
    else:
        django_on_scratch_database(database, static=True, PUBLIC_CACHE_SECONDS="0")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from editorial import roles
    from editorial.management.commands.seed_archive import ARABIC, ENGLISH
    from editorial.models import Article, Keyword
    from editorial.public.views import PAGE_SIZE
    from translations.models import Document, MemoryEntry, Segment
    from translations.normalize import normalize

    seeding = 0.0
    if not args.reuse:
        started = time.perf_counter()
        call_command("seed_archive", articles=args.articles, memory=args.memory)
        seeding = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    editor = get_user_model().objects.get(username="archive-editor")
    roles.set_role(editor, roles.EDITOR)
    client = Client()
    client.force_login(editor)
    rng = random.Random(7)
    # Words of the archive that are not among the common ones: names and rare words, as an editor looks them up.
    sample = " ".join(Document.objects.order_by("?").values_list("search_text", flat=True)[:200]).split()
    rare = [word for word in sample if word not in {normalize(w) for w in ARABIC}] or ["nothing"]
    published = list(Article.objects.filter(live_version__isnull=False).values_list("pk", flat=True)[:5000])
    keywords = list(Keyword.objects.filter(published_versions__isnull=False).distinct().values_list("name", flat=True))
    pages = max(1, Article.objects.count() // 25)
    public_pages = max(1, Article.objects.filter(live_version__isnull=False).count() // PAGE_SIZE)

    def ask(path):
        started = time.perf_counter()
        response = client.get(path)
        spent = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return spent

    cases = {
        "desk list": lambda: f"/desk/articles/?page={rng.randint(1, min(pages, 40))}",
        "search, a common word": lambda: f"/desk/articles/?q={rng.choice(ARABIC)}",
        "search, a rarer word": lambda: f"/desk/articles/?q={rng.choice(rare)}",
        "search, two words": lambda: f"/desk/articles/?q={rng.choice(ARABIC)}+{rng.choice(rare)}",
        "API ?q=": lambda: f"/api/v1/articles/?q={rng.choice(ENGLISH)}",
        "article open": lambda: f"/desk/articles/{rng.choice(published)}/",
        "public index": lambda: f"/?page={rng.randint(2, min(public_pages, 20))}" if rng.random() < 0.5 and
        public_pages > 1 else "/",
        "keyword page": lambda: f"/keywords/{rng.choice(keywords)}/",
    }
    # As a gunicorn worker does once it has loaded the application (newsroom.gunicorn_conf).
    from newsroom import heap

    heap.settle()
    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{connection.vendor} {connection.pg_version // 10000}; a fixed loop took {machine_speed():.0f} ms")
    print(f"Archive: {Article.objects.count():,} articles, {Segment.objects.count():,} segments, "
          f"{MemoryEntry.objects.count():,} memory entries" + (f"; seeded and indexed in {seeding:.0f} s" if seeding
                                                               else ""))
    print("\n| page | requests | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    for name, path in cases.items():
        for _ in range(3):  # warm: the first requests compile templates and fill PostgreSQL's cache
            ask(path())
        times = sorted(ask(path()) for _ in range(args.requests))
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"| {name} | {len(times)} | {statistics.median(times) * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
              f"{times[-1] * 1000:.0f} ms |")
    print(f"\nThe fixed loop took {machine_speed():.0f} ms after the measurements.")


if __name__ == "__main__":
    main()
