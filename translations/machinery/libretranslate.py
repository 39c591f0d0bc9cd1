"""LibreTranslate (self-hosted or libretranslate.com): POST /translate with a list of texts."""

from .base import MachineTranslation, MachineTranslationError


class LibreTranslateEngine(MachineTranslation):
    name = "libretranslate"
    label = "LibreTranslate"
    max_batch_size = 25
    max_batch_chars = 10_000

    def describe(self):
        return {**super().describe(), "url": self.config.get("url"), "api_key_set": bool(self.config.get("api_key"))}

    def translate_batch(self, texts, source, target):
        url = (self.config.get("url") or "").rstrip("/")
        if not url:
            raise MachineTranslationError("LIBRETRANSLATE_URL is not set.")
        payload = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.config.get("api_key"):
            payload["api_key"] = self.config["api_key"]
        body = self.json(self.post(f"{url}/translate", json=payload, what="LIBRETRANSLATE_API_KEY"))
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if isinstance(translated, str) and len(texts) == 1:
            translated = [translated]
        if not isinstance(translated, list):
            raise MachineTranslationError("LibreTranslate answered without translations.", retryable=True)
        return translated
