"""Index articles for search now: those stale (after an upgrade the sweeper would take 200 every 30 s), or all."""

from django.core.management.base import BaseCommand

from editorial import search
from editorial.models import Article, SearchEntry


class Command(BaseCommand):
    help = "Make the search entries that are stale now (--all: every article's)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every article, stale or not")

    def handle(self, *args, all=False, **options):
        ids = (Article.objects.values_list("pk", flat=True) if all
               else SearchEntry.objects.filter(stale=True).values_list("pk", flat=True))
        done = search.index(list(ids))
        self.stdout.write(f"Indexed {done:,} article{'s' if done != 1 else ''} for search.")
