"""Quality issues of an article's segments, with editors' overrides; what blocks submit and publish."""

from translations import checking
from translations.checks.base import ERROR, Issue
from translations.models import Segment, text_hash

from .errors import Refused, check_text
from .models import Article, CheckOverride, State


def reports(article: Article, segments) -> dict[int, checking.Report]:
    """{segment id: its glossary terms and issues}, from the cache where nothing they depend on has changed."""
    document = article.document
    return checking.reports(segments, document.source_language, document.target_language)


# Set by an update from the original (editorial.syncing) and cleared when the segment is saved or confirmed.
SOURCE_CHANGED = Issue("source_changed", ERROR, "The original changed since this was translated: check the "
                       "translation against the new source, then save or confirm it.")


def _issues(segment: Segment, report: checking.Report) -> tuple[Issue, ...]:
    return (SOURCE_CHANGED, *report.issues) if segment.source_changed else report.issues


def article_issues(article: Article, segments=None, found=None) -> dict[int, list[dict]]:
    """{segment id: [{"code", "severity", "message", "overridden"?}]}: the segments' reports (`found`, when the
    caller has them already) with the editors' overrides, in three queries whatever the length."""
    if segments is None:
        segments = list(Segment.objects.filter(document_id=article.document_id).order_by("position"))
    if found is None:
        found = reports(article, segments)
    overrides = {}
    for override in CheckOverride.objects.filter(article=article).select_related("user").order_by("created_at"):
        overrides[(override.segment_id, override.code, override.text_hash)] = override
    result = {}
    for segment in segments:
        issues = []
        for issue in _issues(segment, found[segment.pk]):
            entry = issue.as_dict()
            override = overrides.get((segment.pk, issue.code, text_hash(segment.text or "")))
            if override is not None and issue.severity == ERROR:
                entry["overridden"] = {"reason": override.reason,
                                       "by": override.user.username if override.user else None}
            issues.append(entry)
        result[segment.pk] = issues
    return result


def open_error_counts(articles) -> dict[int, int]:
    """{article id: its errors not overridden (empty segments aside)}, for the desk's cards: one segment query, one
    overrides query and one glossary stamp per language pair, whatever the number of articles."""
    articles = list(articles)
    if not articles:
        return {}
    by_document = {a.document_id: a for a in articles}
    segments = list(Segment.objects.filter(document_id__in=by_document).only(
        "pk", "document_id", "kind", "source_text", "text", "source_changed"))
    overridden = set(CheckOverride.objects.filter(article__in=articles).values_list("segment_id", "code", "text_hash"))
    pairs: dict[tuple, list] = {}
    for segment in segments:
        document = by_document[segment.document_id].document
        pairs.setdefault((document.source_language, document.target_language), []).append(segment)
    counts = dict.fromkeys((a.pk for a in articles), 0)
    for (source_language, target_language), group in pairs.items():
        found = checking.reports(group, source_language, target_language)
        for segment in group:
            for issue in _issues(segment, found[segment.pk]):
                if (issue.severity == ERROR and issue.code != "empty"
                        and (segment.pk, issue.code, text_hash(segment.text or "")) not in overridden):
                    counts[by_document[segment.document_id].pk] += 1
    return counts


def blocking(article: Article, *, ignore=("empty",)) -> list[dict]:
    """Error issues not overridden, as [{"position", "code", "message"}] (empty segments are reported apart)."""
    segments = list(Segment.objects.filter(document_id=article.document_id).order_by("position"))
    issues = article_issues(article, segments)
    return [
        {"position": segment.position, "segment": segment.pk, "code": issue["code"], "message": issue["message"]}
        for segment in segments
        for issue in issues[segment.pk]
        if issue["severity"] == ERROR and "overridden" not in issue and issue["code"] not in ignore
    ]


# While the text can still change before it is published (workflow.EDITABLE_STATES): before that there is no
# text to judge, after it the published text is frozen and a correction brings the article back to editing.
OVERRIDABLE_STATES = frozenset({State.TRANSLATION, State.EDITING})


def override(article_id: int, segment_id: int, user, *, code: str, reason: str) -> CheckOverride:
    """Record an editor's reason to accept a blocking issue on a segment's current text."""
    if not user.has_perm("editorial.override_check"):
        raise Refused(403, "forbidden", "Only editors may override a quality check.")
    reason = (reason or "").strip()
    if not reason:
        raise Refused(400, "reason_required", "Say why the issue is acceptable.", {"reason": ["Required."]})
    check_text("reason", "the reason", reason)
    if code == SOURCE_CHANGED.code:
        raise Refused(409, "confirm_instead", "A changed source is not overridden: check the translation against "
                      "the new source, then save or confirm the segment.")
    segment = Segment.objects.filter(pk=segment_id, document__article__pk=article_id).first()
    if segment is None:
        raise Refused(404, "not_found", "This article has no such segment.")
    article = Article.objects.get(pk=article_id)
    if article.state not in OVERRIDABLE_STATES:
        raise Refused(409, "invalid_state", f"Checks are overridden while the text can still change (in translation "
                      f"or editing); this article is in {article.state}.", {"state": article.state})
    current = {i["code"] for i in article_issues(article, [segment])[segment.pk] if i["severity"] == ERROR}
    if code not in current:
        raise Refused(409, "no_such_issue", f"The segment has no '{code}' error to override now.",
                      {"issues": sorted(current)})
    return CheckOverride.objects.create(segment=segment, article=article, code=code,
                                        text_hash=text_hash(segment.text or ""), reason=reason, user=user)
