"""The languages the desk translates from: how each is written, folded, counted and named.

One `Language` per language this code knows; `SOURCE_LANGUAGES` (a setting) says which of them this desk takes.
Everything that depends on the source language (direction, folding, digits and number words, the script whose
letters must not stay in a translation, the engines' codes, the name on the public page) asks here.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .normalize import fold, primary

_ARABIC_SCRIPT = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_HEBREW_SCRIPT = "\u0590-\u05ff\ufb1d-\ufb4f"


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as in lang="" and hreflang=""
    name: str  # in English: "Translated from Persian"
    native_name: str
    direction: str = "ltr"
    # The letters of the language's script, when it has one of its own: left in an English translation, they
    # are untranslated text. A language in the Latin script has none; copied runs of its words are looked for.
    script: str = ""
    decimal_mark: str = "."  # after folding: ٫ is already "."
    thousands_mark: str = ","
    # Number words that scale the number before them ("2 million"), as written: they are folded on use.
    scale_words: dict[str, int] = field(default_factory=dict)

    def fold(self, text: str) -> str:
        return fold(text, self.code)

    def folded_scale_words(self) -> dict[str, int]:
        return _folded_scales(self.code)


_THOUSAND, _MILLION, _BILLION, _TRILLION = 10**3, 10**6, 10**9, 10**12

KNOWN = {
    language.code: language
    for language in [
        Language("ar", "Arabic", "العربية", "rtl", _ARABIC_SCRIPT, scale_words={
            "ألف": _THOUSAND, "آلاف": _THOUSAND, "مليون": _MILLION, "ملايين": _MILLION, "مليار": _BILLION,
            "مليارات": _BILLION, "تريليون": _TRILLION}),
        Language("fa", "Persian", "فارسی", "rtl", _ARABIC_SCRIPT, scale_words={
            "هزار": _THOUSAND, "میلیون": _MILLION, "میلیارد": _BILLION, "تریلیون": _TRILLION}),
        Language("ckb", "Kurdish (Sorani)", "کوردی", "rtl", _ARABIC_SCRIPT, scale_words={
            "هەزار": _THOUSAND, "ملیۆن": _MILLION, "ملیار": _BILLION, "ملیارد": _BILLION, "تریلیۆن": _TRILLION}),
        Language("he", "Hebrew", "עברית", "rtl", _HEBREW_SCRIPT, scale_words={
            "אלף": _THOUSAND, "אלפים": _THOUSAND, "מיליון": _MILLION, "מיליארד": _BILLION, "טריליון": _TRILLION}),
        Language("tr", "Turkish", "Türkçe", "ltr", "", decimal_mark=",", thousands_mark=".", scale_words={
            "bin": _THOUSAND, "milyon": _MILLION, "milyar": _BILLION, "trilyon": _TRILLION}),
        Language("en", "English", "English", "ltr", "", scale_words={
            "thousand": _THOUSAND, "million": _MILLION, "billion": _BILLION, "trillion": _TRILLION}),
    ]
}
# Names of languages the desk may meet as a target or in old records, without their own rules.
_NAMES = {"fr": "French", "de": "German", "es": "Spanish", "ru": "Russian", "ku": "Kurdish"}


def get(code: str) -> Language:
    """The language of this code ("ar-SY" has Arabic's rules); one this code has no rules for is read left to
    right and folded by case only."""
    language = KNOWN.get(code) or KNOWN.get(primary(code))
    if language is None:
        name = _NAMES.get(code) or _NAMES.get(primary(code), code)
        return Language(code, name, name)
    return language


def language_name(code: str) -> str:
    """The language's English name, or its code when we do not know it."""
    return get(code).name


def direction(code: str) -> str:
    return get(code).direction


def source_languages() -> list[Language]:
    """The languages this desk translates from (`SOURCE_LANGUAGES`), in the order configured."""
    return [get(code) for code in settings.SOURCE_LANGUAGES]


def source_codes() -> list[str]:
    return list(settings.SOURCE_LANGUAGES)


def not_a_source_language(code: str) -> str:
    """Why `code` cannot be an article's source language here, or "" when it can."""
    if code in settings.SOURCE_LANGUAGES or primary(code) in settings.SOURCE_LANGUAGES:
        return ""
    taken = ", ".join(f"{c} ({get(c).name})" for c in settings.SOURCE_LANGUAGES)
    return f"'{code}' is not a source language of this desk; it translates from {taken} (SOURCE_LANGUAGES)."


def check_setting(codes) -> None:
    """Refuse a SOURCE_LANGUAGES naming a language this code has no rules for."""
    unknown = [code for code in codes if code not in KNOWN or code == "en"]
    if unknown or not codes:
        raise ImproperlyConfigured(
            f"SOURCE_LANGUAGES: {', '.join(unknown) or '(empty)'} is not a source language this desk knows; "
            f"choose among {', '.join(c for c in KNOWN if c != 'en')}.")


_scales: dict[str, dict[str, int]] = {}


def _folded_scales(code: str) -> dict[str, int]:
    if code not in _scales:
        _scales[code] = {fold(word, code): value for word, value in get(code).scale_words.items()}
    return _scales[code]


def script_pattern(code: str) -> re.Pattern | None:
    """Runs of the language's own letters (words, and the words after them), or None for the Latin script."""
    script = get(code).script
    if not script:
        return None
    return re.compile(f"[{script}]+(?:\\s+[{script}]+)*")
