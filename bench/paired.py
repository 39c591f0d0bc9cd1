"""One module's code against its version at a git revision, request by request on the seeded archive.

The machine's speed drifts by a third within an hour, so two runs of bench/archive.py compare badly. This asks
the same kind of page alternately with the old module (compiled from `git show REV:path`) and the current one,
in one process, and reports each one's p50 and p95: the drift falls on both alike.
Usage (after `bench/archive.py` has seeded the archive; REV may also be a file holding the module's other version):
`.venv/bin/python bench/paired.py REV editorial.search common,rarer,two,api [--requests 60]`
Pages: list, common, rarer, two, api (as bench/archive.py names them). `--quick` asks two of each on the small
archive `bench/archive.py --quick` leaves (tests/test_benchmarks.py: proves the script runs).
"""

import argparse
import importlib
import random
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.archive import DATABASE, on_the_archive  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rev", help="a git revision, or a file holding the module's other version")
    parser.add_argument("module", help="dotted, e.g. editorial.search")
    parser.add_argument("pages", help="comma-separated: list, common, rarer, two, api")
    parser.add_argument("--requests", type=int, default=60, help="for each version")
    parser.add_argument("--quick", action="store_true", help="two requests each, on the quick run's archive")
    args = parser.parse_args()
    if args.quick:
        args.requests = 2
    on_the_archive(f"{DATABASE}_quick" if args.quick else DATABASE)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from editorial.management.commands.seed_archive import ARABIC, ENGLISH
    from newsroom import heap
    from translations.models import Document
    from translations.normalize import normalize

    new = importlib.import_module(args.module)
    package, name = args.module.rsplit(".", 1)
    if Path(args.rev).is_file():
        source = Path(args.rev).read_text()
    else:
        source = subprocess.check_output(["git", "-C", str(ROOT), "show",
                                          f"{args.rev}:{args.module.replace('.', '/')}.py"], text=True)
    old = types.ModuleType(f"{args.module}_at_{args.rev}")
    old.__package__ = package
    exec(compile(source, f"{args.rev}:{args.module}", "exec"), old.__dict__)  # noqa: S102 - the project's own code
    # Every module of the project that holds the module by name asks the version in use.
    holders = [m for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith(
        ("editorial", "translations", "newsroom")) and getattr(m, name, None) is new]

    client = Client()
    client.force_login(get_user_model().objects.get(username="archive-editor"))
    rng = random.Random(11)
    sample = " ".join(Document.objects.order_by("?").values_list("search_text", flat=True)[:200]).split()
    rare = [word for word in sample if word not in {normalize(w) for w in ARABIC}] or ["nothing"]
    pages = {
        "list": lambda: f"/desk/articles/?page={rng.randint(1, 40)}",
        "common": lambda: f"/desk/articles/?q={rng.choice(ARABIC)}",
        "rarer": lambda: f"/desk/articles/?q={rng.choice(rare)}",
        "two": lambda: f"/desk/articles/?q={rng.choice(ARABIC)}+{rng.choice(rare)}",
        "api": lambda: f"/api/v1/articles/?q={rng.choice(ENGLISH)}",
    }
    heap.settle()
    print("| page | version | p50 | p95 |\n|---|---|---|---|")
    for page in args.pages.split(","):
        times = {args.rev: [], "now": []}
        for n in range(2 * args.requests + 4):  # the first four warm both up
            version = args.rev if n % 2 == 0 else "now"
            for holder in holders:
                setattr(holder, name, old if version == args.rev else new)
            path = pages[page]()
            started = time.perf_counter()
            response = client.get(path)
            spent = time.perf_counter() - started
            assert response.status_code == 200, (path, response.status_code)
            if n >= 4:
                times[version].append(spent)
        for version, spent in times.items():
            spent.sort()
            print(f"| {page} | {version} | {statistics.median(spent) * 1000:.1f} ms | "
                  f"{spent[int(len(spent) * 0.95)] * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
