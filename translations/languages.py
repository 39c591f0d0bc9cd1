"""Language names in English, for prompts and pages ("Translated from Arabic")."""

LANGUAGE_NAMES = {"ar": "Arabic", "en": "English", "fr": "French", "tr": "Turkish", "ku": "Kurdish",
                  "fa": "Persian", "de": "German", "es": "Spanish", "ru": "Russian"}


def language_name(code: str) -> str:
    """The language's English name, or its code when we do not know it."""
    return LANGUAGE_NAMES.get(code, code)
