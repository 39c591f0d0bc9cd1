"""The workspace where the work is: the editor's reasons, every reason a submit is refused, what a first draft
with no engine looks like, and whom to assign."""

import re

import pytest

from editorial import quality, services, workflow
from editorial.errors import Refused
from editorial.models import Article, State
from tests.conftest import fill_segments
from tests.editorial.test_desk import signed_in
from translations.checks.numbers import digit_numbers

pytestmark = pytest.mark.django_db


def numbered_segment(article):
    return next(s for s in article.document.segments.order_by("position") if digit_numbers(s.source_text))


def test_submit_is_refused_with_every_reason_at_once(make_article, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    empty = article.document.segments.get(position=0)
    services.save_segment(article.pk, empty.pk, translator, text="", version=empty.version)
    wrong = numbered_segment(article)
    services.save_segment(article.pk, wrong.pk, translator, text="No figures here.",
                          version=article.document.segments.get(pk=wrong.pk).version)

    with pytest.raises(Refused) as refused:
        workflow.apply(article.pk, translator, "submit")
    assert refused.value.code == "segments_incomplete"
    assert refused.value.details["positions"] == [0]
    assert [(i["position"], i["code"]) for i in refused.value.details["issues"]] == [(wrong.position, "numbers")]
    assert "still empty" in refused.value.message and "quality error" in refused.value.message


def test_the_desk_links_each_reason_to_its_segment(make_article, translator):
    article = make_article(State.TRANSLATION)
    wrong = numbered_segment(article)
    services.save_segment(article.pk, wrong.pk, translator, text="No figures here.", version=wrong.version)
    response = signed_in(translator).post(f"/desk/articles/{article.pk}/actions/submit/")
    assert response.status_code == 409
    html = response.content.decode()
    section = html[html.index('class="card refusal"'):]
    section = section[:section.index("</section>")]
    links = re.findall(r'<a href="#text-(\d+)">Segment (\d+)</a>: ([^<]+)</li>', section)
    segments = list(article.document.segments.order_by("position"))
    expected = [(str(s.pk), str(s.position), "no translation yet") for s in segments if s.pk != wrong.pk]
    assert [link for link in links if link[2] == "no translation yet"] == expected
    assert [(pk, position) for pk, position, message in links if "missing" in message] == [
        (str(wrong.pk), str(wrong.position))]


def test_the_editors_request_reaches_the_translator_until_the_next_submit(make_article, editor, translator):
    article = make_article(State.EDITING)
    edited = article.document.segments.get(position=1)
    services.save_segment(article.pk, edited.pk, editor, text="The editor's version 1", version=edited.version)
    workflow.apply(article.pk, editor, "request_changes", comment="Check the casualty figures.")

    client = signed_in(translator)
    desk = client.get("/desk/").content.decode()
    mine = desk[desk.index('data-section="mine"'):]
    assert "Changes requested:</strong> Check the casualty figures." in mine[:mine.index("</section>")]
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    banner = html[html.index('class="card review-request"'):]
    banner = banner[:banner.index("</section>")]
    assert "Changes requested by layla" in banner and "Check the casualty figures." in banner
    assert re.findall(r'<a href="#text-(\d+)">', banner) == [str(edited.pk)]

    workflow.apply(article.pk, translator, "submit")
    assert "review-request" not in signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Changes requested" not in signed_in(translator).get("/desk/").content.decode()


def test_a_request_stands_through_a_reassignment(make_article, editor, translator, other_translator):
    article = make_article(State.EDITING)
    workflow.apply(article.pk, editor, "request_changes", comment="Tighten the lede.")
    workflow.apply(article.pk, editor, "assign", assignee=other_translator.username)
    html = signed_in(other_translator).get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Tighten the lede." in html[html.index('class="card review-request"'):]


def test_a_first_draft_from_memory_only_says_why_and_hides_what_is_empty(make_article, editor, settings):
    settings.MT_ENGINE = "memory"
    article = make_article(State.TRANSLATION)
    article.document.segments.update(machine_text=None)
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert "No machine-translation engine is configured" in html
    assert 'class="segments no-drafts"' in html and 'class="machine"' not in html
    assert "Copy all drafts" not in html
    settings.MT_ENGINE = "libretranslate"  # an engine is configured: no notice, even before any draft
    html = signed_in(editor).get(f"/desk/articles/{article.pk}/").content.decode()
    assert "No machine-translation engine" not in html


def test_a_drafted_article_keeps_its_draft_column_and_copy_all(make_article, translator, settings):
    article = make_article(State.TRANSLATION)
    settings.MT_ENGINE = "libretranslate"
    article.document.segments.filter(position__gte=1).update(machine_text="A machine draft.", engine="libretranslate")
    html = signed_in(translator).get(f"/desk/articles/{article.pk}/").content.decode()
    assert "No machine-translation engine is configured" not in html
    assert 'class="machine"' in html and "Copy all drafts" in html
    fill_segments(article, translator)
    assert "Copy all drafts" not in signed_in(translator).get(f"/desk/articles/{article.pk}/").content.decode()



def test_scheduling_says_when_and_can_be_changed_or_called_off_without_a_reason(make_article, editor, settings):
    settings.TIME_ZONE = "Asia/Damascus"
    article = make_article(State.EDITING)
    client = signed_in(editor)
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert "Publish at, Asia/Damascus time (empty: now)" in html

    response = client.post(f"/desk/articles/{article.pk}/actions/publish/", {"publish_at": "2099-05-01T09:30"},
                           follow=True)
    html = response.content.decode()
    assert "Scheduled for Friday 1 May 2099, 09:30 (Asia/Damascus)." in html  # the message
    assert "Publish: done." not in html
    assert "<strong>Scheduled for Friday 1 May 2099, 09:30 (Asia/Damascus)</strong>" in html  # the workspace
    assert set(re.findall(r'data-action="(\w+)"', html)) == {"reschedule", "cancel_schedule", "archive"}
    assert 'value="2099-05-01T09:30"' in html  # the reschedule field starts from the current time

    html = client.post(f"/desk/articles/{article.pk}/actions/reschedule/", {"publish_at": "2099-05-02T18:00"},
                       follow=True).content.decode()
    assert "Scheduled for Saturday 2 May 2099, 18:00 (Asia/Damascus)." in html
    assert client.post(f"/desk/articles/{article.pk}/actions/reschedule/", {"publish_at": "2001-01-01T00:00"}
                       ).status_code == 400

    html = client.post(f"/desk/articles/{article.pk}/actions/cancel_schedule/", follow=True).content.decode()
    assert "Schedule cancelled" in html
    cancelled = Article.objects.get(pk=article.pk)
    assert (cancelled.state, cancelled.publish_at, cancelled.live_version_id) == (State.EDITING, None, None)
    assert cancelled.state_changes.last().comment == ""


def test_an_editors_deadline_shows_on_the_desk_and_stands_out_when_missed(make_article, editor, translator):
    article = make_article(State.TRANSLATION)
    client = signed_in(editor)
    client.post(f"/desk/articles/{article.pk}/deadline/", {"deadline": "2099-03-01T12:00"})
    assert Article.objects.get(pk=article.pk).deadline.year == 2099
    mine = signed_in(translator).get("/desk/").content.decode()
    assert "due 1 Mar 12:00" in mine and "overdue" not in mine

    # A translator may not set one; the editor's stays.
    signed_in(translator).post(f"/desk/articles/{article.pk}/deadline/", {"deadline": "2001-01-01T00:00"})
    assert Article.objects.get(pk=article.pk).deadline.year == 2099

    client.post(f"/desk/articles/{article.pk}/deadline/", {"deadline": "2001-01-01T00:00"})
    desk = signed_in(translator).get("/desk/").content.decode()
    assert 'class="deadline small overdue">overdue, due 1 Jan 00:00' in desk
    html = client.get(f"/desk/articles/{article.pk}/").content.decode()
    assert 'class="deadline overdue">Overdue: was due 1 Jan 00:00' in html

    client.post(f"/desk/articles/{article.pk}/deadline/", {"deadline": ""})
    assert Article.objects.get(pk=article.pk).deadline is None
    for bad in ("soon", "2099-02-30T10:00"):
        refused = client.post(f"/desk/articles/{article.pk}/deadline/", {"deadline": bad}, follow=True)
        assert "The deadline is not a date and time." in refused.content.decode()
    assert Article.objects.get(pk=article.pk).deadline is None


def test_a_published_article_is_never_overdue(make_article):
    from datetime import timedelta

    from django.utils import timezone

    article = make_article(State.PUBLISHED)
    article.deadline = timezone.now() - timedelta(days=1)
    assert not workflow.overdue(article)
    article.state = State.EDITING
    assert workflow.overdue(article)


def test_the_api_sets_and_shows_a_deadline_for_editors_only(make_article, editor, translator, api):
    article = make_article(State.TRANSLATION)
    url = f"/api/v1/articles/{article.pk}/"
    refused = api(translator).patch(url, {"version": article.version, "deadline": "2099-03-01T12:00:00Z"},
                                    format="json")
    assert refused.status_code == 403 and Article.objects.get(pk=article.pk).deadline is None
    done = api(editor).patch(url, {"version": article.version, "deadline": "2099-03-01T12:00:00Z"}, format="json")
    assert done.status_code == 200 and done.json()["deadline"].startswith("2099-03-01T12:00:00")
    assert api(editor).patch(url, {"version": article.version, "deadline": "soon"}, format="json").status_code == 400
    cleared = api(editor).patch(url, {"version": article.version, "deadline": None}, format="json")
    assert cleared.json()["deadline"] is None


def test_presence_shows_the_others_and_forgets_the_gone(make_article, editor, translator, monkeypatch):
    from editorial import presence

    article = make_article(State.EDITING)
    segment = article.document.segments.get(position=1)
    signed_in(editor).post(f"/desk/articles/{article.pk}/presence/", {"segment": str(segment.pk)})
    html = signed_in(translator).post(f"/desk/articles/{article.pk}/presence/").content.decode()
    assert f'<strong>layla</strong> (on <a href="#text-{segment.pk}"' in html and "segment 1</a>" in html
    assert "sami" not in signed_in(translator).post(f"/desk/articles/{article.pk}/presence/").content.decode()
    later = presence._now() + presence.PRESENCE_SECONDS + 1
    monkeypatch.setattr(presence, "_now", lambda: later)
    assert "layla" not in signed_in(translator).post(f"/desk/articles/{article.pk}/presence/").content.decode()
    other = make_article(State.SOURCE)
    assert signed_in(translator).post(f"/desk/articles/{other.pk}/presence/").status_code == 404


def test_the_desk_card_shows_open_quality_errors_not_a_finished_bar(make_article, editor, translator):
    article = make_article(State.TRANSLATION)
    fill_segments(article, translator)
    wrong = numbered_segment(article)
    services.save_segment(article.pk, wrong.pk, translator, text="No figures here at all, none.",
                          version=article.document.segments.get(pk=wrong.pk).version)
    desk = signed_in(translator).get("/desk/").content.decode()
    mine = desk[desk.index('data-section="mine"'):]
    mine = mine[:mine.index("</section>")]
    assert 'class="progress blocked"' in mine and "1 quality error open" in mine

    quality.override(article.pk, wrong.pk, editor, code="numbers", reason="The figure is in the headline.")
    desk = signed_in(translator).get("/desk/").content.decode()
    assert "quality error open" not in desk and "progress blocked" not in desk


def test_the_desk_costs_the_same_queries_with_more_work_in_hand(make_article, editor, django_assert_num_queries):
    from tests.editorial.test_desk import _count_queries

    client = signed_in(editor)
    make_article(State.TRANSLATION)
    make_article(State.EDITING)
    client.get("/desk/")
    small = _count_queries(client, "/desk/", django_assert_num_queries)
    for _ in range(3):
        make_article(State.TRANSLATION)
        make_article(State.EDITING)
    client.get("/desk/")
    with django_assert_num_queries(small):
        client.get("/desk/")
