"""Source feeds: poll an outlet's RSS or Atom feed and import each new entry, once, as a source article.

Polling is idempotent: an entry's URL is stored in a unique `FeedItem` in the
same transaction as its article, so two polls (or two feeds carrying the same
story) never import it twice. Every problem is recorded on the feed, in words
an admin understands, and one bad entry does not stop the others.
"""

import calendar
import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax import SAXParseException

import feedparser
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from translations.segmentation import plain_text

from . import dispatch, fetching, jobs, services, snapshots, workflow
from .errors import Refused
from .models import Article, FeedItem, SourceFeed
from .wire import triage

log = logging.getLogger(__name__)

# An entry carrying less text than this has only a summary: the article is read from its page.
FULL_CONTENT_CHARS = 400



@dataclass
class PollResult:
    created: list[int] = field(default_factory=list)  # ids of the articles imported
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _not_a_feed(parsed, download: fetching.Download) -> str:
    """Why a document with no entries is not a feed, or "" when it is simply an empty feed."""
    if not parsed.version:
        if "html" in download.headers.get("content-type", ""):
            return "the address serves a web page, not a feed"
        return "there is no <rss> or <feed> document at this address"
    problem = parsed.get("bozo_exception") if parsed.bozo else None
    if isinstance(problem, SAXParseException):
        return f"{problem.getMessage()} (line {problem.getLineNumber()}, column {problem.getColumnNumber()})"
    if problem is not None:
        return str(problem)
    return ""


def _entry_content(entry) -> str:
    """The longest full content the entry carries (RSS content:encoded, Atom content), or ""."""
    return max((c.get("value", "") for c in entry.get("content", [])), key=len, default="")


def _entry_author(entry) -> str:
    name = (entry.get("author_detail") or {}).get("name") or entry.get("author", "")
    return plain_text(name)[:200]


def _entry_published_at(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")  # struct_time in UTC
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC) if parsed else None


def _entry_body(entry, link: str) -> tuple[str, str, snapshots.Received]:
    """The article's text (full content, else the page's article, else the summary), a note when it fell back,
    and what arrived (the feed's own text, or the page as fetched) to keep as its snapshot."""
    content = _entry_content(entry)
    if len(plain_text(content)) > FULL_CONTENT_CHARS:
        return content, "", _from_feed(content, link)
    short = content if len(content) >= len(entry.get("summary", "")) else entry.get("summary", "")
    try:
        page = fetching.fetch(link, "The page")
    except fetching.FetchFailed as exc:
        return short, f"{exc} The feed's summary was imported instead.", _from_feed(short, link)
    article = fetching.extract_article(page)
    if not plain_text(article):
        return (short, f"No article text was found on the page at {link}. The feed's summary was imported instead.",
                _from_feed(short, link))
    return article, "", snapshots.downloaded(page, snapshots.SourceSnapshot.Kind.FEED)


def _from_feed(text: str, link: str) -> snapshots.Received:
    return snapshots.Received(text.encode(), snapshots.SourceSnapshot.Kind.FEED, "text/html; charset=utf-8", "utf-8",
                              link[:1000])


def _import_entry(feed: SourceFeed, entry, result: PollResult) -> bool:
    """Import one entry unless it is known already; False when it could not be imported (and why is noted)."""
    link = (entry.get("link") or "").strip()
    title = plain_text(entry.get("title", "")) or "(no title)"
    if not link.startswith(("http://", "https://")) or len(link) > fetching.MAX_URL_CHARS:
        result.errors.append(f"The entry “{title}” has no usable link, so it was not imported.")
        return False
    if FeedItem.objects.filter(url=link).exists():
        result.duplicates += 1
        return True
    imported = Article.objects.filter(source_url=link).order_by("pk").first()
    if imported is not None:
        # Imported by hand: remember it so the next poll does not look again.
        FeedItem.objects.get_or_create(url=link, defaults={"feed": feed, "article": imported})
        result.duplicates += 1
        return True

    body, note, received = _entry_body(entry, link)
    if note:
        result.errors.append(note)
    user = feed.created_by
    try:
        with transaction.atomic():
            article = services.create_article(
                user=user, title=entry.get("title", ""), body=body, language=feed.language, outlet=feed.name,
                author=_entry_author(entry), url=link, published_at=_entry_published_at(entry),
                keywords=feed.default_keywords, received=received,
            )
            FeedItem.objects.create(feed=feed, url=link, article=article)
            if feed.auto_draft:
                try:
                    workflow.apply(article.pk, user, "draft")
                except Refused as exc:
                    result.errors.append(f"“{title}” was imported but not drafted: {exc.message}")
    except IntegrityError:
        if not FeedItem.objects.filter(url=link).exists():
            raise
        # Another poll (or another feed with the same story) imported it first.
        result.duplicates += 1
        return True
    except Refused as exc:
        result.errors.append(f"“{title}” ({link}) could not be imported: {exc.message}")
        return False
    result.created.append(article.pk)
    return True


