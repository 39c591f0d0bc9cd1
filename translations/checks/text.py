"""Checks on the translation as text: left untranslated, empty or omitted, punctuation."""

import re

from .base import ERROR, WARNING, Check

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]+(?:\s+[\u0600-\u06ff]+)*")


class UntranslatedCheck(Check):
    code = "untranslated"
    severity = ERROR

    def check(self, unit):
        found = _ARABIC.findall(unit.target or "")
        if not found:
            return []
        return [self.issue(f"Arabic text is left in the translation: {', '.join(found[:3])}.")]


class EmptyCheck(Check):
    """A source paragraph with no translation."""

    code = "empty"
    severity = ERROR

    def check(self, unit):
        if not (unit.target or "").strip():
            return [self.issue("There is no translation yet.")]
        return []


class OmittedCheck(Check):
    """A translation far shorter or longer than its source: something left out, or added."""

    code = "omitted"
    severity = WARNING
    MIN_RATIO, MAX_RATIO, MIN_SOURCE = 0.35, 3.0, 40

    def check(self, unit):
        target = (unit.target or "").strip()
        if not target or len(unit.source) < self.MIN_SOURCE:
            return []
        ratio = len(target) / len(unit.source)
        if ratio < self.MIN_RATIO:
            return [self.issue("The translation is much shorter than the source: is anything left out?")]
        if ratio > self.MAX_RATIO:
            return [self.issue("The translation is much longer than the source: is something added?")]
        return []


_PAIRS = [("(", ")"), ("[", "]"), ("“", "”"), ("«", "»"), ("‘", "’")]


class PunctuationCheck(Check):
    code = "punctuation"
    severity = WARNING

    def check(self, unit):
        text = unit.target or ""
        if not text.strip():
            return []
        issues = []
        for opening, closing in _PAIRS:
            if text.count(opening) != text.count(closing):
                issues.append(self.issue(f"Unbalanced {opening}{closing}."))
        if text.count('"') % 2:
            issues.append(self.issue('Unbalanced " quotes.'))
        if "  " in text.strip():
            issues.append(self.issue("Double space."))
        if text != text.strip():
            issues.append(self.issue("Space at the start or end."))
        return issues
