from django.core.management.base import BaseCommand, CommandError

from translations.machinery.base import engine_names
from translations.machinery.check import SAMPLE, check_engine


class Command(BaseCommand):
    help = "Show the configured machine-translation engine and translate a sample sentence with it."

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=engine_names(), help="Another engine than MT_ENGINE.")
        parser.add_argument("--text", default=SAMPLE, help="The Arabic text to translate.")

    def handle(self, engine=None, text=SAMPLE, **options):
        result = check_engine(engine, text)
        for key, value in (result.get("configuration") or {}).items():
            self.stdout.write(f"{key:>12}: {value}")
        self.stdout.write(f"{'source':>12}: {result['source']}")
        if not result["ok"]:
            raise CommandError(result["error"])
        if result.get("note"):
            self.stdout.write(result["note"])
        else:
            self.stdout.write(f"{'translation':>12}: {result['translation']}  ({result['seconds']} s)")
        self.stdout.write(self.style.SUCCESS("The engine works."))
