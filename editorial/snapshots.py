"""Snapshots of the originals: the bytes as received and their fingerprints, kept for every import.

Whatever the way in (pasted, fetched by address, a feed), the article keeps what arrived: the bytes, their
declared encoding and content type, and for fetches the final address after redirects, the HTTP status, the
validators (ETag, Last-Modified) and the time. Each snapshot carries the SHA-256 of those bytes and of the text
extracted from them (the source segments, one per line), so the newsroom can show what a translation was made
from. The bytes live in the database, stored once per SHA-256 (`SnapshotContent`): backups and every host have
them with no shared file system.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .fetching import Download
from .models import Article, SnapshotContent, SourceSnapshot

_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)


@dataclass(frozen=True)
class Received:
    """An original as it arrived, before it is an article."""

    data: bytes
    kind: str
    content_type: str = ""
    encoding: str = ""
    final_url: str = ""
    status: int | None = None
    etag: str = ""
    last_modified: str = ""
    retrieved_at: datetime = field(default_factory=timezone.now)


def pasted(title: str, body: str) -> Received:
    """Text typed or pasted into the desk or the API: its UTF-8 bytes, title first."""
    return Received(f"{title}\n\n{body}".encode(), SourceSnapshot.Kind.PASTED, "text/plain; charset=utf-8", "utf-8")


def downloaded(download: Download, kind: str = SourceSnapshot.Kind.FETCHED) -> Received:
    content_type = download.headers.get("content-type", "")
    match = _CHARSET.search(content_type)
    return Received(download.body, kind, content_type[:200], match.group(1)[:40] if match else "",
                    download.url[:1000], download.status, download.headers.get("etag", "")[:300],
                    download.headers.get("last-modified", "")[:100])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_fingerprint(source_texts) -> str:
    """The SHA-256 of the extracted text: the source segments in order, one per line, as UTF-8."""
    return sha256("\n".join(source_texts).encode())


def record(article: Article, received: Received, segments) -> SourceSnapshot:
    """Keep `received` as a snapshot of the article's original (the bytes stored once per hash), with the text
    extracted from it: `segments`, [(kind, text), ...] with the title first."""
    segments = [[kind, text] for kind, text in segments]
    digest = sha256(received.data)
    content = SnapshotContent.objects.filter(sha256=digest).first()
    if content is None:
        try:
            with transaction.atomic():
                content = SnapshotContent.objects.create(sha256=digest, data=received.data, size=len(received.data))
        except IntegrityError:  # stored by another import at the same moment
            content = SnapshotContent.objects.get(sha256=digest)
    return SourceSnapshot.objects.create(
        article=article, content=content, sha256=digest, text_sha256=text_fingerprint(t for _, t in segments),
        segments=segments,
        kind=received.kind, content_type=received.content_type, encoding=received.encoding,
        final_url=received.final_url, status=received.status, etag=received.etag,
        last_modified=received.last_modified, retrieved_at=received.retrieved_at,
    )
