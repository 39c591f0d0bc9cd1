"""Translation memory: published source/target pairs, looked up by exact source text."""

from .models import MemoryEntry, Segment, text_hash


def remember(segments: list[Segment], source_language: str, target_language: str) -> int:
    """Store each segment's final text against its source text; the newest translation wins."""
    stored = 0
    for segment in segments:
        if not segment.has_text:
            continue
        MemoryEntry.objects.update_or_create(
            source_language=source_language,
            target_language=target_language,
            source_hash=text_hash(segment.source_text),
            defaults={
                "source_text": segment.source_text,
                "target_text": segment.text,
                "origin_segment": segment,
            },
        )
        stored += 1
    return stored


def exact_matches(texts: list[str], source_language: str, target_language: str) -> dict[str, str]:
    """{source text: remembered translation} for the texts the memory holds, in one query."""
    hashes = {text_hash(text): text for text in texts}
    found = MemoryEntry.objects.filter(
        source_language=source_language, target_language=target_language, source_hash__in=list(hashes)
    ).values_list("source_hash", "target_text")
    return {hashes[source_hash]: target for source_hash, target in found}
