"""Translation memory: published source/target pairs, matched exactly or fuzzily after Arabic normalisation.

Exact matches are looked up by a hash of the normalised source (one indexed query for a
whole article). Fuzzy matches take the nearest candidates by trigram distance from
PostgreSQL's GiST index (pg_trgm) and score them with rapidfuzz; on SQLite, rapidfuzz
scans the language pair's entries.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from rapidfuzz import fuzz, process

from .models import MemoryEntry, Segment, text_hash
from .normalize import normalize

FUZZY_CANDIDATES = 30


def memory_key(text: str) -> str:
    """The exact-match key: texts that differ only in optional marks, alef forms and the like share it."""
    return text_hash(normalize(text))


def remember(segments: list[Segment], source_language: str, target_language: str) -> int:
    """Store each segment's final text against its source text; the newest translation wins."""
    stored = 0
    for segment in segments:
        if not segment.has_text:
            continue
        MemoryEntry.objects.update_or_create(
            source_language=source_language,
            target_language=target_language,
            source_hash=memory_key(segment.source_text),
            defaults={
                "source_text": segment.source_text,
                "normalized": normalize(segment.source_text),
                "target_text": segment.text.strip(),
                "origin_segment": segment,
            },
        )
        stored += 1
    return stored


def exact_matches(texts: list[str], source_language: str, target_language: str) -> dict[str, str]:
    """{source text: remembered translation} for the texts the memory holds, in one query."""
    keys = {}
    for text in texts:
        keys.setdefault(memory_key(text), []).append(text)
    found = MemoryEntry.objects.filter(
        source_language=source_language, target_language=target_language, source_hash__in=list(keys)
    ).values_list("source_hash", "target_text")
    return {text: target for key, target in found for text in keys[key]}


@dataclass(frozen=True)
class Match:
    source: str
    target: str
    score: int  # 0-100
    document_id: int | None


def fuzzy_matches(text: str, source_language: str, target_language: str, *, limit: int = 5,
                  min_score: int = 60) -> list[Match]:
    """The closest remembered sources to `text`, best first, with a similarity percentage."""
    folded = normalize(text)
    if not folded:
        return []
    entries = MemoryEntry.objects.filter(source_language=source_language, target_language=target_language)
    exact = list(entries.filter(source_hash=memory_key(text)).annotate(document_id=F("origin_segment__document_id"))
                 .values("pk", "source_text", "target_text", "normalized", "document_id")[:1])
    if connection.vendor == "postgresql":
        candidates = _trigram_candidates(entries, folded)
    else:
        candidates = _scanned_candidates(entries, folded, min_score)
    by_pk = {row["pk"]: row for row in exact + candidates}
    exact_pks = {row["pk"] for row in exact}
    scored = []
    for row in by_pk.values():
        score = 100 if row["pk"] in exact_pks else round(fuzz.ratio(folded, row["normalized"]))
        if score >= min_score:
            scored.append(Match(row["source_text"], row["target_text"], score, row["document_id"]))
    scored.sort(key=lambda m: -m.score)
    return scored[:limit]


_FIELDS = ("pk", "source_text", "target_text", "normalized", "document_id")


def _trigram_candidates(entries, folded: str) -> list[dict]:
    from django.contrib.postgres.search import TrigramDistance

    # Nearest neighbours by trigram distance, straight from the GiST index (ORDER BY <-> LIMIT k).
    return list(
        entries.annotate(distance=TrigramDistance("normalized", folded), document_id=F("origin_segment__document_id"))
        .order_by("distance").values(*_FIELDS)[:FUZZY_CANDIDATES]
    )


def _scanned_candidates(entries, folded: str, min_score: int) -> list[dict]:
    rows = list(entries.values_list("pk", "normalized"))
    best = process.extract(folded, {pk: norm for pk, norm in rows}, scorer=fuzz.ratio, limit=FUZZY_CANDIDATES,
                           score_cutoff=min_score)
    pks = [key for _, _, key in best]
    return list(entries.filter(pk__in=pks).annotate(document_id=F("origin_segment__document_id")).values(*_FIELDS))
