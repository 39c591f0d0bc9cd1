"""Take the README's screenshots: a throwaway desk with demo data, driven by Playwright in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshots.py   (writes docs/screenshots/*.png)
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "Screenshot-pass-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    scratch = tempfile.mkdtemp(prefix="tarjama-shots-")
    env = {**os.environ, "DEBUG": "1", "TARJAMA_VAR_DIR": scratch, "DATABASE_URL": "", "REDIS_URL": "",
           "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    os.environ.update(env)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    for user, role in (("admin", "admin"), ("layla", "editor"), ("sami", "translator")):
        subprocess.run([*manage, "adduser", user, "--role", role, "--password", PASSWORD], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    _prepare_review(env)
    port = free_port()
    server = subprocess.Popen([*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/")
                break
            except OSError:
                time.sleep(0.1)
        _shoot(base)
    finally:
        server.terminate()
        server.wait(10)


def _prepare_review(env):
    """Give the first demo article an editor's revision, so compare and track changes show something."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from editorial import services, workflow
    from editorial.models import Article

    article = Article.objects.order_by("pk").first()
    sami = get_user_model().objects.get(username="sami")
    layla = get_user_model().objects.get(username="layla")
    translations = [
        "Agreement Ends Escalation in Jasim: What Did the Talks Achieve?",
        "Life returned to normal in the city of Jasim, in the northern Daraa countryside, after an agreement "
        "ended four days of escalation.",
        "A local source said the roads were reopened on Tuesday morning and that forces withdrew from the "
        "outskirts of the city.",
        "What did the agreement achieve?",
        "The agreement provided for a ceasefire and the release of three detainees within 48 hours.",
        "The city's notables stressed that the joint committee will follow up on the implementation of the terms.",
    ]
    for segment in article.document.segments.order_by("position"):
        segment.refresh_from_db()
        if segment.text != translations[segment.position]:
            services.save_segment(article.pk, segment.pk, sami, text=translations[segment.position],
                                  version=segment.version)
    workflow.apply(article.pk, sami, "submit")
    segment = article.document.segments.get(position=2)
    services.save_segment(article.pk, segment.pk, layla, version=segment.version, text=(
        "A local source said the main roads reopened on Tuesday morning and that government forces withdrew "
        "from the outskirts of the city."))
    services.update_details(article.pk, layla, version=article.version, standfirst=(
        "Roads reopened and forces withdrew after talks between local groups and the government."))
    _original_changed(Article.objects.order_by("pk")[1])


def _original_changed(article):
    """What the watch leaves when the outlet edits a paragraph, adds one and removes one (editorial.watch)."""
    from django.utils import timezone

    from editorial import watch
    from editorial.models import Article

    sources = [[kind, text] for kind, text in article.document.segments.order_by("position")
               .values_list("kind", "source_text")]
    edited = sources[1][1].split(" ")
    edited[2:4] = ["مساء", "الأربعاء"]
    new = [sources[0], [sources[1][0], " ".join(edited)], *sources[2:-1],
           ["paragraph", "وأضاف المصدر أن دوريات مشتركة ستنتشر في أحياء المدينة خلال الأيام المقبلة."]]
    Article.objects.filter(pk=article.pk).update(
        source_url=article.source_url or "https://example.org/original", watch_outcome=watch.EDITED,
        watch_changed_at=timezone.now() - timezone.timedelta(hours=2), watch_changes=watch.changes(article, new))


def _shoot(base):
    from playwright.sync_api import sync_playwright

    from editorial.models import Article

    article = Article.objects.order_by("pk").first()
    first_revision = article.revisions.order_by("revision_id").first().revision_id
    second = Article.objects.order_by("pk")[1].pk  # read before Playwright's event loop starts
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])

        def signed_in(username, width=1280, height=820):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.goto(f"{base}/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/desk/")
            return page

        editor = signed_in("layla")
        editor.screenshot(path=OUT / "desk.png", full_page=True)
        editor.goto(f"{base}/desk/articles/{article.pk}/?track=1")
        editor.screenshot(path=OUT / "workspace.png", full_page=True)
        editor.goto(f"{base}/desk/articles/{article.pk}/compare/?from={first_revision}")
        editor.screenshot(path=OUT / "compare.png", full_page=True)
        admin = signed_in("admin")
        admin.goto(f"{base}/desk/team/")
        admin.screenshot(path=OUT / "team.png", full_page=True)
        editor.goto(f"{base}/desk/articles/{second}/")
        editor.locator(".watch-alert").screenshot(path=OUT / "original-changed.png")
        admin.goto(f"{base}/desk/incoming/")
        admin.screenshot(path=OUT / "incoming.png", full_page=False)
        phone = signed_in("sami", width=390, height=844)
        phone.goto(f"{base}/desk/articles/{second}/")
        phone.screenshot(path=OUT / "workspace-phone.png", full_page=False)
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
