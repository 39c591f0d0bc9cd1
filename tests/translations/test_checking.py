"""Quality reports cached on what they depend on: a read computes only what changed, and never a stale answer."""

import pytest
from django.core.cache import cache

from translations import checking
from translations.checks.base import Check, Issue
from translations.models import Document, GlossaryTerm, Segment

pytestmark = pytest.mark.django_db

CALLS = []


class CountingCheck(Check):
    """A check that records every unit it is asked about (and finds nothing)."""

    code = "counting"

    def check(self, unit) -> list[Issue]:
        CALLS.append(unit.target)
        return []


@pytest.fixture
def counted(settings):
    settings.QUALITY_CHECKS = [*settings.QUALITY_CHECKS, f"{__name__}.CountingCheck"]
    cache.clear()
    CALLS.clear()
    yield CALLS
    cache.clear()


def document(texts: list[str | None]) -> list[Segment]:
    doc = Document.objects.create(source_language="ar", target_language="en", source_title="عنوان",
                                  source_body="", original_body="")
    return [Segment.objects.create(document=doc, position=i, kind="paragraph",
                                   source_text=f"قال مصدر من درعا إن {i + 1} معتقلين أطلق سراحهم.", text=text)
            for i, text in enumerate(texts)]


def read(segments):
    return checking.reports(Segment.objects.filter(pk__in=[s.pk for s in segments]).order_by("position"), "ar", "en")


def codes(report) -> list[str]:
    return [issue.code for issue in report.issues]


def test_a_second_read_runs_no_check_and_costs_one_query(counted, django_assert_num_queries):
    segments = document([f"A source in Daraa said {i + 1} detainees were released." for i in range(5)])
    segments = list(Segment.objects.filter(pk__in=[s.pk for s in segments]).order_by("position"))
    first = checking.reports(segments, "ar", "en")
    assert len(counted) == 5
    counted.clear()
    with django_assert_num_queries(1):  # the glossary's stamp
        again = checking.reports(segments, "ar", "en")
    assert counted == []
    assert again == first


def test_a_saved_text_is_checked_again_alone_without_reading_the_glossary(counted, django_assert_num_queries):
    segments = document(["A source in Daraa said 1 detainees were released.", "A source said 2 were released."])
    read(segments)
    counted.clear()
    Segment.objects.filter(pk=segments[1].pk).update(text="A source said detainees were released.")
    changed = list(Segment.objects.filter(pk__in=[s.pk for s in segments]).order_by("position"))
    with django_assert_num_queries(1):
        found = checking.reports(changed, "ar", "en")
    assert counted == ["A source said detainees were released."]
    assert "numbers" in codes(found[segments[1].pk]) and "numbers" not in codes(found[segments[0].pk])


def test_adding_editing_and_deleting_a_glossary_term_changes_the_reports(counted):
    segments = document(["A source in Deraa said 1 detainees were released."])
    pk = segments[0].pk
    assert read(segments)[pk].terms == ()

    term = GlossaryTerm.objects.create(source_term="درعا", target_term="Daraa")
    found = read(segments)[pk]
    assert [t.target for t in found.terms] == ["Daraa"]
    assert "glossary" in codes(found)

    term.target_term = "Deraa"
    term.save()
    found = read(segments)[pk]
    assert [t.target for t in found.terms] == ["Deraa"] and "glossary" not in codes(found)

    term.delete()
    found = read(segments)[pk]
    assert found.terms == () and "glossary" not in codes(found)


def test_other_checks_are_new_keys_not_stale_answers(counted, settings):
    segments = document(["A source in Daraa said 1 detainees were released."])
    read(segments)
    counted.clear()
    settings.QUALITY_CHECKS = [path for path in settings.QUALITY_CHECKS if not path.endswith("GlossaryCheck")]
    read(segments)
    assert len(counted) == 1


def test_a_cache_that_fails_is_a_cache_that_misses(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "newsroom.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
                                   "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}}}
    segments = document(["A source in Daraa said detainees were released.", None])
    found = read(segments)
    assert "numbers" in codes(found[segments[0].pk])
    assert codes(found[segments[1].pk]) == ["empty"]
    assert "Quality reports not read from the cache" in caplog.text


def test_checks_shipped_without_source_still_have_a_fingerprint(tmp_path):
    import hashlib
    import types

    bare = types.ModuleType("checks_without_a_file")
    assert checking._source(bare) == "checks_without_a_file"
    compiled = tmp_path / "checks.cpython-311.pyc"
    compiled.write_bytes(b"\x00compiled checks")
    bytecode_only = types.ModuleType("checks_as_bytecode")
    bytecode_only.__cached__ = str(compiled)
    assert checking._source(bytecode_only) == hashlib.sha256(b"\x00compiled checks").hexdigest()
