"""Find and replace in translations: plain text (no patterns), whole matches, with or without case."""

import re


def _pattern(find: str, match_case: bool) -> re.Pattern:
    return re.compile(re.escape(find), 0 if match_case else re.IGNORECASE)


def replaced(text: str | None, find: str, replacement: str, *, match_case: bool = True) -> tuple[str | None, int]:
    """(`text` with every occurrence of `find` replaced, how many there were); the text itself when none."""
    if not text or not find:
        return text, 0
    # A function, not a template: a replacement such as "\\1" or "$1" is inserted as typed.
    result, count = _pattern(find, match_case).subn(lambda _: replacement, text)
    return (result, count) if count else (text, 0)
