"""A local web server for source-feed tests, serving RSS 2.0 and Atom feeds and Arabic article pages.

Documents are served at paths the test chooses, with optional ETag and
Last-Modified validators (answered with 304 like a real server) and an
optional delay. Every request is recorded with its headers and the status
it was answered with; a path nothing is served at answers 404.
"""

import threading
import time
from dataclasses import dataclass
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

# Stories written for these tests, as a Syrian outlet would publish them.
JASIM = {
    "title": "عودة الحياة إلى مدينة جاسم بعد اتفاق تهدئة",
    "summary": "عادت الحياة تدريجياً إلى مدينة جاسم بعد اتفاق أنهى أربعة أيام من التصعيد.",
    "blocks": [
        ("p", "عادت الحياة تدريجياً إلى مدينة جاسم في ريف درعا الشمالي، بعد اتفاق تهدئة أنهى أربعة أيام من "
              "التصعيد بين مجموعات محلية وقوات الحكومة، بحسب ما أفاد به سكان من المدينة."),
        ("p", "وقال أحد وجهاء المدينة إن الطرق الرئيسية أعيد فتحها صباح الثلاثاء، وإن المحال التجارية فتحت "
              "أبوابها بعد إغلاق دام عدة أيام، وسط حذر واضح بين الأهالي."),
        ("h2", "بنود الاتفاق"),
        ("p", "ونص الاتفاق على وقف إطلاق النار فوراً، وإطلاق سراح ثلاثة معتقلين من أبناء المدينة خلال ثمانٍ "
              "وأربعين ساعة، إضافة إلى سحب التعزيزات العسكرية من محيط جاسم."),
        ("p", "وأكد مصدر محلي أن لجنة من وجهاء المدينة ستتابع تنفيذ البنود، وأن أي خرق للاتفاق سيعرض على "
              "اللجنة قبل الرد عليه."),
    ],
}

BREAD = {
    "title": "ارتفاع سعر ربطة الخبز في دمشق للمرة الثالثة هذا العام",
    "summary": "رفعت الحكومة سعر ربطة الخبز المدعوم في دمشق وريفها للمرة الثالثة خلال عام.",
    "blocks": [
        ("p", "رفعت الحكومة السورية سعر ربطة الخبز المدعوم في دمشق وريفها، في ثالث زيادة من نوعها خلال عام "
              "واحد، ما أثار استياء واسعاً بين السكان الذين يعتمدون على الخبز غذاءً أساسياً."),
        ("p", "وقالت وزارة التجارة الداخلية وحماية المستهلك في بيان إن القرار جاء بسبب ارتفاع تكاليف الإنتاج "
              "والنقل، مؤكدة أن الدعم الحكومي للخبز ما زال مستمراً."),
        ("p", "وشهدت الأفران في أحياء المدينة ازدحاماً كبيراً منذ ساعات الصباح الأولى، وقال عدد من المواطنين "
              "إنهم انتظروا أكثر من ساعتين للحصول على ربطة واحدة."),
    ],
}

SCHOOLS = {
    "title": "افتتاح ثلاث مدارس جديدة في ريف إدلب الشمالي",
    "summary": "افتتحت مديرية التربية ثلاث مدارس جديدة لاستقبال أبناء المخيمات.",
    "blocks": [
        ("p", "افتتحت مديرية التربية في ريف إدلب ثلاث مدارس جديدة في بلدات سرمدا والدانا وأطمة، لاستقبال أكثر "
              "من ألفي طالب وطالبة من أبناء المخيمات المجاورة."),
        ("p", "وقال مدير إحدى المدارس إن الأبنية جُهزت بمقاعد جديدة ومكتبات صغيرة، وإن الدوام سيبدأ مطلع "
              "الأسبوع المقبل بعد انتهاء أعمال الصيانة."),
        ("h2", "نقص في المعلمين"),
        ("p", "وأشار معلمون إلى أن المنطقة تعاني نقصاً في الكوادر التعليمية، إذ يعمل كثير منهم دون رواتب "
              "منتظمة، ما يدفع بعضهم إلى ترك التعليم والبحث عن عمل آخر."),
        ("p", "ودعت منظمات محلية الجهات المانحة إلى زيادة دعمها لقطاع التعليم، محذرة من أن آلاف الأطفال ما "
              "زالوا خارج المدارس."),
    ],
}

WATER = {
    "title": "انقطاع المياه عن أحياء في مدينة الحسكة لليوم العاشر",
    "summary": "تعيش أحياء في مدينة الحسكة بلا مياه منذ عشرة أيام بعد توقف محطة علوك عن الضخ.",
    "blocks": [
        ("p", "تعيش أحياء واسعة في مدينة الحسكة بلا مياه شرب منذ عشرة أيام، بعد توقف محطة علوك عن الضخ، "
              "ما اضطر السكان إلى شراء المياه من الصهاريج الخاصة بأسعار مرتفعة."),
    ],
}

# What an outlet's page carries around the article: none of it belongs in the source text.
NAV_TEXT = "الرئيسية أخبار محلية اقتصاد رياضة اتصل بنا"
SIDEBAR_TEXT = "الأكثر قراءة: أسعار الذهب اليوم في الأسواق السورية"
FOOTER_TEXT = "جميع الحقوق محفوظة لموقع الأخبار السورية ٢٠٢٤"


def block_html(blocks) -> str:
    return "\n".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in blocks)


