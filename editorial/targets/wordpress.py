"""WordPress, through its REST API (wp/v2 posts, tags, categories) with an Application Password.

The API's root is found as WordPress advertises it (the `Link: <...>; rel="https://api.w.org/"` header of the site's
home page), so sites with and without pretty permalinks both work. A publish creates the post, or updates the one
whose id the delivery holds; with no id kept, a post with the article's slug and headline is looked for, so a job
that died between WordPress's answer and our commit does not make a second post, and an unpublish still finds the
post to take down. The post carries the title, the standfirst as excerpt, the body (sub-headings as <h2>), the
correction lines, the original's address, then the source credit and the disclaimer exactly as on the published
version; keywords become tags (made when missing); `options.category` (an id) files it. Every text is escaped and
the whole passes the import's sanitiser again, so nothing from the source becomes markup. Unpublish moves the post
to draft, or to the trash with `options.unpublish = "trash"`.
"""

import base64
import html
import json
import re
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.utils import formats, timezone

from translations.segmentation import sanitize_html

from .. import fetching
from . import Target, TargetError

_LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')


def _refusal(exc: fetching.FetchFailed) -> TargetError:
    """What went wrong, in an admin's words; retryable only when it may pass by itself."""
    try:
        answer = json.loads(exc.body or b"{}")
    except ValueError:
        answer = {}
    code = answer.get("code", "") if isinstance(answer, dict) else ""
    said = f" (WordPress: {answer.get('message')})" if isinstance(answer, dict) and answer.get("message") else ""
    if exc.status == 401 or code in ("incorrect_password", "invalid_username", "rest_not_logged_in"):
        return TargetError("WordPress refused the username or Application Password: check both on the target"
                           + said + ".", retryable=False)
    if exc.status == 403:
        return TargetError("The WordPress user may not do this: give them a role that publishes posts (Author, "
                           "Editor or Administrator)" + said + ".", retryable=False)
    if exc.status == 404 and code in ("rest_no_route", ""):
        return TargetError("WordPress's REST API did not answer at this address: it may be disabled (by a "
                           "plugin or the server) or the address is not the site's" + said + ".", retryable=False)
    if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (408, 429):
        return TargetError(f"WordPress refused the post: {exc}{said}", retryable=False)
    return TargetError(f"WordPress could not be reached: {exc}", retryable=True)


