"""Benchmark of translation-memory lookups on PostgreSQL: p50 and p95 with 100k and then 1M entries.

Each lookup is `translations.memory.fuzzy_matches` as the workspace and the API call it:
exact hash first, then candidates from the word index (longer texts) or the short-entry trigram
index (short texts), scored by rapidfuzz. The queries mix exact repeats,
edited sentences (a word changed or dropped, marks added) and short strings of 5-15 characters.
Usage: `make bench-memory` or `.venv/bin/python bench/memory.py [--sizes 100000 1000000]`.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import django_on_scratch_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--compare-knn", type=int, default=0, metavar="N",
                        help="after the last size, also time N lookups the previous way (trigram KNN over every "
                             "entry from a GiST index, built for the comparison) against the current one")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.lookups, args.compare_knn = [500], 10, 0

    django_on_scratch_database("tarjama_bench_memory")
    from django.core.management import call_command
    from django.db.models.functions import Length

    from translations.memory import fuzzy_matches
    from translations.models import MemoryEntry

    rows = []
    seeded = 0
    for size in args.sizes:
        started = time.monotonic()
        call_command("seed_memory", count=size - seeded, seed=size, stdout=open(os.devnull, "w"))
        seeded = MemoryEntry.objects.count()
        seed_seconds = time.monotonic() - started
        rng = random.Random(7)
        stored = list(MemoryEntry.objects.order_by("?").values_list("source_text", flat=True)[: args.lookups])
        short = list(MemoryEntry.objects.alias(length=Length("normalized")).filter(length__range=(5, 15))
                     .order_by("?").values_list("source_text", flat=True)[: args.lookups])
        queries = []
        for i, text in enumerate(stored):
            kind = i % 4
            words = text.split()
            if kind == 0:
                queries.append(("exact", text, text))
            elif kind == 1 and len(words) > 3:
                words[rng.randrange(len(words))] = "اتفاق"
                queries.append(("one word changed", " ".join(words), text))
            elif kind == 2 and len(words) > 3:
                del words[rng.randrange(len(words))]
                queries.append(("one word dropped", " ".join(words), text))
            else:  # a short entry with one letter changed
                text = short[i]
                at = rng.randrange(1, len(text) - 1)
                queries.append(("short (5-15 chars)", text[:at] + ("س" if text[at] != "س" else "ش") + text[at + 1:],
                                text))
        timings, found = {}, {}
        for kind, text, expected in queries:
            started_lookup = time.perf_counter()
            matches = fuzzy_matches(text, "ar", "en")
            timings.setdefault(kind, []).append((time.perf_counter() - started_lookup) * 1000)
            # Each query must find the entry it was made from.
            hit = any(m.source == expected for m in matches)
            found.setdefault(kind, []).append(hit)
        everything = [t for values in timings.values() for t in values]
        rows.append((seeded, seed_seconds, everything, timings, found))

    comparison = compare_knn(args.compare_knn) if args.compare_knn else None

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL "
          "(word GIN index, short-entry pg_trgm GiST index)")
    print(f"Command: .venv/bin/python bench/memory.py --sizes {' '.join(map(str, args.sizes))} "
          f"--lookups {args.lookups}" + (f" --compare-knn {args.compare_knn}" if args.compare_knn else "") + "\n")
    print("| entries | lookups | p50 | p95 | max | p95 by kind | found |")
    print("|---|---|---|---|---|---|---|")
    def p95(values: list[float]) -> float:
        # A kind may get a single lookup in a small run (--quick): its p95 is then that lookup.
        return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]

    for seeded, _, everything, timings, found in rows:
        by_kind = "; ".join(f"{k}: {p95(v):.1f} ms" for k, v in timings.items())
        hits = "; ".join(f"{k}: {sum(v)}/{len(v)}" for k, v in found.items())
        print(f"| {seeded:,} | {len(everything)} | {statistics.median(everything):.1f} ms | {p95(everything):.1f} ms "
              f"| {max(everything):.1f} ms | {by_kind} | {hits} |")

    if comparison:
        print(f"\nSame {seeded:,} entries, {args.compare_knn} sentences with one word changed:")
        for name, values in comparison.items():
            print(f"- {name}: p50 {statistics.median(values):.1f} ms, "
                  f"p95 {statistics.quantiles(values, n=20)[18]:.1f} ms")


def compare_knn(count: int) -> dict[str, list[float]]:
    """The previous design's candidate query, nearest by trigram distance over every entry, against a lookup now."""
    from django.db import connection

    from translations.memory import fuzzy_matches
    from translations.models import MemoryEntry
    from translations.normalize import normalize

    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX bench_all_trgm ON translations_memoryentry USING gist (normalized gist_trgm_ops)")
    rng = random.Random(11)
    timings = {"previous: GiST KNN over every entry (candidates only)": [], "now: the whole fuzzy_matches": []}
    try:
        for text in MemoryEntry.objects.order_by("?").values_list("source_text", flat=True)[:count]:
            words = text.split()
            words[rng.randrange(len(words))] = "اتفاق"
            query = " ".join(words)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, normalized FROM translations_memoryentry WHERE source_language = 'ar' "
                               "AND target_language = 'en' ORDER BY normalized <-> %s LIMIT 30", [normalize(query)])
                cursor.fetchall()
            middle = time.perf_counter()
            fuzzy_matches(query, "ar", "en")
            timings["previous: GiST KNN over every entry (candidates only)"].append((middle - started) * 1000)
            timings["now: the whole fuzzy_matches"].append((time.perf_counter() - middle) * 1000)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_all_trgm")
    return timings


if __name__ == "__main__":
    main()
