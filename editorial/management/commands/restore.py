from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from editorial import backups


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`, then empty the cache."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--yes", action="store_true", help="Confirm that the whole database is replaced.")

    def handle(self, path, yes=False, **options):
        if not yes:
            raise CommandError(
                "Restoring replaces the whole database with the backup: everything written since it was made is "
                "lost. Run again with --yes to go ahead."
            )
        database = connection.settings_dict
        try:
            backups.restore(path, database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Could not read the backup {path}: {exc.strerror}.") from None
        self.stdout.write(f"Restored the database from {path} and emptied the cache.")
