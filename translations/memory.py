"""Translation memory: published source/target pairs, matched exactly or fuzzily after Arabic normalisation.

Exact matches are looked up by a hash of the normalised source (one indexed query for a
whole article). Fuzzy matches are scored with rapidfuzz on a few candidates, and on
PostgreSQL the candidates come from an index, so a lookup stays fast with a million entries:

- a short query (a name, a dateline) takes the nearest short entries by trigram distance
  from a partial GiST index (pg_trgm) that holds only the short entries;
- a longer query takes the entries that contain its rarest words, from a GIN index on each
  entry's words. `MemoryWord` counts the entries holding each word, so the lookup knows which
  of its words are rare (a name, a place) and reads a bounded number of entries.

On SQLite, rapidfuzz scans the language pair's entries.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Func, Q
from django.db.models.functions import Greatest, Length
from django.utils import timezone
from rapidfuzz import fuzz, process

from . import languages
from .models import MemoryEntry, MemoryWord, text_hash
from .normalize import fold

# How many candidates are scored with rapidfuzz before the best are returned.
FUZZY_CANDIDATES = 30
# Entries of at most this many characters are in the short-entry trigram index (migration 0003).
SHORT_ENTRY_CHARS = 40
# The most entries a word lookup reads: rare words are taken until their entries add up to this.
WORD_BUDGET = 4000
_WORD = re.compile(r"\w+")
_WORD_CHARS = 100


def memory_key(text: str, language: str = "ar") -> str:
    """The exact-match key: texts that differ only in optional marks, letter forms and the like (as `language`
    writes) share it."""
    return text_hash(fold(text, language))


def words_of(normalized: str) -> list[str]:
    """The distinct words of a normalised text, sorted: what the word index holds for an entry."""
    return sorted({word[:_WORD_CHARS] for word in _WORD.findall(normalized)})


@dataclass(frozen=True)
class Pair:
    """A published segment: its source text, its final translation and who translated it."""

    source: str
    target: str
    segment_id: int | None = None
    translator_id: int | None = None


def store(pairs: list[Pair], source_language: str, target_language: str, published_at: datetime) -> int:
    """Remember each pair; returns how many entries were added or replaced.

    The newest publication wins: an entry is replaced only by a translation published at the same time or
    later, so a job that runs late (or twice) never brings back an older translation.
    """
    latest = {}
    for pair in pairs:
        folded, target = fold(pair.source, source_language), pair.target.strip()
        if folded and target:
            latest[text_hash(folded)] = (pair, folded, target)  # a source repeated in one article: the last wins
    entries = MemoryEntry.objects.filter(source_language=source_language, target_language=target_language)
    stored, added_words = 0, Counter()
    with transaction.atomic():
        # One lock order (by key) for every writer, so two jobs storing the same sources cannot deadlock.
        for key in sorted(latest):
            pair, folded, target = latest[key]
            words = words_of(folded)
            fields = {"source_text": pair.source, "normalized": folded, "words": " ".join(words),
                      "target_text": target, "origin_segment_id": pair.segment_id,
                      "translator_id": pair.translator_id, "published_at": published_at}
            entry = entries.select_for_update().filter(source_hash=key).first()
            if entry is None:
                try:
                    with transaction.atomic():
                        entries.create(source_language=source_language, target_language=target_language,
                                       source_hash=key, **fields)
                except IntegrityError:  # another job added it since: compare dates with that one
                    entry = entries.select_for_update().get(source_hash=key)
                else:
                    added_words.update(words)
                    stored += 1
                    continue
            if entry.published_at is None or entry.published_at <= published_at:
                entries.filter(pk=entry.pk).update(**fields, updated_at=timezone.now())
                stored += 1
        count_words(source_language, target_language, added_words)
    return stored


def count_words(source_language: str, target_language: str, counts: Counter) -> None:
    """Add `counts` to the word counts, one upsert per up to 500 words (same SQL on PostgreSQL and SQLite)."""
    table = connection.ops.quote_name(MemoryWord._meta.db_table)
    words = sorted(word for word, n in counts.items() if n)  # sorted: one lock order for concurrent writers
    size = min(500, (connection.features.max_query_params or 2000) // 4)
    for start in range(0, len(words), size):
        chunk = words[start:start + size]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (source_language, target_language, word, entries) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
                + " ON CONFLICT (source_language, target_language, word) "
                f"DO UPDATE SET entries = {table}.entries + excluded.entries",
                [value for word in chunk for value in (source_language, target_language, word, counts[word])],
            )


def forget(entries: models.QuerySet) -> int:
    """Delete memory entries (an admin's clean-up), keeping the word counts true."""
    with transaction.atomic():
        removed = {}
        # Locked in the order `store` locks them, so the two cannot deadlock.
        for source, target, words in entries.select_for_update().order_by("source_hash").values_list(
                "source_language", "target_language", "words"):
            removed.setdefault((source, target), Counter()).update(words.split())
        deleted, _ = entries.delete()
        for (source, target), counts in removed.items():
            for word, n in sorted(counts.items()):
                MemoryWord.objects.filter(source_language=source, target_language=target, word=word).update(
                    entries=Greatest(F("entries") - n, 0))
        MemoryWord.objects.filter(entries__lte=0).delete()
    return deleted


def has_entries(source_language: str, target_language: str) -> bool:
    return MemoryEntry.objects.filter(source_language=source_language, target_language=target_language).exists()


def exact_matches(texts: list[str], source_language: str, target_language: str) -> dict[str, str]:
    """{source text: remembered translation} for the texts the memory holds, in one query."""
    keys = {}
    for text in texts:
        keys.setdefault(memory_key(text, source_language), []).append(text)
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
    translator: str = ""
    published_at: datetime | None = None


_FIELDS = ("pk", "source_text", "target_text", "normalized", "document_id", "translator_name", "published_at")


def fuzzy_matches(text: str, source_language: str, target_language: str, *, limit: int = 5,
                  min_score: int = 60) -> list[Match]:
    """The closest remembered sources to `text`, best first, with a similarity percentage."""
    folded = fold(text, source_language)
    if not folded:
        return []
    entries = MemoryEntry.objects.filter(source_language=source_language, target_language=target_language)
    exact = entries.filter(source_hash=text_hash(folded)).values_list("pk", flat=True)[:1]
    if connection.vendor != "postgresql":
        candidates = _scanned_candidates(entries, folded, min_score)
    # fuzz.ratio is 2*matches/(len(a)+len(b)): an entry longer than this cannot reach min_score.
    elif len(folded) * (200 / max(min_score, 1) - 1) <= SHORT_ENTRY_CHARS:
        candidates = _short_candidates(entries, folded)
    else:
        candidates = _word_candidates(entries, folded, source_language, target_language)
    exact_pks = set(exact)
    scores = {pk: 100 if pk in exact_pks else round(fuzz.ratio(folded, normalized)) for pk, normalized in candidates}
    scores.update(dict.fromkeys(exact_pks, 100))
    best = sorted((pk for pk, score in scores.items() if score >= min_score), key=lambda pk: (-scores[pk], pk))
    best = best[:limit]
    rows = {row["pk"]: row for row in entries.filter(pk__in=best).annotate(
        document_id=F("origin_segment__document_id"), translator_name=F("translator__username")).values(*_FIELDS)}
    return [Match(rows[pk]["source_text"], rows[pk]["target_text"], scores[pk], rows[pk]["document_id"],
                  rows[pk]["translator_name"] or "", rows[pk]["published_at"]) for pk in best if pk in rows]


def concordance(phrase: str, source_language: str, target_language: str, *, limit: int = 20) -> list[Match]:
    """Entries whose source (folded, for a phrase in the source's script) or translation holds `phrase`,
    newest publication first. A source phrase is looked up through the word index on PostgreSQL (entries
    holding all its words) before the phrase itself is checked; a translation phrase is a plain scan. A source
    language in the Latin script (Turkish) cannot be told from English by its letters: both sides are searched.
    """
    phrase = (phrase or "").strip()
    if not phrase:
        return []
    entries = MemoryEntry.objects.filter(source_language=source_language, target_language=target_language)
    script = languages.script_pattern(source_language)
    if script is not None and not script.search(phrase):
        entries = entries.filter(target_text__icontains=phrase)
    else:
        folded = fold(phrase, source_language)
        if not folded:
            return []
        if script is None:
            entries = entries.filter(Q(normalized__contains=folded) | Q(target_text__icontains=phrase))
        else:
            if connection.vendor == "postgresql" and words_of(folded):
                entries = entries.alias(word_array=_Words("words")).filter(word_array__contains=words_of(folded))
            entries = entries.filter(normalized__contains=folded)
    rows = (entries.annotate(document_id=F("origin_segment__document_id"), translator_name=F("translator__username"))
            .order_by(F("published_at").desc(nulls_last=True), "-pk").values(*_FIELDS)[:limit])
    return [Match(r["source_text"], r["target_text"], 100, r["document_id"], r["translator_name"] or "",
                  r["published_at"]) for r in rows]


def _short_candidates(entries, folded: str) -> list[tuple[int, str]]:
    """The nearest short entries by trigram distance (ORDER BY <-> LIMIT k), from the partial GiST index."""
    from django.contrib.postgres.search import TrigramDistance

    return list(
        entries.alias(length=Length("normalized")).filter(length__lte=SHORT_ENTRY_CHARS)
        .annotate(distance=TrigramDistance("normalized", folded))
        .order_by("distance").values_list("pk", "normalized")[:FUZZY_CANDIDATES]
    )


class _Words(Func):
    """An entry's words as an array: the expression the GIN word index is built on."""

    template = "string_to_array(%(expressions)s, ' ')"
    output_field = ArrayField(models.TextField())


def _word_candidates(entries, folded: str, source_language: str, target_language: str) -> list[tuple[int, str]]:
    """The entries holding the query's rarest words, at most about WORD_BUDGET of them.

    A good match shares most of its words with the query, so it holds the rare ones too. When even the
    rarest word is common, the candidates must hold two of the rarest four.
    """
    counts = dict(MemoryWord.objects.filter(
        source_language=source_language, target_language=target_language, word__in=words_of(folded), entries__gt=0,
    ).values_list("word", "entries"))
    rarest = sorted(counts, key=lambda word: (counts[word], word))
    if not rarest:
        return []
    picked, total = [], 0
    for word in rarest:
        if picked and total + counts[word] > WORD_BUDGET:
            break
        picked.append(word)
        total += counts[word]
    if total > WORD_BUDGET and len(rarest) > 1:
        condition = Q()
        for pair in combinations(rarest[:4], 2):
            condition |= Q(word_array__contains=list(pair))
    else:
        condition = Q(word_array__overlap=picked)
    return list(entries.alias(word_array=_Words("words")).filter(condition)
                .values_list("pk", "normalized")[:WORD_BUDGET])


def _scanned_candidates(entries, folded: str, min_score: int) -> list[tuple[int, str]]:
    rows = dict(entries.values_list("pk", "normalized"))
    best = process.extract(folded, rows, scorer=fuzz.ratio, limit=FUZZY_CANDIDATES, score_cutoff=min_score)
    return [(pk, rows[pk]) for _, _, pk in best]