class WordPressTarget(Target):
    label = "WordPress"
    option_fields = {
        "category": forms.IntegerField(required=False, min_value=1, label="WordPress category id (optional)",
                                       error_messages={"invalid": "Give the category's id in WordPress: a number.",
                                                       "min_value": "A WordPress category id is 1 or more."}),
        "unpublish": forms.ChoiceField(required=False, label="On unpublish", choices=[
            ("draft", "Move the post to draft"), ("trash", "Move the post to the trash")],
            error_messages={"invalid_choice": "Say draft or trash (what unpublishing does to the post)."}),
    }

    def _headers(self) -> dict:
        token = base64.b64encode(f"{self.row.username}:{self.secret}".encode()).decode()
        return {"Authorization": f"Basic {token}", "Accept": "application/json"}

    def _root(self) -> str:
        """The REST API's root, as the site advertises it."""
        try:
            home = fetching.fetch(self.row.url, "The WordPress site", timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
        except fetching.FetchFailed as exc:
            raise _refusal(exc) from None
        match = _LINK_RE.search(home.headers.get("link", ""))
        if match is None:
            raise TargetError(f"{self.row.url} does not say where its REST API is (no api.w.org link): it is not a "
                              "WordPress site, or its REST API is disabled.", retryable=False)
        return match.group(1)

    def _call(self, root: str, route: str, method: str = "GET", data: dict | None = None, query: dict | None = None):
        url = root + route.lstrip("/") if "rest_route=" not in root else root + quote(route.lstrip("/"), safe="/")
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        headers = self._headers()
        body = None
        if data is not None:
            body = json.dumps(data, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            answer = fetching.fetch(url, "WordPress", headers, settings.WEBHOOK_TIMEOUT_SECONDS, method=method,
                                    data=body)
        except fetching.FetchFailed as exc:
            raise _refusal(exc) from None
        try:
            return json.loads(answer.body or b"null")
        except ValueError:
            raise TargetError(f"WordPress answered something that is not JSON at {url}.", retryable=True) from None

    def _tags(self, root: str, names: list[str]) -> list[int]:
        ids = []
        for name in names:
            found = self._call(root, "wp/v2/tags", query={"search": name, "per_page": 100})
            same = [t["id"] for t in found or [] if html.unescape(t.get("name", "")).casefold() == name.casefold()]
            ids.append(same[0] if same else self._call(root, "wp/v2/tags", "POST", {"name": name})["id"])
        return ids

    @staticmethod
    def content(version) -> str:
        """The post's HTML: every text escaped, sub-headings as <h2>, then the corrections, the original's address,
        the credit and the disclaimer as stored on the published version; sanitised as an import is."""
        parts = [f"<h2>{html.escape(b['text'])}</h2>" if b["kind"] == "heading" else f"<p>{html.escape(b['text'])}</p>"
                 for b in version.body]
        for correction in version.correction_list:
            when = formats.date_format(timezone.localtime(correction["at"]), "j F Y")
            parts.append(f"<p><em>Updated {html.escape(when)}: {html.escape(correction['note'])}</em></p>")
        if version.source_url:
            parts.append(f'<p>Original: <a href="{html.escape(version.source_url)}">'
                         f"{html.escape(version.source_outlet)}</a></p>")
        parts.append(f"<p>{html.escape(version.credit())}</p>")
        parts.append(f"<p>{html.escape(version.disclaimer)}</p>")
        return sanitize_html("\n".join(parts))

    def publish(self, version, delivery) -> tuple[str, str]:
        root = self._root()
        # WordPress reads titles and excerpts as HTML: sent escaped, they show as the text they are.
        title = html.escape(version.headline, quote=False)
        post = {"title": title, "excerpt": html.escape(version.standfirst, quote=False),
                "content": self.content(version),
                "status": "publish", "slug": version.slug, "tags": self._tags(root, list(version.keyword_names))}
        category = (self.row.options or {}).get("category")
        if category:
            post["categories"] = [int(category)]
        post_id = self._post_id(root, delivery, version)
        saved = self._call(root, f"wp/v2/posts/{post_id}" if post_id else "wp/v2/posts", "POST", post)
        return str(saved["id"]), saved.get("link", "")

    def _post_id(self, root: str, delivery, version) -> str:
        """The post the delivery names or, when an attempt's answer was lost before its id was kept, the one post
        with this version's slug and title; '' when there is none."""
        if delivery.remote_id or version is None:
            return delivery.remote_id
        found = self._call(root, "wp/v2/posts", query={"slug": version.slug, "status": "any", "context": "edit"})
        title = html.escape(version.headline, quote=False)
        mine = [p for p in found or [] if (p.get("title") or {}).get("raw") == title]
        return str(mine[0]["id"]) if mine else ""

    def unpublish(self, delivery) -> None:
        root = self._root()
        # What went out last is what to look for: the article has no live version any more.
        post_id = self._post_id(root, delivery, delivery.article.published_versions.order_by("-number").first())
        if not post_id:
            return
        if (self.row.options or {}).get("unpublish") == "trash":
            self._call(root, f"wp/v2/posts/{post_id}", "DELETE")
        else:
            self._call(root, f"wp/v2/posts/{post_id}", "POST", {"status": "draft"})

    def check(self) -> str:
        root = self._root()
        me = self._call(root, "wp/v2/users/me", query={"context": "edit"})
        if not (me.get("capabilities") or {}).get("publish_posts"):
            raise TargetError(f"The WordPress user {me.get('username') or self.row.username} may not publish posts: "
                              "give them the Author, Editor or Administrator role.", retryable=False)
        return f"Connected to {self.row.url} as {me.get('name') or self.row.username}, who may publish posts."