def poll(feed_id: int) -> PollResult:
    """Fetch the feed and import every entry not seen before; record the time and any problem on the feed."""
    result = PollResult()
    feed = SourceFeed.objects.select_related("created_by").filter(pk=feed_id).first()
    if feed is None:
        return result
    etag, modified = feed.etag, feed.modified
    fetch_failed = False
    if not feed.created_by.has_perm("editorial.import_article"):
        result.errors.append(
            f"{feed.created_by.username}, who registered this feed, may no longer import articles, so nothing "
            "was imported. An admin needs to remove the feed and register it again."
        )
    else:
        conditional = {"If-None-Match": feed.etag} if feed.etag else {}
        if feed.modified:
            conditional["If-Modified-Since"] = feed.modified
        try:
            download = fetching.fetch(feed.url, "The feed", conditional)
        except fetching.FetchFailed as exc:
            result.errors.append(str(exc))
            fetch_failed = True
        else:
            if download.status != 304:
                complete = _import_feed(feed, download, result)
                fetch_failed = not complete and not result.created and not result.duplicates
                # Keep the validators only when every entry is in: otherwise the next poll must fetch in full.
                etag = download.headers.get("etag", "")[:500] if complete else ""
                modified = download.headers.get("last-modified", "")[:100] if complete else ""
    SourceFeed.objects.filter(pk=feed.pk).update(
        last_polled_at=timezone.now(), last_error="\n".join(result.errors), etag=etag, modified=modified
    )
    triage.count_poll(feed.pk, fetch_failed)
    if result.created:  # their gists and stories now, not at the wire desk's next round
        dispatch.send_on_commit(dispatch.WIRE, later="the wire desk's next round makes their gists.")
    return result


def _import_feed(feed: SourceFeed, download: fetching.Download, result: PollResult) -> bool:
    """Import the entries of a fetched feed; False if any could not be imported."""
    # A stream, never bytes: given bytes, feedparser may try to open them as a local file name.
    parsed = feedparser.parse(io.BytesIO(download.body), response_headers={**download.headers,
                                                                             "content-location": feed.url})
    if not parsed.entries:
        problem = _not_a_feed(parsed, download)
        if problem:
            result.errors.append(f"The feed at {feed.url} is not valid RSS or Atom: {problem}.")
            return False
        return True
    complete = True
    if isinstance(parsed.get("bozo_exception"), SAXParseException):
        result.errors.append(
            f"The feed at {feed.url} is not well-formed ({_not_a_feed(parsed, download)}); the entries that could "
            "be read were imported."
        )
        complete = False
    # Oldest first (feeds list the newest first), so the desk lists them in the outlet's order.
    for entry in reversed(parsed.entries):
        try:
            complete = _import_entry(feed, entry, result) and complete
        except Exception as exc:
            if jobs.out_of_time(exc):  # the task's time is up: the rest is imported at the next poll
                raise
            log.exception("Importing %s from feed %s failed", entry.get("link"), feed.pk)
            result.errors.append(f"{entry.get('link') or 'An entry'} could not be imported: an unexpected error, "
                                 "which has been logged.")
            complete = False
    return complete


def poll_due(now: datetime | None = None) -> dict[int, PollResult]:
    """Poll every active feed not polled for FEED_POLL_SECONDS (or never); one failing feed never stops the rest."""
    now = now or timezone.now()
    due = Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=now - timedelta(seconds=settings.FEED_POLL_SECONDS))
    results = {}
    for feed_id in SourceFeed.objects.filter(due, active=True).values_list("pk", flat=True):
        # Claim the feed first, so a second beat run overlapping this one skips it.
        if not SourceFeed.objects.filter(due, pk=feed_id).update(last_polled_at=now):
            continue
        try:
            results[feed_id] = poll(feed_id)
        except Exception as exc:
            if jobs.out_of_time(exc):  # the task's time is up: the feeds left are still due at the next run
                raise
            log.exception("Polling feed %s failed", feed_id)
            SourceFeed.objects.filter(pk=feed_id).update(
                last_error="Polling stopped on an unexpected error, which has been logged; it will be tried again."
            )
    return results


def queue_poll(feed_id: int) -> None:
    """Poll the feed in the background once the current transaction commits."""
    dispatch.send_on_commit(dispatch.POLL_FEED, feed_id, later="the feed is polled when next due.")




def _url_taken(url: str) -> Refused:
    message = f"A feed at {url} is registered already."
    return Refused(400, "invalid", message, {"url": [message]})


def register(
    *, user, name: str, url: str, language: str = "ar", default_keywords=(), auto_draft: bool = False,
    active: bool = True, watch: bool = True,
) -> SourceFeed:
    """Register an outlet's feed; it is polled in `user`'s name."""
    keywords = services.clean_keywords(default_keywords)
    try:
        with transaction.atomic():
            return SourceFeed.objects.create(
                name=name.strip(), url=url, language=language, default_keywords=keywords, auto_draft=auto_draft,
                active=active, watch=watch, created_by=user,
            )
    except IntegrityError:
        raise _url_taken(url) from None


def change(feed_id: int, **changes) -> SourceFeed:
    """Change a feed's name, address, language, keywords or switches."""
    try:
        with transaction.atomic():
            feed = SourceFeed.objects.select_for_update().filter(pk=feed_id).first()
            if feed is None:
                raise Refused(404, "not_found", f"There is no feed {feed_id}.")
            if "default_keywords" in changes:
                changes["default_keywords"] = services.clean_keywords(changes["default_keywords"])
            if "name" in changes:
                changes["name"] = changes["name"].strip()
            if changes.get("url", feed.url) != feed.url:
                # The cache validators belong to the old address.
                feed.etag = feed.modified = ""
            for name, value in changes.items():
                setattr(feed, name, value)
            feed.save()
    except IntegrityError:
        raise _url_taken(changes["url"]) from None
    return feed


def remove(feed_id: int) -> None:
    """Stop following a feed; the articles it brought in stay."""
    SourceFeed.objects.filter(pk=feed_id).delete()
