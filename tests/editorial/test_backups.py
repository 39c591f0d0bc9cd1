"""Backups: `manage.py restore` of a `manage.py backup` brings the whole desk back exactly as it was (articles,
segments, history, published versions, memory), empties the cache, and refuses anything that is not a backup of
this installation's database."""

import re
import sqlite3
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from reversion.models import Revision, Version

from editorial import backups, history, services
from editorial.models import Article, ArticleRevision, Job, PublishedVersion, State, StateChange
from translations.models import Document, MemoryEntry, MemoryWord, Segment

BACKED_UP = [Article, Article.keywords.through, Document, Segment, StateChange, Revision, Version, ArticleRevision,
             PublishedVersion, Job, MemoryEntry, MemoryWord]


@pytest.fixture(autouse=True)
def _cache_of_this_test(settings):
    """A restore empties the whole cache: here a local one, not the Redis other test runs share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "backups"}}


def snapshot() -> dict[str, list[dict]]:
    """Every row a restore must bring back, by model."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in BACKED_UP}


def restore(path) -> str:
    """`manage.py restore PATH --yes`, as an operator runs it while this test's connection is open."""
    if connection.vendor == "postgresql":
        connection.close()  # so pg_restore, dropping every table, never waits on this session; Django reconnects
    out = StringIO()
    call_command("restore", str(path), "--yes", stdout=out)
    return out.getvalue()


def backup(path) -> str:
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_exactly_what_was_backed_up(make_article, editor, tmp_path):
    published = make_article(State.PUBLISHED)
    editing = make_article(State.EDITING)
    segment = editing.document.segments.get(position=1)
    services.save_segment(editing.pk, segment.pk, editor, text="Tightened by the desk", version=segment.version)
    assert published.live_version_id and MemoryEntry.objects.exists()
    revisions = sorted(r.revision_id for r in history.revisions(editing))
    assert len(revisions) > 3
    earlier, last = revisions[-2], revisions[-1]
    as_it_was, changes = history.article_at(editing, earlier), history.diff(editing, earlier, last)
    assert [row["to"] for row in changes["segments"] if row["changed"]] == ["Tightened by the desk"]
    before = snapshot()
    path = tmp_path / "before-the-mistakes.backup"
    backup(path)

    segment = editing.document.segments.get(position=1)
    services.save_segment(editing.pk, segment.pk, editor, text="Written after the backup", version=segment.version)
    MemoryEntry.objects.all().delete()
    Article.objects.filter(pk=published.pk).delete()
    assert snapshot() != before
    cache.set("public:page", "rendered before the restore")

    assert restore(path) == f"Restored the database from {path} and emptied the cache.\n"

    assert snapshot() == before
    assert cache.get("public:page") is None
    assert list(tmp_path.iterdir()) == [path]  # one self-contained file: reading it left no -wal or -shm beside it
    assert Article.objects.get(pk=published.pk).live_version.headline == published.live_version.headline
    # The history of the restored rows still works: the same article as it was, the same diff, and a revert.
    editing = Article.objects.get(pk=editing.pk)
    assert history.article_at(editing, earlier) == as_it_was
    assert history.diff(editing, earlier, last) == changes
    services.revert(editing.pk, earlier, editor)
    assert history.current(editing)["segments"] == as_it_was["segments"]
    assert ArticleRevision.objects.filter(article=editing).count() == len(revisions) + 1


@pytest.mark.django_db(transaction=True)
def test_backup_writes_a_timestamped_file_in_var_backups_by_default(settings, tmp_path, make_article):
    make_article(State.SOURCE)
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("backup", stdout=out)
    [path] = (tmp_path / "backups").iterdir()  # and no temporary file left beside it
    assert re.fullmatch(r"tarjama-\d{8}T\d{6}Z\.(dump|sqlite3)", path.name)
    assert backups.kind_of(path) == connection.vendor
    assert out.getvalue() == f"Backed up the database to {path} ({path.stat().st_size:,} bytes).\n"
    with pytest.raises(CommandError, match="already exists"):
        backup(path)


@pytest.mark.django_db(transaction=True)
def test_restore_without_yes_changes_nothing(make_article, tmp_path):
    article = make_article(State.SOURCE)
    path = tmp_path / "backup"
    backup(path)
    article.delete()
    with pytest.raises(CommandError, match="replaces the whole database"):
        call_command("restore", str(path))
    assert not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_of_the_other_kind_of_database(make_article, tmp_path):
    article = make_article(State.SOURCE)
    path = tmp_path / "other.backup"
    if connection.vendor == "postgresql":
        with sqlite3.connect(path) as other:
            other.execute("CREATE TABLE django_migrations (id integer)")
        expected = "is a SQLite backup, but this installation's database is PostgreSQL"
    else:
        path.write_bytes(b"PGDMP\x01\x0f\x00" + bytes(100))
        expected = "is a PostgreSQL backup, but this installation's database is SQLite"
    with pytest.raises(CommandError, match=expected):
        restore(path)
    assert Article.objects.get(pk=article.pk).document_id == article.document_id


@pytest.mark.parametrize(("content", "refusal"), [
    (None, "does not exist"),
    (b"", "neither a PostgreSQL custom-format dump nor an SQLite database"),
    (b"id,headline\n1,Ceasefire\n", "neither a PostgreSQL custom-format dump nor an SQLite database"),
])
def test_restore_refuses_what_is_not_a_backup(tmp_path, content, refusal):
    path = tmp_path / "tarjama.backup"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=refusal):
        call_command("restore", str(path), "--yes")


