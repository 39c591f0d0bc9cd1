"""Benchmark of the wire desk: how well stories are grouped, and what the incoming list costs.

1. Quality: every similarity back-end in WIRE_SIMILARITY_BACKENDS groups the labelled items of
   editorial/wire/stories.json (several outlets telling one event; re-posts; events that share a town, an
   actor or a kind with another) as `stories.enroll` would, in ORDERS shuffled arrival orders. Over every pair
   of items: precision (pairs grouped together that are one event) and recall (pairs of one event grouped
   together), mean and worst over the orders.
2. Cost, on PostgreSQL: ITEMS sources from 20 outlets imported, then enrolled (fingerprint, story) in one run,
   and the incoming list built; time and queries of each.
Usage: `make bench-wire` or `.venv/bin/python bench/wire.py [--orders 10] [--items 200]`.
"""

import argparse
import itertools
import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import django_on_scratch_database  # noqa: E402

STORIES = ROOT / "editorial" / "wire" / "stories.json"


def labelled_items() -> list[tuple[str, dict]]:
    """(event id, item) for every item of the labelled set, in the file's order."""
    data = json.loads(STORIES.read_text(encoding="utf-8"))
    return [(event["id"], item) for event in data["events"] for item in event["items"]]


def precision_recall(events: list[str], stories: list) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of a grouping against the events; and the pair counts (all, one event)."""
    together = same = both = pairs = 0
    for i, j in itertools.combinations(range(len(events)), 2):
        pairs += 1
        one_event, grouped = events[i] == events[j], stories[i] == stories[j]
        same += one_event
        together += grouped
        both += one_event and grouped
    return (both / together if together else 1.0), (both / same if same else 1.0), pairs, same


def grouping_quality(backend, orders: int) -> dict:
    """Precision and recall of `backend` on the labelled set, over `orders` shuffled arrival orders."""
    from editorial.wire import stories

    items = labelled_items()
    results = []
    for seed in range(orders):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        fingerprints = [backend.fingerprint(item["title"], item["lead"]) for _, item in shuffled]
        results.append(precision_recall([event for event, _ in shuffled], stories.group(fingerprints, backend)))
    precisions, recalls = [r[0] for r in results], [r[1] for r in results]
    return {"precision": sum(precisions) / orders, "precision_min": min(precisions),
            "recall": sum(recalls) / orders, "recall_min": min(recalls), "pairs": results[0][2],
            "positive": results[0][3], "items": len(items)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.orders, args.items = 2, 30

    django_on_scratch_database("tarjama_bench_wire")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from editorial import roles, services
    from editorial.wire import similarity, stories, triage

    print(f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{connection.vendor}")
    print("\n| back-end | threshold | items | pairs (one event) | precision (mean, worst) | recall (mean, worst) | "
          "time per order |")
    print("|---|---|---|---|---|---|---|")
    for name in settings.WIRE_SIMILARITY_BACKENDS:
        backend = similarity.backend(name)
        started = time.perf_counter()
        q = grouping_quality(backend, args.orders)
        spent = (time.perf_counter() - started) / args.orders
        print(f"| {name} | {backend.threshold} | {q['items']} | {q['pairs']} ({q['positive']}) | "
              f"{q['precision']:.3f}, {q['precision_min']:.3f} | {q['recall']:.3f}, {q['recall_min']:.3f} | "
              f"{spent:.2f} s |")

    editor = get_user_model().objects.create_user("bench-editor")
    roles.set_role(editor, roles.EDITOR)
    items = labelled_items()
    for n in range(args.items):
        _, item = items[n % len(items)]
        services.create_article(user=editor, title=f"{item['title']} ({n})", body=f"{item['lead']}\n\n{item['second']}",
                                language="ar", outlet=f"Outlet {n % 20}")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        enrolled = stories.enroll()
        enrolling = time.perf_counter() - started
    enroll_queries = len(queries)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        rows = triage.incoming_rows()
        listing = time.perf_counter() - started
    print("\n| sources | enroll: time | enroll: queries | stories with 2+ outlets | incoming list: time | "
          "incoming list: queries |")
    print("|---|---|---|---|---|---|")
    grouped = sum(1 for row in rows if len(row.outlets) > 1)
    print(f"| {enrolled} | {enrolling:.2f} s | {enroll_queries} | {grouped} | {listing * 1000:.0f} ms | "
          f"{len(queries)} |")


if __name__ == "__main__":
    main()
