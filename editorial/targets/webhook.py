"""A webhook: a signed POST of the article's public JSON for each publish, correction and unpublish.

The body is JSON: {"id", "event": "published|corrected|unpublished", "sent_at", "article": the public JSON
(GET /api/v1/published/{slug}/; on unpublish only its "slug" and "url")}. The header
`X-Tarjama-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed with the target's secret>` lets
the receiver check who sent it, and refuse a replay (a time too far from its own). `id` is the same for a repeated
delivery of one event, so a receiver can drop duplicates. Sent through the guarded fetcher (public addresses
unless FETCH_PRIVATE_NETWORKS allows), within WEBHOOK_TIMEOUT_SECONDS in all. docs/deploy.md shows the verifier.
"""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.utils import timezone

from .. import fetching
from . import Target, TargetError


def signature(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


class WebhookTarget(Target):
    label = "Webhook"

    def _post(self, event: str, event_id: str, article: dict) -> None:
        body = json.dumps({"id": event_id, "event": event, "sent_at": timezone.now().isoformat(),
                           "article": article}, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Tarjama-Event": event,
                   "X-Tarjama-Signature": signature(self.secret, body, int(time.time()))}
        try:
            fetching.fetch(self.row.url, "The webhook", headers, settings.WEBHOOK_TIMEOUT_SECONDS, method="POST",
                           data=body)
        except fetching.FetchFailed as exc:
            # A 4xx other than 408/429 is the receiver refusing this request: the same request would be refused
            # again. Anything else (5xx, a timeout, no connection) may pass later.
            refused = exc.status is not None and 400 <= exc.status < 500 and exc.status not in (408, 429)
            raise TargetError(str(exc), retryable=not refused) from None

    def publish(self, version, delivery) -> tuple[str, str]:
        from ..api.published import PublishedOut

        event = "published" if version.number == 1 else "corrected"
        self._post(event, f"{version.article_id}:{version.number}", PublishedOut(version).data)
        return "", ""

    def unpublish(self, delivery) -> None:
        article = delivery.article
        self._post("unpublished", f"{article.pk}:unpublished:{article.updated_at.isoformat()}",
                   {"slug": article.slug, "url": f"/articles/{article.slug}/"})

    def check(self) -> str:
        self._post("check", f"check:{int(time.time())}", {})
        return f"The webhook at {self.row.url} accepted a signed test event."
