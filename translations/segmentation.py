"""Sanitise a source body and split it into ordered segments.

Plain text: paragraphs are separated by blank lines. HTML: sanitised with nh3
(no script, event handler or javascript: URL survives), then <h2>-<h4> become
heading segments and every other block (p, li, blockquote, loose text) a paragraph.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from .normalize import as_written

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "a", "ul", "ol", "li",
    "blockquote", "q", "span", "sub", "sup", "div",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
HEADING_TAGS = {"h2", "h3", "h4"}
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "blockquote"} | HEADING_TAGS

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>|<!--")
_BLANK_LINE_RE = re.compile(r"\n\s*\n")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" or "paragraph"
    text: str


def looks_like_html(body: str) -> bool:
    return bool(_TAG_RE.search(body))


def sanitize_html(body: str) -> str:
    """Keep only structural and inline tags; drop scripts, styles, handlers and unsafe URLs."""
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(value: str) -> str:
    """Text with every tag removed and entities decoded, whitespace collapsed."""
    return _SPACE_RE.sub(" ", html.unescape(nh3.clean(value, tags=set()))).strip()


def _paragraphs(text: str) -> list[str]:
    parts = (_SPACE_RE.sub(" ", part).strip() for part in _BLANK_LINE_RE.split(text))
    return [part for part in parts if part]


class _BlockCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._buffer: list[str] = []
        self._heading_depth = 0

    def _flush(self):
        text = "".join(self._buffer)
        self._buffer = []
        if self._heading_depth:
            heading = _SPACE_RE.sub(" ", text).strip()
            if heading:
                self.blocks.append(Block("heading", heading))
            return
        self.blocks.extend(Block("paragraph", p) for p in _paragraphs(text))

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._buffer.append("\n")
        elif tag in BLOCK_TAGS:
            self._flush()
            if tag in HEADING_TAGS:
                self._heading_depth += 1

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()
            if tag in HEADING_TAGS and self._heading_depth:
                self._heading_depth -= 1

    def handle_data(self, data):
        self._buffer.append(data)

    def close(self):
        super().close()
        self._heading_depth = 0
        self._flush()


@dataclass(frozen=True)
class SplitSource:
    is_html: bool
    clean_body: str
    blocks: list[Block]


def split_body(body: str, language: str = "") -> SplitSource:
    """Sanitise the body and split it into heading and paragraph blocks, in order, each written with the letters
    of its language (`normalize.as_written`)."""
    body = as_written(body, language)
    if looks_like_html(body):
        clean = sanitize_html(body)
        collector = _BlockCollector()
        collector.feed(clean)
        collector.close()
        return SplitSource(True, clean, collector.blocks)
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    return SplitSource(False, text, [Block("paragraph", p) for p in _paragraphs(text)])
