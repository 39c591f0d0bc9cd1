"""Numbers: the same numbers on both sides, whatever digits or separators each language writes them with."""

import re
from collections import Counter
from decimal import Decimal

from translations import languages

from .base import ERROR, WARNING, Check

_NUMBER = r"(?<![0-9.,])([0-9]+(?:[.,][0-9]+)*)"
_SWAP_MARKS = str.maketrans({".": ",", ",": "."})
_scaled: dict[str, re.Pattern] = {}


def _scaled_pattern(language: str) -> re.Pattern:
    """A number and the scale words after it, in the language's folded spelling: "2 million", "٢ مليون" (folded:
    Western digits, one alef), "۲ میلیون", "2,5 milyar", "۸ هزار میلیارد" (a thousand billion)."""
    if language not in _scaled:
        words = sorted(languages.get(language).folded_scale_words(), key=len, reverse=True)
        scale = r"((?:\s*(?:" + "|".join(map(re.escape, words)) + r")(?!\w))*)" if words else "()"
        _scaled[language] = re.compile(_NUMBER + scale)
    return _scaled[language]


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
# Ordinals count as their number: "the third round" translates "الجولة ٣".
_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_ORDINALS.update({w: 10 * i for i, w in enumerate(
    "_ _ twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split()) if i > 1})
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


def canonical(token: str) -> str:
    """'4,000' and '4000' are the same number; so are '2.50' and '2.5'."""
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", token):
        token = token.replace(",", "")
    elif "," in token:
        return token  # not a thousands pattern: compare as written
    whole, _, fraction = token.partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def digit_numbers(text: str, language: str = "ar") -> list[str]:
    """Numbers written with digits (Western, Arabic-Indic or Persian), canonical, read with the language's decimal
    and thousands marks (Turkish writes 1.500,5); a scale word after one counts ("2 million" is 2000000, as
    "٢٬٠٠٠٬٠٠٠" is)."""
    spec = languages.get(language)
    scales = spec.folded_scale_words()
    found = []
    for token, scale in _scaled_pattern(language).findall(spec.fold(text)):
        if spec.decimal_mark == ",":
            token = token.translate(_SWAP_MARKS)
        number = canonical(token)
        if scale.strip() and re.fullmatch(r"\d+(\.\d+)?", number):
            value = Decimal(number)
            for word in scale.split():
                value *= scales[word]
            number = canonical(str(value))
        found.append(number)
    return found


def word_numbers(text: str) -> list[str]:
    """Numbers written as English words: 'four', 'forty-eight', 'three hundred', 'two thousand'."""
    found, current, total, seen = [], 0, 0, False

    def close():
        nonlocal current, total, seen
        if seen:
            found.append(str(total + current))
        current, total, seen = 0, 0, False

    for word in _WORD.findall(text.lower()):
        parts = word.split("-")
        if all(p in _UNITS or p in _TENS for p in parts):
            current += sum(_UNITS.get(p, 0) + _TENS.get(p, 0) for p in parts)
            seen = True
        elif all(p in _UNITS or p in _TENS or p in _ORDINALS for p in parts) and parts[-1] in _ORDINALS:
            current += sum(_UNITS.get(p, 0) + _TENS.get(p, 0) + _ORDINALS.get(p, 0) for p in parts)
            seen = True
            close()
        elif word in _SCALES and seen:
            if _SCALES[word] == 100:
                current *= 100
            else:
                total += current * _SCALES[word]
                current = 0
        elif word == "and" and seen:
            continue
        else:
            close()
    close()
    return found


class NumbersCheck(Check):
    code = "numbers"
    severity = ERROR

    def check(self, unit):
        if not unit.target or not unit.target.strip():
            return []
        source = Counter(digit_numbers(unit.source, unit.source_language))
        target_digits = Counter(digit_numbers(unit.target, unit.target_language))
        target = target_digits + Counter(word_numbers(unit.target))
        issues = [
            self.issue(f"{number} in the source is missing in the translation.")
            for number in sorted(source - target)
        ]
        issues += [
            self.issue(f"{number} in the translation is not in the source.", WARNING)
            for number in sorted(target_digits - source)
        ]
        return issues
