"""Each segment's report (the glossary terms in its source, the issues of its translation), cached on exactly
what it depends on.

A report is a pure function of the segment's source, translation and kind, the language pair, that pair's
glossary and the code of the checks. The cache key is a hash of all of these, the glossary entering through
`glossary.stamp`, so nothing is ever invalidated by hand: a saved segment, a glossary change or a deploy with
other checks simply asks for keys that are not there yet. Terms are cached apart, on the source alone, so saving
a segment re-runs its checks without reading the glossary again.

Reading an article is then one glossary-stamp query and two cache round trips whatever its length; only what
changed is computed. A cache that fails is a cache that misses: the reports are computed and the error logged.
"""

import functools
import hashlib
import inspect
import json
import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import glossary
from .checks.base import Issue, Term, Unit, registered_checks, run_checks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    terms: tuple[Term, ...]
    issues: tuple[Issue, ...]


def reports(segments, source_language: str, target_language: str) -> dict[int, Report]:
    """{segment id: Report} for segments of one document: one query and two cache round trips when all is cached."""
    segments = list(segments)
    if not segments:
        return {}
    stamp = glossary.stamp(source_language, target_language)
    pair = (source_language, target_language, stamp)
    issue_keys = {s.pk: _key("issues", _checks_fingerprint(), *pair, s.kind, s.source_text, s.text) for s in segments}
    found = _get_many(issue_keys.values())
    missing = [s for s in segments if issue_keys[s.pk] not in found]
    if missing:
        terms = _terms(missing, pair)
        computed = {}
        for segment in missing:
            unit = Unit(segment.source_text, segment.text, segment.kind, source_language, target_language,
                        terms[segment.pk])
            computed[issue_keys[segment.pk]] = (_plain_terms(unit.terms), [_plain_issue(i) for i in run_checks(unit)])
        _set_many(computed)
        found.update(computed)
    return {s.pk: _report(found[issue_keys[s.pk]]) for s in segments}


def _terms(segments, pair) -> dict[int, tuple[Term, ...]]:
    """{segment id: terms in its source}: from the cache, the glossary read only for sources not seen yet."""
    keys = {s.pk: _key("terms", *pair, s.source_text) for s in segments}
    found = _get_many(keys.values())
    unknown = [s for s in segments if keys[s.pk] not in found]
    if unknown:
        source_language, target_language, _ = pair
        entries = glossary.terms_for(source_language, target_language)
        computed = {keys[s.pk]: _plain_terms(glossary.find_terms(s.source_text, entries)) for s in unknown}
        _set_many(computed)
        found.update(computed)
    return {s.pk: tuple(Term(*t) for t in found[keys[s.pk]]) for s in segments}


# What is cached is plain tuples and strings, so a cached value never depends on a class's pickled shape.
def _plain_terms(terms) -> list[tuple]:
    return [(t.source, t.target, t.note, t.do_not_translate) for t in terms]


def _plain_issue(issue: Issue) -> tuple:
    return issue.code, issue.severity, issue.message


def _report(value) -> Report:
    terms, issues = value
    return Report(tuple(Term(*t) for t in terms), tuple(Issue(*i) for i in issues))


def _key(kind: str, *parts) -> str:
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    return f"quality:{kind}:{digest}"


@functools.cache
def _fingerprint(paths: tuple[str, ...]) -> str:
    """A hash of the checks' code: their modules, the base classes, the glossary matching and the folding."""
    from . import languages, normalize
    from .checks import base

    modules = {base, glossary, normalize, languages}
    modules |= {sys.modules[type(check).__module__] for check in registered_checks()}
    sources = sorted(_source(module) for module in modules)
    return hashlib.sha256(json.dumps([paths, sources]).encode("utf-8")).hexdigest()


def _source(module) -> str:
    """The module's code; where it ships without source (bytecode only), its compiled file's bytes instead."""
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):
        path = getattr(module, "__cached__", None) or getattr(module, "__file__", None)
        try:
            with open(path, "rb") as compiled:
                return hashlib.sha256(compiled.read()).hexdigest()
        except (OSError, TypeError):
            return module.__name__


def _checks_fingerprint() -> str:
    return _fingerprint(tuple(settings.QUALITY_CHECKS))


def _get_many(keys) -> dict:
    try:
        return cache.get_many(list(keys))
    except Exception as exc:  # noqa: BLE001 - a cache that fails is a cache that misses
        log.warning("Quality reports not read from the cache (%s); they are computed.", exc)
        return {}


def _set_many(values: dict) -> None:
    try:
        cache.set_many(values, timeout=settings.QUALITY_CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        log.warning("Quality reports not cached (%s).", exc)
