"""Benchmark of the quality checks on a long article with a large glossary, through the API and the workspace.

A 2,000-segment article (every segment translated) against 10,000 glossary terms, on PostgreSQL with the Redis
cache, read by an editor through Django's test client (the whole middleware stack, no network):
- the first read after a glossary change (every segment's checks computed),
- later reads (the checks come from the cache),
- saving one segment (the save's answer carries that segment's issues),
- the workspace page, which also lists each segment's glossary terms.
Usage: `make bench-quality` or `.venv/bin/python bench/quality.py [--segments 2000 --terms 10000]`.
"""

import argparse
import functools
import os
import platform
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import django_on_scratch_database  # noqa: E402

WORDS = ("اتفاق", "مدينة", "مصدر", "محلي", "الطرق", "صباح", "وقف", "إطلاق", "النار", "معتقلين", "ساعة", "مجلس",
         "الحكومة", "الأهالي", "قوات", "المنطقة", "الشمال", "الجنوب", "وزارة", "المياه")
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--terms", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the benchmark runs (make test)")
    args = parser.parse_args()
    if args.quick:
        args.segments, args.terms, args.reads = 20, 50, 2

    django_on_scratch_database("tarjama_bench_quality", cache_url="redis://127.0.0.1:6379/12", static=True,
                               MAX_SEGMENTS=str(max(args.segments, 2000)), ALLOWED_HOSTS="testserver")
    from django.contrib.auth import get_user_model
    from django.test import Client

    from editorial import roles, services
    from editorial.models import Article, State
    from translations.models import GlossaryTerm, Segment
    from translations.normalize import normalize

    editor = get_user_model().objects.create_user("bench-editor", "editor@example.org", "x")
    roles.set_role(editor, roles.EDITOR)
    rng = random.Random(5)

    def term(i: int) -> str:
        return "".join(rng.choice(LETTERS) for _ in range(5)) + f" {WORDS[i % len(WORDS)]}"

    terms = {normalize(t): t for t in (term(i) for i in range(args.terms))}
    GlossaryTerm.objects.bulk_create(
        [GlossaryTerm(source_language="ar", target_language="en", source_term=t, normalized_term=key,
                      target_term=f"Term {i}") for i, (key, t) in enumerate(terms.items())], batch_size=1000)
    some_terms = list(terms.values())[:50]
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(12)) + f" {rng.choice(some_terms)} في {i % 28 + 1} أيار."
                  for i in range(args.segments - 1)]
    article = services.create_article(user=editor, title="عنوان المقال الطويل", body="\n\n".join(paragraphs),
                                      language="ar", outlet="Bench Outlet")
    segments = list(Segment.objects.filter(document_id=article.document_id).order_by("position"))
    for segment in segments:
        segment.text = f"English text of segment {segment.position}, on May {segment.position % 28 + 1}."
        segment.origin = Segment.Origin.HUMAN
    Segment.objects.bulk_update(segments, ["text", "origin"], batch_size=500)
    # Straight to editing (the workflow's steps are not what is measured), with the editor as assignee.
    Article.objects.filter(pk=article.pk).update(state=State.EDITING, assignee=editor)

    client = Client()
    client.force_login(editor)
    url = f"/api/v1/articles/{article.pk}/"

    def timed(call) -> float:
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    def glossary_changed(i: int):
        GlossaryTerm.objects.create(source_language="ar", target_language="en", source_term=f"مصطلح جديد {i}",
                                    target_term=f"New term {i}")

    rows = {"API read, first after a glossary change": [], "API read, again": [],
            "save one segment": [], "workspace page, first after a glossary change": [], "workspace page, again": []}
    for i in range(args.reads):
        glossary_changed(i)
        rows["API read, first after a glossary change"].append(timed(lambda: client.get(url)))
        rows["API read, again"].append(timed(lambda: client.get(url)))
        segment = segments[1 + i % (len(segments) - 1)]
        body = {"text": f"Saved {i} on May {segment.position % 28 + 1}.",
                "version": Segment.objects.get(pk=segment.pk).version}
        rows["save one segment"].append(timed(functools.partial(
            client.patch, f"{url}segments/{segment.pk}/", body, content_type="application/json")))
        glossary_changed(args.reads + i)
        rows["workspace page, first after a glossary change"].append(
            timed(lambda: client.get(f"/desk/articles/{article.pk}/")))
        rows["workspace page, again"].append(timed(lambda: client.get(f"/desk/articles/{article.pk}/")))
    assert len(client.get(url).json()["segments"]) == args.segments

    print(f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL, "
          "Redis cache")
    print(f"Command: .venv/bin/python bench/quality.py --segments {args.segments} --terms {args.terms} "
          f"--reads {args.reads}\n")
    print(f"| {args.segments:,} segments, {GlossaryTerm.objects.count():,} terms | p50 | max |")
    print("|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values):.0f} ms | {max(values):.0f} ms |")
    shutil.rmtree(os.environ["STATIC_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()
