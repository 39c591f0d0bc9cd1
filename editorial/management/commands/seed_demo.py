"""Demo users and Arabic source articles in several states, for `make run`. Safe to run again."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from editorial import drafting, remembering, roles, services, workflow
from editorial.models import Article, Job
from translations.models import GlossaryTerm

DEMO_ARTICLES = [
    {
        "title": "اتفاق ينهي التصعيد في جاسم: ماذا حققت المفاوضات؟",
        "outlet": "Horan Free League",
        "author": "أحمد المسالمة",
        "url": "https://example.org/horan/jasim-agreement",
        "keywords": ["Daraa", "Jasim", "Agreement"],
        "body": (
            "<p>عادت الحياة إلى طبيعتها في مدينة جاسم بريف درعا الشمالي بعد اتفاق أنهى أربعة أيام من التصعيد.</p>"
            "<p>وقال مصدر محلي إن الطرق أعيد فتحها صباح الثلاثاء، وإن القوات انسحبت من محيط المدينة.</p>"
            "<h2>ماذا حقق الاتفاق؟</h2>"
            "<p>نص الاتفاق على وقف إطلاق النار وإطلاق سراح ثلاثة معتقلين خلال 48 ساعة.</p>"
            "<p>وأكد وجهاء المدينة أن اللجنة المشتركة ستتابع تنفيذ البنود.</p>"
        ),
    },
    {
        "title": "ارتفاع أسعار الخبز في دمشق للمرة الثانية هذا العام",
        "outlet": "Enab Baladi",
        "author": "ريم حمود",
        "url": "https://example.org/enab/bread-prices",
        "keywords": ["Damascus", "Economy"],
        "body": (
            "رفعت وزارة التجارة الداخلية سعر ربطة الخبز إلى 4000 ليرة سورية.\n\n"
            "ويأتي القرار بعد أشهر من ارتفاع تكاليف الطحين والمحروقات.\n\n"
            "وقال أحد أصحاب الأفران إن الطلب انخفض بنحو الربع منذ بداية الشهر."
        ),
    },
    {
        "title": "افتتاح مدرسة جديدة في ريف إدلب بدعم من منظمة محلية",
        "outlet": "Syria TV",
        "author": "",
        "url": "https://example.org/syriatv/idlib-school",
        "keywords": ["Idlib", "Education"],
        "body": (
            "افتتحت منظمة محلية مدرسة جديدة تتسع لـ 600 طالب في ريف إدلب الجنوبي.\n\n"
            "وتضم المدرسة اثني عشر صفاً ومختبراً للعلوم."
        ),
    },
]

PUBLISHED_DEMO = {
    "title": "انقطاع المياه عن أحياء في مدينة الحسكة لليوم العاشر",
    "outlet": "Enab Baladi",
    "author": "خالد الجرعتلي",
    "url": "https://example.org/enab/hasakah-water",
    "keywords": ["Hasakah", "Water"],
    "body": (
        "تعيش أحياء واسعة في مدينة الحسكة بلا مياه شرب منذ عشرة أيام، بعد توقف محطة علوك عن الضخ.\n\n"
        "واضطر السكان إلى شراء المياه من الصهاريج الخاصة بأسعار مرتفعة."
    ),
}
PUBLISHED_TRANSLATION = [
    "Water Cut Off in Parts of al-Hasakah for the Tenth Day",
    "Large parts of al-Hasakah have had no drinking water for ten days, since the Alouk station stopped pumping.",
    "Residents have had to buy water from private tankers at high prices.",
]

DEMO_GLOSSARY = [
    ("جاسم", "Jasim", "town in northern Daraa countryside"),
    ("درعا", "Daraa", "city and governorate"),
    ("وقف إطلاق النار", "ceasefire", ""),
    ("وجهاء", "notables", ""),
]

DEMO_USERS = [("admin", roles.ADMIN), ("layla", roles.EDITOR), ("sami", roles.TRANSLATOR)]


class Command(BaseCommand):
    help = "Create demo users (printing their passwords) and demo articles in different states."

    def handle(self, **options):
        User = get_user_model()
        for username, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                user = User.objects.create_user(username, f"{username}@example.org", password)
                roles.set_role(user, role)
                self.stdout.write(f"  {role:<10} {username:<8} password: {password}")
            else:
                self.stdout.write(f"  {role:<10} {username:<8} (exists; reset with: "
                                  f"python manage.py adduser {username} --role {role} --password ...)")
        for source, target, note in DEMO_GLOSSARY:
            GlossaryTerm.objects.get_or_create(source_term=source, defaults={
                "target_term": target, "note": note, "do_not_translate": bool(note)})
        if Article.objects.exists():
            self.stdout.write("Demo articles already present.")
            return
        editor = User.objects.get(username="layla")
        translator = User.objects.get(username="sami")
        articles = [
            services.create_article(user=editor, language="ar", target_language="en", **demo)
            for demo in DEMO_ARTICLES
        ]
        # The first waits in translation with sami, partly done; the second is drafted and
        # available to claim; the third stays a source.
        for article in articles[:2]:
            _, job = workflow.apply(article.pk, editor, "draft")
            drafting.run_draft(job.pk)
        first = articles[0]
        workflow.apply(first.pk, translator, "claim")
        for segment in first.document.segments.order_by("position")[:3]:
            segment.refresh_from_db()
            services.save_segment(first.pk, segment.pk, translator, text=_demo_translation(segment.position),
                                  version=segment.version)
        published = services.create_article(user=editor, language="ar", target_language="en", **PUBLISHED_DEMO)
        _, job = workflow.apply(published.pk, editor, "draft")
        drafting.run_draft(job.pk)
        workflow.apply(published.pk, editor, "assign", assignee=translator.username)
        for segment, text in zip(published.document.segments.order_by("position"), PUBLISHED_TRANSLATION,
                                 strict=True):
            services.save_segment(published.pk, segment.pk, translator, text=text, version=segment.version)
        workflow.apply(published.pk, translator, "submit")
        published.refresh_from_db()
        services.update_details(published.pk, editor, version=published.version, standfirst=(
            "Residents of al-Hasakah have bought water from private tankers since the Alouk station stopped."))
        workflow.apply(published.pk, editor, "publish")
        # As for the drafts above, the job runs here rather than waiting for the worker: the demo memory is ready.
        for job in published.jobs.filter(kind=Job.Kind.MEMORY):
            remembering.run(job.pk)
        wire_items = _wire_desk_sources(editor)
        self.stdout.write(f"Created {len(articles) + 1} demo articles (one published: see /), and {wire_items} "
                          "incoming sources from the wire desk's outlets (see /desk/incoming/).")


def _demo_translation(position: int) -> str:
    return [
        "Agreement Ends Escalation in Jasim: What Did the Talks Achieve?",
        "Life returned to normal in the city of Jasim, in northern Daraa countryside, after an agreement "
        "ended four days of escalation.",
        "A local source said the roads were reopened on Tuesday morning and that forces withdrew from the "
        "outskirts of the city.",
    ][position]


# The wire desk's demo: the first events of its labelled set, each told by several outlets.
WIRE_DEMO_EVENTS = 6


def _wire_desk_sources(editor) -> int:
    """Incoming sources from the labelled outlets (editorial/wire/stories.json), grouped into stories now."""
    import json
    from pathlib import Path

    from editorial import wire

    events = json.loads((Path(wire.__file__).parent / "stories.json").read_text(encoding="utf-8"))["events"]
    made = 0
    for event in events[:WIRE_DEMO_EVENTS]:
        for item in event["items"]:
            services.create_article(user=editor, language="ar", target_language="en", title=item["title"],
                                    body=f"{item['lead']}\n\n{item['second']}", outlet=item["outlet"])
            made += 1
    wire.process()
    return made
