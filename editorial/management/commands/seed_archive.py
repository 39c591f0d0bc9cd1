"""A five-year archive for measuring the desk at scale (bench/archive.py): `manage.py seed_archive --articles 100000`
makes that many articles of about 30 segments each (three million segments), four in five published with their
translation, and a million memory entries, then indexes them all for search. Into an empty database only."""

import itertools
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from editorial import roles, search
from editorial.models import Article, Keyword, PublishedVersion, SearchEntry, State
from translations.memory import memory_key
from translations.models import Document, MemoryEntry, Segment
from translations.normalize import normalize

ARABIC = ("قصف سوق مدينة ريف إدلب درعا حلب حمص حماة دمشق الحسكة القامشلي الرقة دير الزور اللاذقية طرطوس جبلة "
          "نوى طفس جاسم أريحا سرمدا الباب اعزاز منبج قتل مدنيين أطفال جرحى الدفاع المدني محطة مياه كهرباء تقنين "
          "خبز أفران طحين وقود بنزين مازوت سعر ليرة دولار مدارس طلاب امتحانات مستشفى كوليرا لقاح أمطار سيول "
          "خيام مخيمات نازحين عودة لاجئين لبنان تركيا الأردن قافلة معبر حدود اتفاق تهدئة وجهاء اعتقال سراح "
          "محافظ وزير وزارة بيان قرار حكومة مجلس بلدية جسر طريق إعادة إعمار قمح حصاد فلاحين حرائق زلزال هزة "
          "انفجار سيارة مفخخة دراجة اشتباكات قوات فصائل هجوم طائرة مسيرة غارة صاروخ قذيفة هاون").split()
ENGLISH = ("shelling market city countryside Idlib Daraa Aleppo Homs Hama Damascus Hasakah Qamishli Raqqa Latakia "
           "Tartus Jableh Nawa Tafas Jasim Ariha Sarmada Azaz Manbij killed civilians children wounded civil defence "
           "station water electricity rationing bread bakeries flour fuel petrol diesel price pound dollar schools "
           "students exams hospital cholera vaccine rain floods tents camps displaced return refugees Lebanon Turkey "
           "Jordan convoy crossing border agreement truce notables arrest release governor minister ministry "
           "statement decision government council municipality bridge road reconstruction wheat harvest farmers fires "
           "earthquake tremor explosion car bomb motorcycle clashes forces factions attack drone airstrike rocket "
           "mortar").split()
OUTLETS = [f"Outlet {n}" for n in range(1, 21)]
# Beside the common words, names and rare words (villages, people, things) as an archive has them: each made of
# Arabic letters, drawn so that a few are everywhere and most are in a handful of articles (Zipf's law).
RARE_WORDS = 30_000
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
CHUNK = 1000


def _sentence(rng, words, n):
    return " ".join(rng.choice(words) for _ in range(n))


def rare_words(rng) -> list[str]:
    return ["".join(rng.choice(LETTERS) for _ in range(rng.randint(4, 7))) for _ in range(RARE_WORDS)]


ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, RARE_WORDS + 1)))


def _arabic(rng, rare, n):
    """n words: common ones, and one in three a rare word, the word of rank r drawn in proportion to 1/r."""
    drawn = iter(rng.choices(rare, cum_weights=ZIPF, k=n))
    return " ".join(next(drawn) if rng.random() < 0.33 else rng.choice(ARABIC) for _ in range(n))


