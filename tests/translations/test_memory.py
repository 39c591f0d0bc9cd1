"""The translation memory's store and lookups: word counts kept true, the newest publication winning,
candidates from the PostgreSQL indexes (the planner uses them for a lookup's own queries) and a fixed number
of queries."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import is_postgres
from translations import memory
from translations.models import MemoryEntry, MemoryWord

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _counts():
    return dict(MemoryWord.objects.values_list("word", "entries"))


def test_store_counts_each_word_once_per_entry():
    stored = memory.store([
        memory.Pair("عادت الحياة إلى طبيعتها في مدينة جاسم", "Life returned to normal in Jasim"),
        memory.Pair("عادت الحياة إلى مدينة درعا", "Life returned to Daraa"),
        memory.Pair("   ", "nothing to remember"),
        memory.Pair("مدينة", "   "),
    ], "ar", "en", NOW)
    assert stored == 2
    counts = _counts()
    assert counts["مدينه"] == 2 and counts["جاسم"] == 1 and counts["درعا"] == 1 and counts["الي"] == 2
    entry = MemoryEntry.objects.get(target_text="Life returned to Daraa")
    assert entry.words == "الحياه الي درعا عادت مدينه" and entry.published_at == NOW

    # The same sources again (a repeated job): entries replaced, counts unchanged.
    memory.store([memory.Pair("عادت الحياة إلى مدينة درعا", "Life went back to normal in Daraa")], "ar", "en", NOW)
    assert _counts() == counts
    assert MemoryEntry.objects.get(words="الحياه الي درعا عادت مدينه").target_text == (
        "Life went back to normal in Daraa")


def test_the_newest_publication_wins_whatever_the_order_jobs_run_in():
    source = "رفعت وزارة التجارة سعر ربطة الخبز"
    memory.store([memory.Pair(source, "The ministry raised the price of bread")], "ar", "en", NOW)
    memory.store([memory.Pair(source, "An older translation")], "ar", "en", NOW - timedelta(days=1))
    assert MemoryEntry.objects.get().target_text == "The ministry raised the price of bread"
    memory.store([memory.Pair(source, "A correction")], "ar", "en", NOW + timedelta(minutes=5))
    assert MemoryEntry.objects.get().target_text == "A correction"


def test_forget_keeps_the_word_counts_true():
    memory.store([memory.Pair("انقطاع المياه في الحسكة", "Water cut in Hasakah"),
                  memory.Pair("انقطاع الكهرباء في دمشق", "Power cut in Damascus")], "ar", "en", NOW)
    memory.forget(MemoryEntry.objects.filter(target_text="Water cut in Hasakah"))
    counts = _counts()
    assert counts == {"انقطاع": 1, "الكهرباء": 1, "في": 1, "دمشق": 1}


def test_languages_are_kept_apart():
    memory.store([memory.Pair("مدرسة جديدة في إدلب", "A new school in Idlib")], "ar", "en", NOW)
    memory.store([memory.Pair("مدرسة جديدة في إدلب", "Une nouvelle école à Idlib")], "ar", "fr", NOW)
    assert [m.target for m in memory.fuzzy_matches("مدرسة جديدة في ادلب", "ar", "fr")] == [
        "Une nouvelle école à Idlib"]
    assert MemoryWord.objects.get(target_language="fr", word="ادلب").entries == 1


def _newsroom_memory(count: int = 400):
    """Sentences sharing the common words of the news, each with one rare name."""
    pairs = [memory.Pair(f"قال مصدر محلي إن القوات انسحبت من محيط المدينة صباح الثلاثاء قرب بلدة رقم{n}",
                         f"Forces withdrew near town {n}") for n in range(count)]
    pairs.append(memory.Pair("عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا الشمالي",
                             "Life returned to normal in Jasim, in the northern Daraa countryside"))
    memory.store(pairs, "ar", "en", NOW)


def test_a_long_text_finds_the_entry_with_its_rare_words():
    _newsroom_memory()
    matches = memory.fuzzy_matches("عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا الغربي", "ar", "en")
    assert matches[0].target == "Life returned to normal in Jasim, in the northern Daraa countryside"
    assert 85 <= matches[0].score < 100
    matches = memory.fuzzy_matches("قال مصدر محلي إن القوات انسحبت من محيط المدينة صباح الثلاثاء قرب بلدة رقم17",
                                   "ar", "en")
    assert (matches[0].target, matches[0].score) == ("Forces withdrew near town 17", 100)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_forget_cannot_drive_a_count_below_zero():
    memory.store([memory.Pair("انقطاع المياه في الحسكة", "Water cut in Hasakah")], "ar", "en", NOW)
    MemoryWord.objects.filter(word="الحسكه").update(entries=0)  # counts that drifted (a raw delete, say)
    memory.forget(MemoryEntry.objects.all())
    assert not MemoryWord.objects.exists() and not MemoryEntry.objects.exists()


@pytest.mark.postgres  # the word index is PostgreSQL's; SQLite scans
def test_when_even_the_rarest_word_is_common_two_shared_words_are_required(monkeypatch):
    _newsroom_memory()
    # Every word of this query is in all 400 entries: over the budget, candidates must hold two of them.
    monkeypatch.setattr(memory, "WORD_BUDGET", 50)
    matches = memory.fuzzy_matches("قال مصدر محلي إن القوات انسحبت من محيط المدينة صباح الأربعاء", "ar", "en")
    assert matches and matches[0].target.startswith("Forces withdrew near town")
    assert matches[0].score >= 80


def test_a_text_of_unknown_words_matches_nothing():
    _newsroom_memory(20)
    assert memory.fuzzy_matches("كلمات لم ترد في الذاكرة أبدا على الإطلاق", "ar", "en") == []


def test_short_texts_match_short_entries():
    memory.store([memory.Pair("مدرسة جديدة", "A new school"), memory.Pair("جاسم", "Jasim")], "ar", "en", NOW)
    assert memory.fuzzy_matches("مدرسه جديد", "ar", "en")[0].target == "A new school"
    assert memory.fuzzy_matches("جاسم", "ar", "en")[0].score == 100


def test_a_lookup_is_four_queries_whatever_the_memory_holds(django_assert_num_queries):
    _newsroom_memory(50)
    # PostgreSQL: the exact hash, the word counts, the candidates, the matches' details; SQLite: no word counts.
    with django_assert_num_queries(4 if is_postgres() else 3):
        assert memory.fuzzy_matches("عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا", "ar", "en")
    _newsroom_memory(400)
    with django_assert_num_queries(4 if is_postgres() else 3):
        assert memory.fuzzy_matches("عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا", "ar", "en")


def _plans_of_lookup(text: str) -> list[str]:
    """The plans PostgreSQL makes for each query a real lookup of `text` sends."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        memory.fuzzy_matches(text, "ar", "en")
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.postgres
def test_a_lookup_reads_its_candidates_from_the_indexes(monkeypatch):
    from django.core.management import call_command

    call_command("seed_memory", count=20_000, seed=5, stdout=io.StringIO())  # and ANALYZE
    # The budget scaled to this memory (100 of 20,000: 5,000 of a million, near the real 4,000).
    monkeypatch.setattr(memory, "WORD_BUDGET", 100)
    # A sentence with a word no other entry has, as news sentences have (a name, a place): the rare-word path.
    rare = set(MemoryWord.objects.filter(entries=1).values_list("word", flat=True))
    sentence = next(text for text, words in MemoryEntry.objects.order_by("pk").values_list("source_text", "words")
                    if len(words.split()) >= 8 and rare & set(words.split()))
    words = sentence.split()
    words[len(words) // 2] = "اتفاق"
    plans = _plans_of_lookup(" ".join(words))
    assert any("memory_words_gin" in plan for plan in plans), "\n\n".join(plans)
    plans = _plans_of_lookup("جاسم درعا")
    assert any("memory_short_trgm" in plan for plan in plans), "\n\n".join(plans)
