from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from editorial import backups


class Command(BaseCommand):
    help = "Back up the whole database: a pg_dump custom-format file on PostgreSQL, a copy of the file on SQLite."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path,
                            help="Where to write it (default: var/backups/tarjama-<UTC timestamp>.<dump|sqlite3>).")

    def handle(self, path=None, **options):
        database = connection.settings_dict
        try:
            path = path or backups.default_path(database)
            size = backups.backup(path, database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Could not write the backup to {path}: {exc.strerror}.") from None
        self.stdout.write(f"Backed up the database to {path} ({size:,} bytes).")
