"""Any OpenAI-compatible chat-completions endpoint (hosted, or a local model server)."""

import json
import re

from ..languages import language_name
from .base import MachineTranslation, MachineTranslationError

_FENCE_RE = re.compile(r"^```(?:json)?\s*|\s*```$")

PROMPT = (
    "You translate news articles from {source} into {target} for publication. The user sends a JSON array "
    "of text segments. Reply with only a JSON object {{\"translations\": [...]}} holding exactly one "
    "translation per segment, in the same order. Keep names, numbers and quotations faithful; add no notes."
)


class OpenAIEngine(MachineTranslation):
    name = "openai"
    label = "the language model"
    max_batch_size = 20
    max_batch_chars = 8_000
    timeout = 120.0

    def describe(self):
        return {**super().describe(), "url": self._url(), "model": self.config.get("model"),
                "api_key_set": bool(self.config.get("api_key"))}

    def _url(self) -> str:
        return (self.config.get("url") or "https://api.openai.com/v1").rstrip("/")

    def translate_batch(self, texts, source, target):
        translations = self._ask(texts, source, target)
        if translations is not None and len(translations) == len(texts):
            return translations
        if len(texts) == 1:
            raise MachineTranslationError("The language model did not return a translation.", retryable=True)
        # A model that miscounts a batch is asked one segment at a time.
        return [self.translate_batch([text], source, target)[0] for text in texts]

    def _ask(self, texts, source, target):
        if not self.config.get("model"):
            raise MachineTranslationError("OPENAI_MODEL is not set.")
        headers = {}
        if self.config.get("api_key"):
            headers["Authorization"] = f"Bearer {self.config['api_key']}"
        payload = {
            "model": self.config["model"],
            "temperature": 0,
            "messages": [
                {"role": "system", "content": PROMPT.format(source=language_name(source),
                                                            target=language_name(target))},
                {"role": "user", "content": json.dumps(texts, ensure_ascii=False)},
            ],
        }
        body = self.json(self.post(f"{self._url()}/chat/completions", json=payload, headers=headers,
                                   what="OPENAI_API_KEY"))
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise MachineTranslationError("The language model answered without a message.", retryable=True) from None
        try:
            parsed = json.loads(_FENCE_RE.sub("", content.strip()))
        except (ValueError, AttributeError):
            return None
        if isinstance(parsed, dict):
            parsed = parsed.get("translations")
        if not isinstance(parsed, list) or not all(isinstance(t, str) for t in parsed):
            return None
        return parsed
