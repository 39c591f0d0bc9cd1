"""Local HTTP servers that speak the real request and response formats of each translation service.

Each records the requests it received and can be told to fail: a list of
scripted (status, body, headers) answers is served first, then normal service.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def fake_translation(text: str) -> str:
    return f"[en] {text}"


class FakeService:
    """A running server; `url` is its base URL; `requests` what it was sent."""

    name = ""
    valid_key = "good-key"

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[dict] = []
        self.script: list[tuple[int, object, dict]] = []
        self.delay = 0.0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parsed = urlparse(self.path)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                record = {"path": parsed.path, "query": parse_qs(parsed.query), "headers": dict(self.headers),
                          "json": body, "client": self.client_address[0], "at": time.monotonic()}
                service.requests.append(record)
                if service.delay:
                    time.sleep(service.delay)
                if service.script:
                    status, payload, headers = service.script.pop(0)
                else:
                    status, payload, headers = service.answer(record)
                data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://{host}:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # Scripted failures in each service's own words.
    def rate_limited(self, retry_after: int = 1):
        raise NotImplementedError

    def unavailable(self):
        return (503, {"error": "Service Unavailable"}, {})

    def answer(self, record) -> tuple[int, object, dict]:
        raise NotImplementedError

    def config(self, **overrides) -> dict:
        return {"url": self.url, "api_key": self.valid_key, **overrides}


class LibreTranslateServer(FakeService):
    name = "libretranslate"

    def answer(self, record):
        body = record["json"] or {}
        if body.get("api_key") != self.valid_key:
            return 403, {"error": "Invalid API key"}, {}
        if not body.get("q") or not body.get("source") or not body.get("target"):
            return 400, {"error": "Invalid request: missing q parameter"}, {}
        q = body["q"]
        if isinstance(q, list):
            return 200, {"translatedText": [fake_translation(t) for t in q]}, {}
        return 200, {"translatedText": fake_translation(q)}, {}

    def rate_limited(self, retry_after=1):
        return 429, {"error": "Too many request limits violations"}, {"Retry-After": str(retry_after)}

    def bad_request(self):
        return 400, {"error": "ar is not supported"}, {}


class DeepLServer(FakeService):
    name = "deepl"

    def answer(self, record):
        auth = record["headers"].get("Authorization", "")
        if auth != f"DeepL-Auth-Key {self.valid_key}":
            return 403, {"message": "Wrong endpoint. Use https://api.deepl.com"}, {}
        body = record["json"] or {}
        if not isinstance(body.get("text"), list) or not body.get("target_lang"):
            return 400, {"message": "Value for 'target_lang' not supported."}, {}
        if len(body["text"]) > 50:
            return 413, {"message": "Request Entity Too Large"}, {}
        return 200, {"translations": [{"detected_source_language": "AR", "text": fake_translation(t)}
                                      for t in body["text"]]}, {}

    def rate_limited(self, retry_after=1):
        return 429, {"message": "Too many requests"}, {"Retry-After": str(retry_after)}

    def bad_request(self):
        return 400, {"message": "Value for 'target_lang' not supported."}, {}


class GoogleServer(FakeService):
    name = "google"

    def answer(self, record):
        if record["query"].get("key") != [self.valid_key]:
            return 400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                   "errors": [{"message": "API key not valid. Please pass a valid API key.",
                                               "domain": "global", "reason": "badRequest"}],
                                   "status": "INVALID_ARGUMENT"}}, {}
        body = record["json"] or {}
        if len(body.get("q", [])) > 128:
            return 400, {"error": {"code": 400, "message": "Too many text segments", "status": "INVALID_ARGUMENT"}}, {}
        return 200, {"data": {"translations": [{"translatedText": fake_translation(t)} for t in body["q"]]}}, {}

    def rate_limited(self, retry_after=1):
        return 429, {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}, {}

    def unavailable(self):
        return 503, {"error": {"code": 503, "message": "The service is currently unavailable.",
                               "status": "UNAVAILABLE"}}, {}

    def bad_request(self):
        return 400, {"error": {"code": 400, "message": "Invalid Value", "status": "INVALID_ARGUMENT"}}, {}


class OpenAIServer(FakeService):
    name = "openai"
    model = "local-model"

    def answer(self, record):
        if record["headers"].get("Authorization") != f"Bearer {self.valid_key}":
            return 401, {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}}, {}
        body = record["json"] or {}
        texts = json.loads(body["messages"][-1]["content"])
        content = json.dumps({"translations": [fake_translation(t) for t in texts]}, ensure_ascii=False)
        return 200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                  "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}, {}

    def rate_limited(self, retry_after=1):
        return 429, {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}, {
            "Retry-After": str(retry_after)}

    def bad_request(self):
        return 400, {"error": {"message": "The model `x` does not exist", "type": "invalid_request_error"}}, {}

    def config(self, **overrides):
        return {**super().config(), "model": self.model, **overrides}


SERVERS = {cls.name: cls for cls in (LibreTranslateServer, DeepLServer, GoogleServer, OpenAIServer)}
