"""Fill the translation memory with synthetic Arabic sentences, for the lookup benchmark."""

import itertools
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from translations.memory import memory_key
from translations.normalize import normalize

WORDS = (
    "عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا الشمالي بعد اتفاق أنهى أربعة أيام من التصعيد وقال مصدر "
    "محلي إن الطرق أعيد فتحها صباح الثلاثاء وإن القوات انسحبت من محيط المدينة ونص الاتفاق على وقف إطلاق النار "
    "وإطلاق سراح ثلاثة معتقلين خلال ساعة وأكد وجهاء أن اللجنة المشتركة ستتابع تنفيذ البنود رفعت وزارة التجارة "
    "الداخلية سعر ربطة الخبز ليرة سورية ويأتي القرار بعد أشهر من ارتفاع تكاليف الطحين والمحروقات افتتحت منظمة "
    "مدرسة جديدة تتسع طالب إدلب الجنوبي وتضم اثني عشر صفا ومختبرا للعلوم انقطاع المياه الحسكة محطة علوك"
).split()


_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# A news-sized vocabulary: the real words above plus 30,000 made-up ones, drawn with a Zipf-like skew so
# that common words recur as they do in real text.
_VOCABULARY = WORDS + ["".join(random.Random(i).choice(_LETTERS) for _ in range(random.Random(-i).randint(3, 8)))
                       for i in range(30_000)]
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
        columns = "source_language, target_language, source_hash, source_text, normalized, target_text"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE memory_seed AS SELECT {columns} FROM translations_memoryentry LIMIT 0")
            with cursor.copy(f"COPY memory_seed ({columns}) FROM STDIN") as copy:
                written = 0
                while written < count:
                    text = sentence(rng)
                    key = memory_key(text)
                    if key in seen:
                        continue
                    seen.add(key)
                    copy.write_row(("ar", "en", key, text, normalize(text), f"translation {seed}-{written}"))
                    written += 1
            # Entries already in the memory (short texts recur) are kept as they are.
            cursor.execute(
                f"INSERT INTO translations_memoryentry ({columns}, created_at, updated_at) "
                f"SELECT {columns}, now(), now() FROM memory_seed ON CONFLICT DO NOTHING"
            )
            cursor.execute("DROP TABLE memory_seed")
            cursor.execute("ANALYZE translations_memoryentry")
        self.stdout.write(f"Added {count} memory entries.")