def article_page(story: dict) -> bytes:
    """An outlet's article page: navigation, the article, a sidebar and a footer."""
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head><meta charset="utf-8"><title>{escape(story["title"])} | الأخبار السورية</title></head>
<body>
<header><div class="logo">الأخبار السورية</div>
<nav><ul>{"".join(f'<li><a href="/section/{i}">{w}</a></li>' for i, w in enumerate(NAV_TEXT.split()))}</ul></nav>
</header>
<main>
<article>
<h1>{escape(story["title"])}</h1>
<div class="meta"><span class="date">١٤ أيار ٢٠٢٤</span></div>
<div class="entry-content">
{block_html(story["blocks"])}
</div>
</article>
<aside class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/gold">{SIDEBAR_TEXT}</a></li></ul></aside>
</main>
<footer><p>{FOOTER_TEXT}</p></footer>
</body>
</html>""".encode()


def rfc822(when) -> str:
    return format_datetime(when)


def rss(items: list[dict], title: str = "الأخبار السورية") -> bytes:
    """An RSS 2.0 feed; each item: title, link, summary, and optionally creator, author, published, content."""
    parts = []
    for item in items:
        fields = [f"<title>{escape(item['title'])}</title>", f"<link>{escape(item['link'])}</link>",
                  f"<guid isPermaLink=\"true\">{escape(item['link'])}</guid>",
                  f"<description>{escape(item['summary'])}</description>"]
        if item.get("creator"):
            fields.append(f"<dc:creator>{escape(item['creator'])}</dc:creator>")
        if item.get("author"):
            fields.append(f"<author>{escape(item['author'])}</author>")
        if item.get("published"):
            fields.append(f"<pubDate>{rfc822(item['published'])}</pubDate>")
        if item.get("content"):
            fields.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        parts.append("<item>" + "".join(fields) + "</item>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>{escape(title)}</title><link>https://example.org/</link><description>{escape(title)}</description>
<language>ar</language>
{"".join(parts)}
</channel></rss>""".encode()


def atom(entries: list[dict], title: str = "عنب بلدي") -> bytes:
    """An Atom feed; each entry: title, link, summary, author, published, and optionally content (HTML)."""
    parts = []
    for entry in entries:
        fields = [f"<title>{escape(entry['title'])}</title>",
                  f"<link rel=\"alternate\" type=\"text/html\" href=\"{escape(entry['link'])}\"/>",
                  f"<id>{escape(entry['link'])}</id>",
                  f"<published>{entry['published'].isoformat()}</published>",
                  f"<updated>{entry['published'].isoformat()}</updated>",
                  f"<author><name>{escape(entry['author'])}</name></author>",
                  f"<summary>{escape(entry['summary'])}</summary>"]
        if entry.get("content"):
            fields.append(f"<content type=\"html\">{escape(entry['content'])}</content>")
        parts.append("<entry>" + "".join(fields) + "</entry>")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
<title>{escape(title)}</title><id>urn:example:feed</id><updated>2024-05-15T08:00:00Z</updated>
{"".join(parts)}
</feed>""".encode()


# An unescaped "&", then the connection cut off: no entry can be read.
BROKEN_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>أخبار & تقارير</title>'
    "<description>آخر الأخبار</desc"
).encode()


def with_php_warning(feed: bytes) -> bytes:
    """A feed after the warning a broken PHP site prints first: not XML, but the entries can still be read."""
    return b"<br />\n<b>Warning</b>: mysqli_connect(): Too many connections in <b>/var/www/feed.php</b><br />\n" + feed


@dataclass
class Document:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    location: str = ""  # with a 3xx status: where it redirects
    drip: float = 0.0  # seconds between bytes of the body: a server that never quite stops answering


class FeedServer:
    """A running server on 127.0.0.1; `serve(path, ...)` publishes a document and returns its URL."""

    def __init__(self, tls=None):
        """`tls`: an ssl.SSLContext to serve HTTPS with (the URLs then start with https://)."""
        self.documents: dict[str, Document] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = urlparse(self.path).path
                document = server.documents.get(path)
                record = {"path": path, "headers": dict(self.headers), "status": None}
                server.requests.append(record)
                if document is None:
                    document = Document(b"<html><body><h1>404</h1></body></html>", status=404)
                if document.delay:
                    time.sleep(document.delay)
                not_modified = (document.etag and self.headers.get("If-None-Match") == document.etag) or (
                    document.last_modified and self.headers.get("If-Modified-Since") == document.last_modified
                )
                status = 304 if not_modified else document.status
                record["status"] = status
                try:
                    self.send_response(status)
                    if document.etag:
                        self.send_header("ETag", document.etag)
                    if document.last_modified:
                        self.send_header("Last-Modified", document.last_modified)
                    if document.location:
                        self.send_header("Location", document.location)
                    if status == 304:
                        self.end_headers()
                        return
                    self.send_header("Content-Type", document.content_type)
                    self.send_header("Content-Length", str(len(document.body)))
                    self.end_headers()
                    if document.drip:
                        for byte in document.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(document.drip)
                    else:
                        self.wfile.write(document.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        self.port = self.server.server_address[1]

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, body: bytes, **options) -> str:
        self.documents[path] = Document(body, **options)
        return self.url(path)

    def serve_feed(self, path: str, body: bytes, kind: str = "rss", **options) -> str:
        content_type = "application/atom+xml; charset=utf-8" if kind == "atom" else "application/rss+xml; charset=utf-8"
        return self.serve(path, body, content_type=content_type, **options)

    def requests_to(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
