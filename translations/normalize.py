"""Arabic normalisation for matching: the same word written with or without its optional marks matches."""

import re

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",  # alef variants
    "ى": "ي", "ی": "ي",  # alef maqsura and Persian ya -> ya
    "ة": "ه",  # ta marbuta -> ha
    "ؤ": "و", "ئ": "ي",  # hamza carriers
    "ک": "ك",  # Persian kaf -> kaf
    # Arabic-Indic and Eastern Arabic-Indic digits -> Western
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
    "٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?",
})
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_marks(text: str) -> str:
    """The text without its optional marks (diacritics, tatweel), its letters as written."""
    return _DIACRITICS.sub("", text or "").replace(_TATWEEL, "")


def normalize(text: str) -> str:
    """Text folded for matching: no diacritics or tatweel, one alef, one ya, ta marbuta as ha, Western digits,
    lower case, single spaces, no control characters."""
    text = _CONTROL.sub(" ", strip_marks(text))
    return _SPACE.sub(" ", text.translate(_FOLD)).strip().casefold()
