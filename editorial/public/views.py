"""The public site: only what is live (published, with its stored disclaimer and credit), cached."""

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from editorial.models import Keyword, Publication, PublishedVersion

from .cache import CANONICAL_PAGE, cached_page
from .paging import Page

PAGE_SIZE = 20
RELATED = 5


def live_versions():
    """What the public may see: the live version of each published article, newest first."""
    return PublishedVersion.objects.filter(live_article__isnull=False).order_by("-published_at", "-id")


def _context(request, **extra):
    return {"publication": Publication.current(), "site_url": settings.SITE_URL.rstrip("/"), **extra}


def _page(request, items):
    """The page `?page=` asks for, at its one canonical address: page 1 has no `?page=`, a number written
    another way ("01") is redirected to its plain form, and a page that does not exist is not found."""
    asked = request.GET.get("page")
    if asked is None:
        return Page(items, 1, PAGE_SIZE), None
    if CANONICAL_PAGE.fullmatch(asked) is None:
        number = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 12 else 0
        if number != 1 and not CANONICAL_PAGE.fullmatch(str(number)):
            raise Http404
        target = request.path if number == 1 else f"{request.path}?page={number}"
        return None, HttpResponsePermanentRedirect(target)
    page = Page(items, int(asked), PAGE_SIZE)
    if not page.object_list:  # past the oldest page (page 1, never asked by number, may be empty)
        raise Http404
    return page, None


@require_GET
@cached_page
def index(request):
    page, redirect = _page(request, live_versions())
    if redirect:
        return redirect
    return render(request, "public/index.html", _context(
        request, page_obj=page, canonical=f"{settings.SITE_URL.rstrip('/')}/"))


@require_GET
@cached_page
def keyword(request, name):
    found = Keyword.objects.filter(name__iexact=name).first()
    if found is None:
        raise Http404
    if name != found.name:  # "daraa" for "Daraa": one address per keyword
        page = request.GET.get("page")
        query = f"?page={page}" if page is not None and CANONICAL_PAGE.fullmatch(page) else ""
        return HttpResponsePermanentRedirect(reverse("public-keyword", args=[found.name]) + query)
    versions = live_versions().filter(keywords=found)
    page, redirect = _page(request, versions)
    if redirect:
        return redirect
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
    version = live_versions().select_related("snapshot").filter(slug=slug).first()
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
