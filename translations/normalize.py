"""Folding for matching: the same word written with or without its optional marks, in another letter form or
with other digits, matches.

`fold(text, language)` folds as the language writes: Arabic folds Persian ی and ک to ي and ك (Arabic outlets
type both), Persian and Kurdish the other way round, Hebrew drops its points and reads gershayim as a quote,
Turkish lowers I to ı and İ to i. The memory, the glossary and the checks fold by the article's language.

`normalize(text)` is the loose fold of every language at once, for what is searched without knowing the
language (the archive search, story grouping): on Arabic text it is exactly Arabic's fold.
"""

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# Hebrew points and cantillation, not its punctuation (maqaf U+05BE, paseq U+05C0, sof pasuq U+05C3, U+05C6).
_HEBREW_MARKS = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")
_TATWEEL = "\u0640"
_ZWNJ = "\u200c"
_DIGITS = {
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Eastern Arabic-Indic (Persian, Urdu)
}
_ARABIC_PUNCTUATION = {"٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?"}
_ALEFS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}
_ARABIC = str.maketrans({
    **_ALEFS,
    "ى": "ي", "ی": "ي",  # alef maqsura and Persian ya -> ya
    "ة": "ه",  # ta marbuta -> ha
    "ؤ": "و", "ئ": "ي",  # hamza carriers
    "ک": "ك",  # Persian kaf -> kaf
    **_DIGITS, **_ARABIC_PUNCTUATION,
})
# Persian writes ی and ک where Arabic has ي and ك; ۀ is ه with a hamza of the ezafe.
_PERSIAN = str.maketrans({
    **_ALEFS, "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ؤ": "و",
    **_DIGITS, **_ARABIC_PUNCTUATION,
})
# Sorani Kurdish: Persian's letters, and ە (the vowel e) and ھ (h), both typed ه on Arabic keyboards.
_KURDISH = str.maketrans({
    **_ALEFS, "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه", "ؤ": "و",
    **_DIGITS, **_ARABIC_PUNCTUATION,
})
# Hebrew: geresh and gershayim are typed as ' and " as often as not (צה"ל, צה״ל); maqaf as a hyphen.
_HEBREW = str.maketrans({"״": '"', "׳": "'", "־": "-", **_DIGITS})
# Turkish: the circumflex is optional (hâlâ, hala) and the apostrophe before a name's suffix comes in two forms.
_TURKISH = str.maketrans({"â": "a", "Â": "a", "î": "i", "Î": "i", "û": "u", "Û": "u", "’": "'", **_DIGITS})
# Any other language (English translations among them): digits typed on an Arabic keyboard are still digits.
_OTHER = str.maketrans(_DIGITS)
# The loose fold: Arabic's, plus every other language's letters and marks folded onto the same forms.
_LOOSE = str.maketrans({"ە": "ه", "ھ": "ه", "ۀ": "ه", "İ": "i", "ı": "i", "״": '"', "׳": "'", "־": "-"})
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_marks(text: str) -> str:
    """The text without its optional marks (Arabic diacritics, tatweel, Hebrew points), its letters as written."""
    return _HEBREW_MARKS.sub("", _ARABIC_MARKS.sub("", text or "")).replace(_TATWEEL, "")


def _finish(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _arabic(text: str) -> str:
    text = _CONTROL.sub(" ", _ARABIC_MARKS.sub("", text or "").replace(_TATWEEL, ""))
    return _finish(text.translate(_ARABIC)).casefold()


def _arabic_script(table):
    def fold(text: str) -> str:
        text = _CONTROL.sub(" ", _ARABIC_MARKS.sub("", text or "").replace(_TATWEEL, "").replace(_ZWNJ, ""))
        return _finish(text.translate(table)).casefold()
    return fold


def _hebrew(text: str) -> str:
    text = _CONTROL.sub(" ", _HEBREW_MARKS.sub("", unicodedata.normalize("NFC", text or "")))
    return _finish(text.translate(_HEBREW)).casefold()


def _turkish(text: str) -> str:
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or "")).translate(_TURKISH)
    return _finish(text.replace("İ", "i").replace("I", "ı")).lower()


def _latin(text: str) -> str:
    return _finish(_CONTROL.sub(" ", text or "").translate(_OTHER)).casefold()


_FOLDS = {"ar": _arabic, "fa": _arabic_script(_PERSIAN), "ckb": _arabic_script(_KURDISH), "he": _hebrew,
          "tr": _turkish}


def primary(language: str) -> str:
    """The language of a code with a region or script: "ar-SY" is written as "ar" is."""
    return (language or "").split("-")[0].lower()


# Letters as the language writes them, for the text that is kept and shown: Persian and Kurdish typed on Arabic
# keyboards carry Arabic ي and ك, which Persian readers see with dots that are not theirs.
_WRITTEN = {code: str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"}) for code in ("fa", "ckb")}


def as_written(text: str, language: str) -> str:
    """The text in Unicode's composed form (NFC), with the letters its language writes."""
    text = unicodedata.normalize("NFC", text or "")
    table = _WRITTEN.get(primary(language))
    return text.translate(table) if table else text


def fold(text: str, language: str) -> str:
    """Text folded for matching as `language` writes it: no optional marks, one form of each letter, Western
    digits, lower case, single spaces, no control characters."""
    return _FOLDS.get(primary(language), _latin)(text)


def normalize(text: str) -> str:
    """The loose fold, for text whose language is not known: every language's marks and letter forms folded
    onto one (Arabic's), Western digits, lower case, single spaces."""
    text = _CONTROL.sub(" ", strip_marks(text).replace(_ZWNJ, ""))
    return _finish(text.translate(_LOOSE).translate(_ARABIC)).casefold()
