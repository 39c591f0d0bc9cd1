"""DeepL API v2: POST /v2/translate, up to 50 texts and 128 KiB per request."""

from .base import MachineTranslation, MachineTranslationError

# DeepL names some target languages with a variant.
_TARGETS = {"en": "EN-GB", "pt": "PT-PT", "zh": "ZH-HANS"}


class DeepLEngine(MachineTranslation):
    name = "deepl"
    label = "DeepL"
    max_batch_size = 50
    max_batch_chars = 100_000
    # DeepL's source languages include Arabic, Turkish and Hebrew, not Persian or Kurdish.
    language_codes = {"fa": None, "ckb": None}

    def describe(self):
        return {**super().describe(), "url": self._url(), "api_key_set": bool(self.config.get("api_key"))}

    def _url(self) -> str:
        url = self.config.get("url")
        if url:
            return url.rstrip("/")
        key = self.config.get("api_key") or ""
        return "https://api-free.deepl.com" if key.endswith(":fx") else "https://api.deepl.com"

    def translate_batch(self, texts, source, target):
        if not self.config.get("api_key"):
            raise MachineTranslationError("DEEPL_API_KEY is not set.")
        response = self.post(
            f"{self._url()}/v2/translate",
            json={"text": texts, "source_lang": source.upper(), "target_lang": _TARGETS.get(target, target.upper())},
            headers={"Authorization": f"DeepL-Auth-Key {self.config['api_key']}"},
            what="DEEPL_API_KEY",
        )
        body = self.json(response)
        translations = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(translations, list):
            raise MachineTranslationError("DeepL answered without translations.", retryable=True)
        return [item.get("text") if isinstance(item, dict) else None for item in translations]

    def error_message(self, response):
        if response.status_code == 456:
            return "the DeepL character quota for this billing period is used up"
        return super().error_message(response)
