"""Reading from the web: every outbound fetch (feeds, feed items, import by address, the source watch).

Only public addresses are read (plus FETCH_PRIVATE_NETWORKS), checked for the first request and each redirect;
the connection goes to the address checked, not to a second lookup of the name. A fetch has a size limit and a
total deadline, redirects included, so a server sending a byte now and then cannot hold it.
"""

import ipaddress
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
import requests
import requests.adapters
import trafilatura
import urllib3
from django.conf import settings

from .errors import Refused

log = logging.getLogger(__name__)

USER_AGENT = "Tarjama/1.0 (newsroom translation desk; source feed reader)"
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
MAX_URL_CHARS = 1000
MAX_REDIRECTS = 5

_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


@dataclass(frozen=True)
class Download:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    url: str = ""  # the final address, after redirects


class FetchFailed(Exception):
    """A feed or page could not be fetched; the message says why in an admin's words (`status`: the HTTP status
    of a refusal, when the server answered one)."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status = status
        self.body = body  # the start of a refusal's body (a CMS says there why it refused)


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
    if settings.FETCH_ONLY_HOSTS and host.lower().rstrip(".") not in settings.FETCH_ONLY_HOSTS:
        raise FetchFailed(f"{what} at {asked} is not on one of the sites this newsroom reads from "
                          "(the FETCH_ONLY_HOSTS setting).")
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


def fetch(url: str, what: str, headers: dict | None = None, timeout: float | None = None, *, method: str = "GET",
          data: bytes | None = None) -> Download:
    """GET a feed or page as Tarjama, within MAX_DOWNLOAD_BYTES and a total deadline (`timeout`, by default
    FEED_TIMEOUT_SECONDS) for the whole fetch, redirects included (a server sending a byte now and then cannot
    hold it longer); raise FetchFailed. Another `method` (a POST to a CMS or a webhook, with `data`) follows no
    redirect: it is refused, since the body would not go with it."""
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
                with session.request(method, url, headers={"User-Agent": USER_AGENT, **(headers or {})},
                                     data=data, timeout=left, stream=True, allow_redirects=False) as response:
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
                        if method != "GET":
                            raise FetchFailed(f"{what} at {asked} redirects to {url}: give that address instead.",
                                              response.status_code)
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
        raise FetchFailed(f"{what} at {asked} answered HTTP {response.status_code} {response.reason}.",
                          response.status_code, next(response.iter_content(64 * 1024), b""))
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > MAX_DOWNLOAD_BYTES:
            raise FetchFailed(f"{what} at {asked} is larger than {MAX_DOWNLOAD_BYTES // 2**20} MB.")
    return Download(response.status_code, {k.lower(): v for k, v in response.headers.items()}, bytes(body),
                    response.url)


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


def extract_title(download: Download) -> str:
    """The headline of a web page as trafilatura reads it (its metadata: og:title, the h1, the <title>); "" if none."""
    metadata = trafilatura.extract_metadata(_page_html(download))
    return (metadata.title if metadata else "") or ""


def read_article(download: Download) -> tuple[str, str]:
    """A page's headline and article text, or ("", "") when it holds no article: both are needed, for the import
    by address as for the watch on the original."""
    title, body = extract_title(download), extract_article(download)
    return (title, body) if title and body else ("", "")


@dataclass(frozen=True)
class Page:
    title: str
    body: str
    download: Download | None = None  # what arrived, kept as the article's snapshot


def fetch_page(url: str) -> Page:
    """The headline and article text of a web page, for importing by address; Refused (400) if none.
    Runs inside a web request, so within PAGE_IMPORT_TIMEOUT_SECONDS, well under the web timeout."""
    try:
        download = fetch(url, "The page", timeout=settings.PAGE_IMPORT_TIMEOUT_SECONDS)
    except FetchFailed as exc:
        raise Refused(400, "fetch_failed", str(exc), {"url": [str(exc)]}) from None
    title, body = read_article(download)
    if not body:
        message = f"No article could be found on the page at {url}: paste its title and text instead."
        raise Refused(400, "no_article", message, {"url": [message]})
    return Page(title, body, download)
