"""Glossary: a term found in the source must appear in the translation with its agreed rendering."""

from .base import WARNING, Check


class GlossaryCheck(Check):
    code = "glossary"
    severity = WARNING

    def check(self, unit):
        target = (unit.target or "").casefold()
        if not target.strip():
            return []
        return [
            self.issue(f"{term.source} should be rendered as “{term.target}”"
                       + (" (a name: do not translate it)." if term.do_not_translate else "."))
            for term in unit.terms
            if term.target.casefold() not in target
        ]
