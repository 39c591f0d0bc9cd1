"""The public site: only what is live (published, with its stored disclaimer and credit), cached."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from editorial.models import Keyword, Publication, PublishedVersion

from .cache import cached_page

PAGE_SIZE = 20
RELATED = 5


def live_versions():
    """What the public may see: the live version of each published article, newest first."""
    return PublishedVersion.objects.filter(live_article__isnull=False).order_by("-published_at", "-id")


def _context(request, **extra):
    return {"publication": Publication.current(), "site_url": settings.SITE_URL.rstrip("/"), **extra}


@require_GET
@cached_page
def index(request):
    page = Paginator(live_versions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/index.html", _context(
        request, page_obj=page, canonical=f"{settings.SITE_URL.rstrip('/')}/"))


@require_GET
@cached_page
def keyword(request, name):
    found = Keyword.objects.filter(name__iexact=name).first()
    if found is None:
        raise Http404
    versions = live_versions().filter(keywords=found)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404
    return render(request, "public/index.html", _context(
        request, page_obj=page, keyword=found.name,
        canonical=f"{settings.SITE_URL.rstrip('/')}/keywords/{found.name}/"))


def related_to(version: PublishedVersion) -> list[PublishedVersion]:
    """Other live articles sharing a keyword with this one, newest first."""
    keyword_ids = list(version.keywords.values_list("pk", flat=True))
    if not keyword_ids:
        return []
    return list(
        live_versions().filter(keywords__in=keyword_ids).exclude(article_id=version.article_id)
        .annotate(shared=Count("keywords")).order_by("-published_at", "-id")[:RELATED]
    )


@require_GET
@cached_page
def article(request, slug):
    version = live_versions().filter(slug=slug).first()
    if version is None:
        raise Http404
    return render(request, "public/article.html", _context(
        request, item=version, related=related_to(version),
        canonical=f"{settings.SITE_URL.rstrip('/')}{version.get_absolute_url()}"))


@require_GET
def robots(request):
    lines = ["User-agent: *", "Disallow: /desk/", "Disallow: /admin/", "Disallow: /api/", "Disallow: /login/",
             f"Sitemap: {settings.SITE_URL.rstrip('/')}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
