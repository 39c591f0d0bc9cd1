"""Google Cloud Translation v2 (Basic): POST /language/translate/v2?key=..., up to 128 texts."""

from .base import MachineTranslation, MachineTranslationError


class GoogleEngine(MachineTranslation):
    name = "google"
    label = "Google Cloud Translation"
    max_batch_size = 128
    max_batch_chars = 25_000

    def describe(self):
        return {**super().describe(), "url": self._url(), "api_key_set": bool(self.config.get("api_key"))}

    def _url(self) -> str:
        return (self.config.get("url") or "https://translation.googleapis.com").rstrip("/")

    def translate_batch(self, texts, source, target):
        if not self.config.get("api_key"):
            raise MachineTranslationError("GOOGLE_API_KEY is not set.")
        response = self.post(
            f"{self._url()}/language/translate/v2",
            params={"key": self.config["api_key"]},
            json={"q": texts, "source": source, "target": target, "format": "text"},
            what="GOOGLE_API_KEY",
        )
        body = self.json(response)
        try:
            translations = body["data"]["translations"]
        except (KeyError, TypeError):
            raise MachineTranslationError("Google answered without translations.", retryable=True) from None
        return [item.get("translatedText") if isinstance(item, dict) else None for item in translations]

    def post(self, url, **kwargs):
        try:
            return super().post(url, **kwargs)
        except MachineTranslationError as exc:
            # Google answers a bad key with 400 "API key not valid", not 401/403.
            if "API key not valid" in str(exc) or "API_KEY_INVALID" in str(exc):
                raise MachineTranslationError(
                    "Google Cloud Translation rejected the API key. An admin must check GOOGLE_API_KEY."
                ) from None
            raise
