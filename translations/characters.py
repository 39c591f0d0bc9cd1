"""Which characters stored text may hold: one rule for every door text comes in by.

Forbidden: the C0 control characters other than tab, newline and carriage return (XML 1.0 cannot carry them,
so one of them in a headline took both feeds down), DEL and the C1 controls, lone surrogates (JSON can carry
them, no encoding can store them), the Unicode noncharacters (U+FFFE, U+FFFF and their kin), and the bidi
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what a reader sees in mixed
Arabic and English text without showing themselves. The marks that only hint at direction (U+200E, U+200F,
U+061C) are allowed: they cannot reorder anything.

Text a person types (segments, standfirst, keywords, comments, glossary terms, XLIFF targets) is refused with
the character and its position (`first_forbidden`); text from outside (pasted or fetched sources, feeds, pages)
has them removed (`strip_forbidden`), and the import says how many.
"""

import re
import unicodedata
from dataclasses import dataclass

# The class in the Basic Multilingual Plane (what an OpenAPI pattern can spell), then the other planes' noncharacters.
# Spelled with \u escapes, which Python's re and an OpenAPI (ECMA-262) pattern read alike.
# Lone surrogates apart: JSON can carry them, DRF's fields refuse them, and a pattern cannot spell them reliably.
BMP_CLASS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
SURROGATES = r"\ud800-\udfff"
NONCHARACTERS = "".join(chr(plane * 0x10000 + low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF))
FORBIDDEN = re.compile(f"[{BMP_CLASS}{SURROGATES}{NONCHARACTERS}]")


@dataclass(frozen=True)
class Found:
    character: str
    position: int  # counted from 1, as a person counts

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    def describe(self) -> str:
        """"U+000B (a control character)", "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
        name = unicodedata.name(self.character, "")
        if not name:
            point = ord(self.character)
            name = ("a surrogate" if 0xD800 <= point <= 0xDFFF else
                    "a noncharacter" if (point & 0xFFFE) == 0xFFFE or 0xFDD0 <= point <= 0xFDEF else
                    "a control character")
        return f"{self.code} ({name})"


def first_forbidden(text: str) -> Found | None:
    match = FORBIDDEN.search(text or "")
    return Found(match.group(), match.start() + 1) if match else None


def strip_forbidden(text: str) -> tuple[str, int]:
    """The text without forbidden characters, and how many were removed."""
    return FORBIDDEN.subn("", text or "")