def _sqlite_file(path, *statements) -> None:
    with sqlite3.connect(path) as database:
        for statement in statements:
            database.execute(statement)
    database.close()


def _rows(path) -> list[tuple]:
    with sqlite3.connect(path) as database:
        rows = database.execute("SELECT * FROM django_migrations").fetchall()
    database.close()
    return rows


def test_an_sqlite_database_of_another_app_or_a_damaged_one_is_not_restored(tmp_path):
    live = tmp_path / "live.sqlite3"
    _sqlite_file(live, "PRAGMA journal_mode=WAL", "CREATE TABLE django_migrations (name text)",
                 "INSERT INTO django_migrations VALUES ('0001_initial')")
    notes = tmp_path / "notes.sqlite3"
    _sqlite_file(notes, "CREATE TABLE notes (text text)")
    with pytest.raises(backups.BackupError, match="not a backup of this app: it has no django_migrations table"):
        backups.restore_sqlite(notes, live)

    damaged = tmp_path / "damaged.sqlite3"
    _sqlite_file(damaged, "CREATE TABLE django_migrations (name text)",
                 *["INSERT INTO django_migrations VALUES (hex(zeroblob(400)))"] * 200)
    content = bytearray(damaged.read_bytes())
    cells = len(content) // 2 // 4096 * 4096 + 12  # cell pointers of a page in the middle: a copy would not notice
    content[cells:cells + 16] = b"\xff" * 16
    damaged.write_bytes(content)
    with pytest.raises(backups.BackupError, match="is a damaged SQLite database: it was not restored"):
        backups.restore_sqlite(damaged, live)
    assert _rows(live) == [("0001_initial",)]


def test_a_failed_pg_dump_is_reported_and_leaves_no_backup(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    # Like a pg_dump older than the server: it starts the file, then gives up.
    fake.write_text("""#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/arguments"
printf '%s' "$PGPASSWORD" > "$(dirname "$0")/password"
printf '%s %s' "$PGSSLMODE" "$PGSSLROOTCERT" > "$(dirname "$0")/tls"
for argument in "$@"; do case "$argument" in --file=*) echo PGDMP-half > "${argument#--file=}";; esac; done
echo "pg_dump: error: aborting because of server version mismatch" >&2
echo "pg_dump: detail: server version: 17.2; pg_dump version: 15.20" >&2
exit 1
""")
    fake.chmod(0o755)
    monkeypatch.setenv("PG_BIN_DIR", str(bin_dir))
    database = {"ENGINE": "django.db.backends.postgresql", "HOST": "db.example.org", "PORT": 5433,
                "USER": "tarjama", "NAME": "newsroom", "PASSWORD": "s3cret-pass",
                "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/db-ca.pem"}}
    path = tmp_path / "backups" / "tarjama.dump"

    with pytest.raises(backups.BackupError) as refused:
        backups.backup(path, database)

    assert "server version: 17.2; pg_dump version: 15.20" in str(refused.value)
    assert "at least as new as the server" in str(refused.value)
    assert list(path.parent.iterdir()) == []  # neither the backup nor its half-written temporary file
    arguments = (bin_dir / "arguments").read_text().splitlines()
    assert {"--format=custom", "--host=db.example.org", "--port=5433", "--username=tarjama",
            "--dbname=newsroom"} <= set(arguments)
    assert not any("s3cret-pass" in argument for argument in arguments)
    assert (bin_dir / "password").read_text() == "s3cret-pass"
    # DATABASE_URL's ?sslmode=... reaches the tool as libpq reads it: a managed server's TLS is kept.
    assert (bin_dir / "tls").read_text() == "verify-full /etc/ssl/db-ca.pem"


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database(make_article, tmp_path):
    """The restore drill: a new, empty database (a new installation) gets every row back."""
    import uuid

    make_article(State.PUBLISHED)
    make_article(State.EDITING)
    path = tmp_path / "nightly.backup"
    backup(path)
    fresh = dict(connection.settings_dict)
    postgres = connection.vendor == "postgresql"
    if postgres:
        import psycopg

        fresh["NAME"] = f"tarjama_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{fresh["NAME"]}"')
    else:
        fresh["NAME"] = str(tmp_path / "new-installation.sqlite3")
    tables = [model._meta.db_table for model in BACKED_UP]

    def rows(cursor) -> dict[str, list[tuple]]:
        result = {}
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            result[table] = [tuple(row) for row in cursor.fetchall()]
        return result

    def read(database: dict) -> dict[str, list[tuple]]:
        """Every row, read with the bare driver on both sides (Django's cursor decodes some types itself)."""
        if postgres:
            raw = psycopg.connect(host=database["HOST"] or "127.0.0.1", port=database["PORT"] or 5432,
                                  user=database["USER"], dbname=database["NAME"])
        else:
            raw = sqlite3.connect(database["NAME"])
        try:
            return rows(raw.cursor())
        finally:
            raw.close()

    try:
        backups.restore(path, fresh)
        before, after = read(connection.settings_dict), read(fresh)
        assert all(before[table] for table in tables)  # something of each kind was there to lose
        assert after == before
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')
