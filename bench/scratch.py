"""A scratch PostgreSQL database for one benchmark: dropped and created afresh, Django set up on it, migrated.

Each benchmark owns its database name and Redis database, so `make test` can run them all at once."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def django_on_scratch_database(name: str, *, cache_url: str = "", static: bool = False, **env: str) -> None:
    """Drop and create the database `name`, point Django at it (and at `cache_url`, if given), migrate; with
    `static`, collect the static files into a folder of the benchmark's own."""
    import psycopg

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # a run cut short may have left it open
        conn.execute(f"CREATE DATABASE {name}")
    if cache_url:
        import redis

        redis.Redis.from_url(cache_url).flushdb()
        env["CACHE_REDIS_URL"] = cache_url
    if static:
        env["STATIC_ROOT"] = tempfile.mkdtemp(prefix=f"{name}-static-")
    os.environ.update({
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}", "REDIS_URL": "",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings", "LOG_LEVEL": "WARNING",
        # The benchmarks' editors sign in with a password alone: a second factor is not what they measure.
        "REQUIRE_2FA_FOR": "", **env,
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if static:
        call_command("collectstatic", verbosity=0, interactive=False)