class Command(BaseCommand):
    help = "Seed a five-year archive (articles, segments, published versions, memory) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--segments", type=int, default=30, help="Segments per article, on average.")
        parser.add_argument("--memory", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, articles, segments, memory, seed, **options):
        if Article.objects.exists():
            raise CommandError("The database holds articles already: seed an empty one.")
        rng = random.Random(seed)
        self.rare = rare_words(rng)
        rng.shuffle(self.rare)
        editor = get_user_model().objects.create_user("archive-editor")
        roles.set_role(editor, roles.EDITOR)
        keywords = Keyword.objects.bulk_create([Keyword(name=f"{word} {n}") for n, word in
                                                enumerate(rng.sample(ENGLISH, 60) * 4)])
        now = timezone.now()
        for start in range(0, articles, CHUNK):
            self._chunk(rng, editor, keywords, now, min(CHUNK, articles - start), segments, articles)
            self.stdout.write(f"  {start + CHUNK:>7,} articles", ending="\r")
        self.stdout.write("")
        self._memory(rng, memory, now)
        self.stdout.write("Indexing for search ...")
        done = search.index(SearchEntry.objects.filter(stale=True).values_list("pk", flat=True))
        self.stdout.write(f"Seeded {articles:,} articles, {Segment.objects.count():,} segments, "
                          f"{MemoryEntry.objects.count():,} memory entries; indexed {done:,}.")

    def _chunk(self, rng, editor, keywords, now, count, segments, total):
        documents, plans = [], []
        for _ in range(count):
            n = max(3, int(rng.gauss(segments, segments / 3)))
            title = _arabic(rng, self.rare, 8)
            paragraphs = [_arabic(rng, self.rare, rng.randint(15, 35)) for _ in range(n - 1)]
            documents.append(Document(source_language="ar", target_language="en", source_title=title,
                                      source_body="\n\n".join(paragraphs), original_body="\n\n".join(paragraphs),
                                      search_text=normalize("\n".join([title, *paragraphs]))))
            published = rng.random() < 0.8
            plans.append((title, paragraphs, published, now - timedelta(days=rng.uniform(0, 5 * 365))))
        documents = Document.objects.bulk_create(documents)
        rows, segment_rows = [], []
        for document, (title, paragraphs, published, _) in zip(documents, plans, strict=True):
            state = State.PUBLISHED if published else rng.choice([State.SOURCE, State.TRANSLATION, State.EDITING,
                                                                  State.ARCHIVED])
            rows.append(Article(document=document, state=state, source_outlet=rng.choice(OUTLETS),
                                created_by=editor, source_url=""))
            translated = published or state in (State.EDITING,)
            texts = [title, *paragraphs]
            for position, source in enumerate(texts):
                english = _sentence(rng, ENGLISH, len(source.split())) if translated else None
                segment_rows.append(Segment(document=document, position=position, source_text=source,
                                            kind=Segment.Kind.TITLE if position == 0 else Segment.Kind.PARAGRAPH,
                                            text=english, origin="human" if english else None))
        articles = Article.objects.bulk_create(rows)
        Segment.objects.bulk_create(segment_rows, batch_size=5000)
        through, versions = [], []
        texts_by_document = {}
        for segment in segment_rows:
            texts_by_document.setdefault(segment.document_id, []).append(segment)
        chosen_by_article = {}
        for article, (_, _, published, created) in zip(articles, plans, strict=True):
            chosen = chosen_by_article[article.pk] = rng.sample(keywords, 2)
            through += [Article.keywords.through(article_id=article.pk, keyword_id=k.pk) for k in chosen]
            if published:
                body = texts_by_document[article.document_id]
                versions.append(PublishedVersion(
                    article=article, number=1, slug=f"archive-{article.pk}", headline=body[0].text,
                    body=[{"kind": "paragraph", "text": s.text} for s in body[1:]],
                    keyword_names=[k.name for k in chosen], source_outlet=article.source_outlet,
                    source_language="ar", publication_name="The Archive", disclaimer="Translated.",
                    published_at=created))
        Article.keywords.through.objects.bulk_create(through)
        versions = PublishedVersion.objects.bulk_create(versions)
        PublishedVersion.keywords.through.objects.bulk_create([
            PublishedVersion.keywords.through(publishedversion_id=v.pk, keyword_id=k.pk)
            for v in versions for k in chosen_by_article[v.article_id]])
        live = {v.article_id: v for v in versions}
        for article, (_, _, published, created) in zip(articles, plans, strict=True):
            article.created_at = created
            if published:
                article.live_version, article.slug, article.published_at = live[article.pk], f"archive-{article.pk}", \
                    created
        Article.objects.bulk_update(articles, ["created_at", "live_version", "slug", "published_at"])
        SearchEntry.objects.bulk_create([SearchEntry(article_id=a.pk, stale=True) for a in articles])

    def _memory(self, rng, count, now):
        for start in range(0, count, 10_000):
            rows = []
            for n in range(start, min(count, start + 10_000)):
                source = f"{_sentence(rng, ARABIC, rng.randint(6, 20))} {n}"
                rows.append(MemoryEntry(source_language="ar", target_language="en", source_hash=memory_key(source),
                                        source_text=source, normalized=normalize(source),
                                        target_text=_sentence(rng, ENGLISH, 12), published_at=now))
            MemoryEntry.objects.bulk_create(rows)
            self.stdout.write(f"  {start + 10_000:>9,} memory entries", ending="\r")
        self.stdout.write("")
