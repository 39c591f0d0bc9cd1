"""Source feeds: poll an outlet's RSS or Atom feed and import each new entry, once, as a source article.

Polling is idempotent: an entry's URL is stored in a unique `FeedItem` in the
same transaction as its article, so two polls (or two feeds carrying the same
story) never import it twice. Every problem is recorded on the feed, in words
an admin understands, and one bad entry does not stop the others.
"""

import calendar
import io
import ipaddress
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin
from xml.sax import SAXParseException

import feedparser
import lxml.html
import requests
import requests.adapters
import trafilatura
import urllib3
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from translations.segmentation import plain_text

from . import dispatch, services, workflow
from .errors import Refused
from .models import Article, FeedItem, SourceFeed

log = logging.getLogger(__name__)

USER_AGENT = "Tarjama/1.0 (newsroom translation desk; source feed reader)"
# An entry carrying less text than this has only a summary: the article is read from its page.
FULL_CONTENT_CHARS = 400
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
MAX_URL_CHARS = 1000
MAX_REDIRECTS = 5

_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


@dataclass
class PollResult:
    created: list[int] = field(default_factory=list)  # ids of the articles imported
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Download:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


class FetchFailed(Exception):
    """A feed or page could not be fetched; the message says why in an admin's words."""


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "no secure (HTTPS) connection could be made"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "it redirects too many times"
    match = _ERRNO_RE.search(str(exc))
    return match.group(1).strip().lower() if match else type(exc).__name__


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _inner_ipv4(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), or the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped or address.sixtofour:
            return address.ipv4_mapped or address.sixtofour
        if address.teredo:
            return address.teredo[1]
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _public_address(url: str, what: str, asked: str) -> tuple[str, str]:
    """The host of `url` as `requests` reads it, and the checked address to connect to; FetchFailed if private.

    Editors import pages by address, so without this anyone with an editor's account could make the server read
    internal services (the server's own, the cloud's metadata service, the office LAN). FETCH_PRIVATE_NETWORKS
    lists networks that may be read all the same (an outlet mirrored inside the newsroom). The connection is then
    made to the address checked here, not to a second lookup of the name (DNS rebinding), and each redirect is
    checked again.
    """
    try:
        parts = urllib3.util.parse_url(requests.Request("GET", url).prepare().url)
    except (requests.RequestException, urllib3.exceptions.LocationParseError, ValueError) as exc:
        raise FetchFailed(f"{what} at {asked} is not a web address we can read ({exc}).") from None
    if parts.scheme not in ("http", "https") or not parts.host:
        raise FetchFailed(f"{what} at {asked} is not an http or https address.")
    host = parts.host.strip("[]")
    try:
        found = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchFailed(f"{what} at {asked} could not be reached: the name {host} was not found.") from None
    allowed = [ipaddress.ip_network(network) for network in settings.FETCH_PRIVATE_NETWORKS]
    addresses = list(dict.fromkeys(info[4][0].split("%")[0] for info in found))
    for text in addresses:
        address = ipaddress.ip_address(text)
        inner = _inner_ipv4(address)
        private = any(not a.is_global or a.is_multicast for a in {address, inner})
        if private and not any(address in n or inner in n for n in allowed):
            where = f"{what} at {asked}" + (f" redirects to {url}, which" if url != asked else "")
            raise FetchFailed(
                f"{where} is on a private network ({address}): Tarjama only reads public sites. "
                "An administrator can allow a network with the FETCH_PRIVATE_NETWORKS setting."
            )
    addresses.sort(key=lambda text: ":" in text)  # IPv4 first: not every server has an IPv6 route
    return parts.host, addresses[0]


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to one checked address while speaking to the host by name (Host header, TLS name and certificate)."""

    def __init__(self, host: str, address: str):
        super().__init__(max_retries=0)
        self.host, self.address = host, address

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.host.strip("[]")
        return host_params, pool_kwargs

    def send(self, request, **kwargs):
        parts = urllib3.util.parse_url(request.url)
        request.headers["Host"] = parts.netloc
        pinned = f"[{self.address}]" if ":" in self.address else self.address
        request.url = parts._replace(host=pinned, auth=None).url
        return super().send(request, **kwargs)


def _cut_off(response) -> None:
    """Shut the connection under a read still going at the deadline: the read ends at once (the response is
    closed by its owner, never from this thread)."""
    sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    if sock is None:  # the server said it closes: the connection let go, the reader holds the socket
        stream = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(stream, "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def fetch(url: str, what: str, headers: dict | None = None, timeout: float | None = None) -> Download:
    """GET a feed or page as Tarjama, within MAX_DOWNLOAD_BYTES and a total deadline (`timeout`, by default
    FEED_TIMEOUT_SECONDS) for the whole fetch, redirects included (a server sending a byte now and then cannot
    hold it longer); raise FetchFailed."""
    timeout = timeout or settings.FEED_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    asked = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            host, address = _public_address(url, what, asked)
            left = deadline - time.monotonic()
            if left <= 0:
                raise requests.Timeout()
            with requests.Session() as session:
                session.mount("http://", _PinnedAdapter(host, address))
                session.mount("https://", _PinnedAdapter(host, address))
                with session.get(url, headers={"User-Agent": USER_AGENT, **(headers or {})}, timeout=left,
                                 stream=True, allow_redirects=False) as response:
                    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut_off, [response])
                    watchdog.daemon = True
                    watchdog.start()
                    try:
                        download = _read(response, what, asked)
                    finally:
                        watchdog.cancel()
                    if time.monotonic() >= deadline:
                        raise requests.Timeout()
                    if download is None:  # a redirect
                        url = urljoin(url, response.headers["location"])
                        continue
                    return download
        raise FetchFailed(f"{what} at {asked} could not be reached: it redirects too many times.")
    except requests.Timeout:
        raise FetchFailed(f"{what} at {asked} did not answer within {timeout:g} seconds.") from None
    except requests.RequestException as exc:
        # A read that times out halfway through the body surfaces as a ConnectionError; so does a cut-off one.
        if "timed out" in str(exc) or time.monotonic() >= deadline:
            raise FetchFailed(f"{what} at {asked} did not answer within {timeout:g} seconds.") from None
        raise FetchFailed(f"{what} at {asked} could not be reached: {_reason(exc)}.") from None


def _read(response, what: str, asked: str) -> Download | None:
    """The body of an answer, or None for a redirect."""
    if response.is_redirect:
        return None
    if response.status_code >= 400:
        raise FetchFailed(f"{what} at {asked} answered HTTP {response.status_code} {response.reason}.")
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > MAX_DOWNLOAD_BYTES:
            raise FetchFailed(f"{what} at {asked} is larger than {MAX_DOWNLOAD_BYTES // 2**20} MB.")
    return Download(response.status_code, {k.lower(): v for k, v in response.headers.items()}, bytes(body))


def _not_a_feed(parsed, download: Download) -> str:
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


def _page_html(download: Download) -> str | bytes:
    match = _CHARSET_RE.search(download.headers.get("content-type", ""))
    if match:
        try:
            return download.body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return download.body  # trafilatura finds the encoding in the page itself


def extract_article(download: Download) -> str:
    """The article on a web page as simple HTML (paragraphs and sub-headings), without its headline; "" if none."""
    extracted = trafilatura.extract(
        _page_html(download), output_format="html", include_comments=False, include_images=False
    )
    if not extracted:
        return ""
    tree = lxml.html.fromstring(extracted)
    # The headline is the title segment already.
    for headline in tree.iter("h1"):
        headline.drop_tree()
    return lxml.html.tostring(tree, encoding="unicode")


@dataclass(frozen=True)
class Page:
    title: str
    body: str


def fetch_page(url: str) -> Page:
    """The headline and article text of a web page, for importing by address; Refused (400) if none.
    Runs inside a web request, so within PAGE_IMPORT_TIMEOUT_SECONDS, well under the web timeout."""
    try:
        download = fetch(url, "The page", timeout=settings.PAGE_IMPORT_TIMEOUT_SECONDS)
    except FetchFailed as exc:
        raise Refused(400, "fetch_failed", str(exc), {"url": [str(exc)]}) from None
    body = extract_article(download)
    metadata = trafilatura.extract_metadata(_page_html(download))
    title = (metadata.title if metadata else "") or ""
    if not body or not title:
        message = f"No article could be found on the page at {url}: paste its title and text instead."
        raise Refused(400, "no_article", message, {"url": [message]})
    return Page(title, body)


def _entry_content(entry) -> str:
    """The longest full content the entry carries (RSS content:encoded, Atom content), or ""."""
    return max((c.get("value", "") for c in entry.get("content", [])), key=len, default="")


def _entry_author(entry) -> str:
    name = (entry.get("author_detail") or {}).get("name") or entry.get("author", "")
    return plain_text(name)[:200]


def _entry_published_at(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")  # struct_time in UTC
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC) if parsed else None


def _entry_body(entry, link: str) -> tuple[str, str]:
    """The article's text (full content, else the page's article, else the summary) and a note when it fell back."""
    content = _entry_content(entry)
    if len(plain_text(content)) > FULL_CONTENT_CHARS:
        return content, ""
    short = content if len(content) >= len(entry.get("summary", "")) else entry.get("summary", "")
    try:
        page = fetch(link, "The page")
    except FetchFailed as exc:
        return short, f"{exc} The feed's summary was imported instead."
    article = extract_article(page)
    if not plain_text(article):
        return short, f"No article text was found on the page at {link}. The feed's summary was imported instead."
    return article, ""


def _import_entry(feed: SourceFeed, entry, result: PollResult) -> bool:
    """Import one entry unless it is known already; False when it could not be imported (and why is noted)."""
    link = (entry.get("link") or "").strip()
    title = plain_text(entry.get("title", "")) or "(no title)"
    if not link.startswith(("http://", "https://")) or len(link) > MAX_URL_CHARS:
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

    body, note = _entry_body(entry, link)
    if note:
        result.errors.append(note)
    user = feed.created_by
    try:
        with transaction.atomic():
            article = services.create_article(
                user=user, title=entry.get("title", ""), body=body, language=feed.language, outlet=feed.name,
                author=_entry_author(entry), url=link, published_at=_entry_published_at(entry),
                keywords=feed.default_keywords,
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
            download = fetch(feed.url, "The feed", conditional)
        except FetchFailed as exc:
            result.errors.append(str(exc))
        else:
            if download.status != 304:
                complete = _import_feed(feed, download, result)
                # Keep the validators only when every entry is in: otherwise the next poll must fetch in full.
                etag = download.headers.get("etag", "")[:500] if complete else ""
                modified = download.headers.get("last-modified", "")[:100] if complete else ""
    SourceFeed.objects.filter(pk=feed.pk).update(
        last_polled_at=timezone.now(), last_error="\n".join(result.errors), etag=etag, modified=modified
    )
    return result


def _import_feed(feed: SourceFeed, download: Download, result: PollResult) -> bool:
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
        except SoftTimeLimitExceeded:  # the task's time is up: the rest is imported at the next poll
            raise
        except Exception:
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
        except SoftTimeLimitExceeded:  # the task's time is up: the feeds left are still due at the next run
            raise
        except Exception:
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
    active: bool = True,
) -> SourceFeed:
    """Register an outlet's feed; it is polled in `user`'s name."""
    keywords = services.clean_keywords(default_keywords)
    try:
        with transaction.atomic():
            return SourceFeed.objects.create(
                name=name.strip(), url=url, language=language, default_keywords=keywords, auto_draft=auto_draft,
                active=active, created_by=user,
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
