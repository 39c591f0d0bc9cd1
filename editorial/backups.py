"""Backups of the whole database: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API on SQLite.

A backup is written under a temporary name and renamed when complete, so a file with the final name is
always a whole backup. A restore replaces the whole database and empties the cache, so no page rendered
from the replaced data is served.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
SUFFIXES = {"postgresql": "dump", "sqlite": "sqlite3"}
HEADERS = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead, told in a sentence for the operator."""


def vendor_of(database: dict) -> str:
    """'postgresql' or 'sqlite' for a DATABASES entry; other engines have no backup."""
    try:
        return ENGINES[database["ENGINE"]]
    except KeyError:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {database['ENGINE']}.") from None


def default_path(database: dict) -> Path:
    """var/backups/tarjama-<UTC timestamp>.<dump|sqlite3>."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"tarjama-{stamp}.{SUFFIXES[vendor_of(database)]}"


def kind_of(path: Path) -> str | None:
    """Which database wrote the file, from its first bytes: 'postgresql', 'sqlite' or None."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    return next((vendor for vendor, header in HEADERS.items() if head.startswith(header)), None)


def backup(path: Path, database: dict) -> int:
    """Write a backup of the database to `path` and return its size in bytes."""
    vendor = vendor_of(database)
    if path.exists():
        raise BackupError(f"{path} already exists: choose another name or move that file away.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "postgresql":
            dump_postgresql(database, partial)
        else:
            backup_sqlite(Path(database["NAME"]), partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def restore(path: Path, database: dict) -> None:
    """Replace the whole database with the backup at `path`, then empty the cache."""
    vendor = vendor_of(database)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    kind = kind_of(path)
    if kind is None:
        raise BackupError(
            f"{path} is not a backup: it is neither a PostgreSQL custom-format dump nor an SQLite database."
        )
    if kind != vendor:
        raise BackupError(
            f"{path} is a {NAMES[kind]} backup, but this installation's database is {NAMES[vendor]}: "
            f"restore it on a {NAMES[kind]} installation."
        )
    if vendor == "postgresql":
        restore_postgresql(database, path)
    else:
        restore_sqlite(path, Path(database["NAME"]))
    try:
        cache.clear()  # the cache's own Redis database: queued jobs live in the broker's
    except Exception as exc:  # noqa: BLE001 - restored all the same; pages expire within PUBLIC_CACHE_SECONDS
        raise BackupError(f"The database was restored, but the cache could not be emptied ({exc}): public pages "
                          "rendered before may be served until they expire (PUBLIC_CACHE_SECONDS).") from None


def pg_binary(name: str) -> str:
    """The path of pg_dump or pg_restore: in PG_BIN_DIR when set, else on PATH."""
    bin_dir = os.environ.get("PG_BIN_DIR")
    found = shutil.which(name, path=bin_dir) if bin_dir else shutil.which(name)
    if found is None:
        where = f"PG_BIN_DIR ({bin_dir})" if bin_dir else "the PATH"
        raise BackupError(f"{name} was not found in {where}: install the PostgreSQL client or set PG_BIN_DIR.")
    return found


def _run_pg(name: str, arguments: list[str], database: dict) -> None:
    """Run a PostgreSQL client against the database; the password goes in the environment, never the arguments."""
    options = [f"--{option}={database[key]}" for option, key in
                  (("host", "HOST"), ("port", "PORT"), ("username", "USER"), ("dbname", "NAME")) if database.get(key)]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    # TLS options of the connection (DATABASE_URL's ?sslmode=...), as libpq reads them from the environment.
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                             ("sslkey", "PGSSLKEY")):
        if database.get("OPTIONS", {}).get(option):
            env[variable] = str(database["OPTIONS"][option])
    # --no-password: without a usable password the client fails at once instead of waiting for a prompt.
    result = subprocess.run([pg_binary(name), "--no-password", *options, *arguments],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        message = f"{name} failed (exit status {result.returncode}):\n{result.stderr.strip()}"
        if "version mismatch" in result.stderr:
            message += f"\nUse a {name} at least as new as the server: install it, or point PG_BIN_DIR at it."
        raise BackupError(message)


def dump_postgresql(database: dict, target: Path) -> None:
    """pg_dump the database in the custom format (what pg_restore reads) to `target`."""
    _run_pg("pg_dump", ["--format=custom", f"--file={target}"], database)


def restore_postgresql(database: dict, source: Path) -> None:
    """pg_restore a custom-format dump over the database, all or nothing."""
    _run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                           str(source)], database)


def _open_sqlite(path: Path, mode: str) -> sqlite3.Connection:
    """A connection to an SQLite file: "ro" or "rw" an existing one, "rwc" creates it if missing."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)


def _is_whole(database: sqlite3.Connection) -> bool:
    """Whether SQLite's quick check finds the file's structure intact (a damaged page may also raise)."""
    try:
        return database.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False


def backup_sqlite(live: Path, target: Path) -> None:
    """Copy the live database to `target` with the online backup API, consistent while the app writes."""
    try:
        with closing(_open_sqlite(live, "rw")) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            # The copy inherits WAL mode from its header; a backup is one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"Could not back up the SQLite database {live} into {target}: {exc}.") from None


def restore_sqlite(source: Path, live: Path) -> None:
    """Copy a backup into the live database with the backup API, so open connections see one whole database."""
    try:
        with closing(_open_sqlite(source, "ro")) as backup_file:
            if not _is_whole(backup_file):
                raise BackupError(f"{source} is a damaged SQLite database: it was not restored.")
            if not backup_file.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'").fetchone():
                raise BackupError(f"{source} is an SQLite database but not a backup of this app: "
                                  "it has no django_migrations table.")
            with closing(_open_sqlite(live, "rwc")) as database:  # a new installation has no file yet
                backup_file.backup(database)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not restore {source} into the SQLite database {live}: {exc}.") from None
