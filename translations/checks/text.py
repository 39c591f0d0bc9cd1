"""Checks on the translation as text: left untranslated, empty or omitted, punctuation."""

import re

from translations import languages

from .base import ERROR, WARNING, Check

_WORD = re.compile(r"\w+(?:'\w+)?")


class UntranslatedCheck(Check):
    """Source-language text left in the translation: letters of its script (Arabic, Persian, Kurdish, Hebrew),
    or, for a language in the Latin script (Turkish), COPIED_WORDS or more of the source's words in a row. A
    language the code has no rules for (translations.languages) is not checked."""

    code = "untranslated"
    severity = ERROR
    COPIED_WORDS = 4

    def check(self, unit):
        target = unit.target or ""
        language = languages.get(unit.source_language)
        if language.code not in languages.KNOWN:
            return []
        pattern = languages.script_pattern(unit.source_language)
        found = pattern.findall(target) if pattern else self._copied_runs(unit.source, target, language)
        if not found:
            return []
        return [self.issue(f"{language.name} text is left in the translation: {', '.join(found[:3])}.")]

    def _copied_runs(self, source: str, target: str, language) -> list[str]:
        """Runs of COPIED_WORDS or more consecutive source words that appear, in order, in the translation."""
        n = self.COPIED_WORDS
        source_words = _WORD.findall(language.fold(source))
        grams = {tuple(source_words[i:i + n]) for i in range(len(source_words) - n + 1)}
        if not grams:
            return []
        spans = [(m.group(), language.fold(m.group())) for m in _WORD.finditer(target)]
        runs, i = [], 0
        while i <= len(spans) - n:
            if tuple(folded for _, folded in spans[i:i + n]) in grams:
                end = i + n
                while end < len(spans) and tuple(f for _, f in spans[end - n + 1:end + 1]) in grams:
                    end += 1
                runs.append(" ".join(word for word, _ in spans[i:end]))
                i = end
            else:
                i += 1
        return runs


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
