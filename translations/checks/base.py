"""Quality checks: small classes behind one base class, registered by dotted path in QUALITY_CHECKS."""

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Issue:
    code: str
    severity: str  # "error" blocks submit and publish; "warning" informs
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class Term:
    """A glossary entry found in a source text."""

    source: str
    target: str
    note: str = ""
    do_not_translate: bool = False


@dataclass(frozen=True)
class Unit:
    """What a check looks at: one segment's source and translation, and the glossary terms in its source."""

    source: str
    target: str | None
    kind: str = "paragraph"
    source_language: str = "ar"
    target_language: str = "en"
    terms: tuple[Term, ...] = field(default_factory=tuple)


class Check:
    code: str = ""
    severity: str = WARNING

    def check(self, unit: Unit) -> list[Issue]:
        """The issues this check finds in the unit (none when it passes)."""
        raise NotImplementedError

    def issue(self, message: str, severity: str | None = None) -> Issue:
        return Issue(self.code, severity or self.severity, message)


@functools.cache
def _registry(paths: tuple[str, ...]) -> tuple[Check, ...]:
    return tuple(import_string(path)() for path in paths)


def registered_checks() -> tuple[Check, ...]:
    return _registry(tuple(settings.QUALITY_CHECKS))


def run_checks(unit: Unit) -> list[Issue]:
    """Every registered check's issues for this unit, errors first."""
    issues = [issue for check in registered_checks() for issue in check.check(unit)]
    return sorted(issues, key=lambda i: i.severity != ERROR)
