"""RSS 2.0 and Atom feeds and the sitemap: every item ends with the source credit and the disclaimer."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from editorial.models import Publication
from translations import characters

from .cache import cached_page
from .views import live_versions

FEED_SIZE = 30


def _clean(value):
    if isinstance(value, str):
        return characters.strip_forbidden(value)[0]
    if isinstance(value, list | tuple):
        return type(value)(_clean(v) for v in value)
    return value


class LatestTranslations(Feed):
    def __call__(self, request, *args, **kwargs):
        self.publication = Publication.current()
        return super().__call__(request, *args, **kwargs)

    def get_feed(self, obj, request):
        """Every door keeps out what XML 1.0 cannot carry; this is the last line, so that text stored before
        that rule (or by a door missed) costs a character, never the whole feed."""
        feed = super().get_feed(obj, request)
        feed.feed = {name: _clean(value) for name, value in feed.feed.items()}
        feed.items = [{name: _clean(value) for name, value in item.items()} for item in feed.items]
        return feed

    def title(self):
        return self.publication.name

    def link(self):
        return "/"

    def description(self):
        return f"English translations from the Syrian and regional press, by {self.publication.name}."

    def items(self):
        return list(live_versions()[:FEED_SIZE])

    def item_title(self, item):
        return item.headline

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.source_author or item.source_outlet

    def item_categories(self, item):
        return item.keyword_names

    def item_description(self, item):
        parts = [f"<p><strong>{escape(item.standfirst)}</strong></p>"] if item.standfirst else []
        for block in item.body:
            tag = "h2" if block["kind"] == "heading" else "p"
            parts.append(f"<{tag}>{escape(block['text'])}</{tag}>")
        parts.extend(f"<p><em>Updated {c['at'][:10]}: {escape(c['note'])}</em></p>" for c in item.corrections)
        parts.append(f"<p>{escape(item.credit())}</p>")
        parts.append(f"<p>{escape(item.disclaimer)}</p>")
        return "\n".join(parts)


class LatestTranslationsAtom(LatestTranslations):
    feed_type = Atom1Feed
    subtitle = LatestTranslations.description


rss = cached_page(LatestTranslations())
atom = cached_page(LatestTranslationsAtom())


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return live_versions().only("slug", "created_at")

    def lastmod(self, item):
        return item.created_at

    def get_domain(self, site=None):
        return settings.SITE_URL.split("://", 1)[-1].rstrip("/")

    def get_protocol(self, protocol=None):
        return settings.SITE_URL.split("://", 1)[0] if "://" in settings.SITE_URL else "https"
