"""Fill the translation memory with synthetic Arabic sentences, for the lookup benchmark."""

import itertools
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from translations.memory import memory_key, words_of
from translations.models import MemoryEntry, MemoryWord
from translations.normalize import fold

WORDS = (
    "عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا الشمالي بعد اتفاق أنهى أربعة أيام من التصعيد وقال مصدر "
    "محلي إن الطرق أعيد فتحها صباح الثلاثاء وإن القوات انسحبت من محيط المدينة ونص الاتفاق على وقف إطلاق النار "
    "وإطلاق سراح ثلاثة معتقلين خلال ساعة وأكد وجهاء أن اللجنة المشتركة ستتابع تنفيذ البنود رفعت وزارة التجارة "
    "الداخلية سعر ربطة الخبز ليرة سورية ويأتي القرار بعد أشهر من ارتفاع تكاليف الطحين والمحروقات افتتحت منظمة "
    "مدرسة جديدة تتسع طالب إدلب الجنوبي وتضم اثني عشر صفا ومختبرا للعلوم انقطاع المياه الحسكة محطة علوك"
).split()


_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _made_up_words(count: int) -> list[str]:
    rng = random.Random(2026)
    words = dict.fromkeys(WORDS)
    while len(words) < len(WORDS) + count:
        words.setdefault("".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 9))))
    return list(words)[len(WORDS):]


# A news-sized vocabulary: the real words above plus 30,000 made-up ones, drawn with a Zipf-like skew so
# that common words recur as they do in real text.
_VOCABULARY = list(dict.fromkeys(WORDS)) + _made_up_words(30_000)
_CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(_VOCABULARY))))


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.15:  # short strings: 5-15 characters
        text = " ".join(rng.choices(_VOCABULARY, cum_weights=_CUMULATIVE, k=rng.randint(1, 3)))
        return text[:15] if len(text) >= 5 else text + " مدينة"
    return " ".join(rng.choices(_VOCABULARY, cum_weights=_CUMULATIVE, k=rng.randint(6, 30)))


class Command(BaseCommand):
    help = "Add COUNT synthetic entries to the translation memory (PostgreSQL COPY; for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, count, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_memory needs PostgreSQL (it loads rows with COPY).")
        rng = random.Random(seed)
        seen = set()
        columns = "source_language, target_language, source_hash, source_text, normalized, words, target_text"
        entries, words = MemoryEntry._meta.db_table, MemoryWord._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE memory_seed AS SELECT {columns} FROM {entries} LIMIT 0")
            with cursor.copy(f"COPY memory_seed ({columns}) FROM STDIN") as copy:
                written = 0
                while written < count:
                    text = sentence(rng)
                    key = memory_key(text, "ar")
                    if key in seen:
                        continue
                    seen.add(key)
                    folded = fold(text, "ar")
                    copy.write_row(("ar", "en", key, text, folded, " ".join(words_of(folded)),
                                    f"translation {seed}-{written}"))
                    written += 1
            # Entries already in the memory (short texts recur) are kept as they are; the word counts grow by
            # the entries actually added.
            cursor.execute(
                f"WITH added AS (INSERT INTO {entries} ({columns}, published_at, created_at, updated_at) "
                f"SELECT {columns}, now(), now(), now() FROM memory_seed ON CONFLICT DO NOTHING "
                "RETURNING source_language, target_language, words) "
                f"INSERT INTO {words} (source_language, target_language, word, entries) "
                "SELECT source_language, target_language, word, count(*) FROM added, "
                "unnest(string_to_array(words, ' ')) AS word GROUP BY 1, 2, 3 "
                "ON CONFLICT (source_language, target_language, word) "
                f"DO UPDATE SET entries = {words}.entries + excluded.entries"
            )
            cursor.execute("DROP TABLE memory_seed")
            cursor.execute(f"ANALYZE {entries}")
            cursor.execute(f"ANALYZE {words}")
        self.stdout.write(f"Added {count} memory entries.")
