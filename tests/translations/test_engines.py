"""Contract tests every machine-translation engine must pass, against a local server speaking its protocol."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tests.fakes.mt_servers import SERVERS, fake_translation
from translations.machinery.base import MachineTranslationError
from translations.memory import memory_key
from translations.models import MemoryEntry

REMOTE_ENGINES = sorted(name for name in settings.MT_ENGINES if name != "memory")

pytestmark = pytest.mark.django_db


def test_every_registered_engine_has_a_contract_server():
    assert set(REMOTE_ENGINES) == set(SERVERS)


@pytest.fixture(params=REMOTE_ENGINES)
def service(request):
    server = SERVERS[request.param]()
    yield server
    server.stop()


def engine_for(service, **config):
    engine = import_string(settings.MT_ENGINES[service.name])(service.config(**config))
    engine.timeout = 2.0
    return engine


TEXTS = ["مرحبا", "عادت الحياة إلى طبيعتها", "الطرق أعيد فتحها"]


def test_translates_in_order_and_marks_the_engine(service):
    drafts = engine_for(service).translate(TEXTS, "ar", "en")
    assert [d.text for d in drafts] == [fake_translation(t) for t in TEXTS]
    assert {(d.origin, d.engine) for d in drafts} == {("machine", service.name)}
    assert len(service.requests) == 1


def test_batches_stay_within_the_service_limits(service):
    engine = engine_for(service)
    texts = [f"فقرة رقم {i}" for i in range(engine.max_batch_size * 2 + 3)]
    drafts = engine.translate(texts, "ar", "en")
    assert [d.text for d in drafts] == [fake_translation(t) for t in texts]
    assert len(service.requests) == 3


def test_batches_split_on_size_too(service):
    engine = engine_for(service)
    engine.max_batch_chars = 100
    texts = ["ا" * 60, "ب" * 60, "ج" * 60]
    engine.translate(texts, "ar", "en")
    assert len(service.requests) == 3


def test_memory_matches_are_used_first_and_not_sent(service):
    MemoryEntry.objects.create(source_language="ar", target_language="en", source_hash=memory_key(TEXTS[1]),
                               source_text=TEXTS[1], target_text="Life returned to normal")
    drafts = engine_for(service).translate(TEXTS, "ar", "en")
    assert (drafts[1].text, drafts[1].origin, drafts[1].engine) == ("Life returned to normal", "memory", "memory")
    assert drafts[0].origin == drafts[2].origin == "machine"
    sent = str(service.requests[0]["json"])
    assert TEXTS[1] not in sent and TEXTS[0] in sent


def test_rate_limit_is_retryable_and_says_when(service):
    service.script.append(service.rate_limited(retry_after=7))
    with pytest.raises(MachineTranslationError) as error:
        engine_for(service).translate(TEXTS, "ar", "en")
    assert error.value.retryable
    assert "429" in str(error.value)
    if service.name != "google":  # Google does not send Retry-After
        assert error.value.retry_after == 7


def test_server_errors_are_retryable(service):
    service.script.append(service.unavailable())
    with pytest.raises(MachineTranslationError) as error:
        engine_for(service).translate(TEXTS, "ar", "en")
    assert error.value.retryable and "503" in str(error.value)


def test_a_rejected_key_is_permanent_and_named(service):
    with pytest.raises(MachineTranslationError) as error:
        engine_for(service, api_key="wrong").translate(TEXTS, "ar", "en")
    assert not error.value.retryable
    assert "rejected the API key" in str(error.value)


def test_a_refused_request_is_permanent_with_the_services_reason(service):
    service.script.append(service.bad_request())
    with pytest.raises(MachineTranslationError) as error:
        engine_for(service).translate(TEXTS, "ar", "en")
    assert not error.value.retryable
    assert "400" in str(error.value)


def test_timeouts_are_retryable(service):
    service.delay = 3.0
    engine = engine_for(service)
    engine.timeout = 0.5
    with pytest.raises(MachineTranslationError) as error:
        engine.translate(TEXTS[:1], "ar", "en")
    assert error.value.retryable and "did not answer" in str(error.value)


def test_an_unreachable_service_is_retryable(service):
    engine = engine_for(service, url="http://127.0.0.1:9")
    with pytest.raises(MachineTranslationError) as error:
        engine.translate(TEXTS[:1], "ar", "en")
    assert error.value.retryable and "Could not reach" in str(error.value)


def test_describe_never_shows_the_secret(service):
    description = engine_for(service).describe()
    assert description["engine"] == service.name
    assert description["api_key_set"] is True
    assert service.valid_key not in str(description)


def test_deepl_sends_its_own_language_codes():
    server = SERVERS["deepl"]()
    try:
        engine_for(server).translate(TEXTS[:1], "ar", "en")
        body = server.requests[0]["json"]
        assert (body["source_lang"], body["target_lang"]) == ("AR", "EN-GB")
    finally:
        server.stop()


def test_a_language_model_that_miscounts_is_asked_one_segment_at_a_time():
    server = SERVERS["openai"]()
    try:
        import json

        wrong = {"choices": [{"index": 0, "message": {"role": "assistant",
                                                      "content": json.dumps({"translations": ["only one"]})}}]}
        server.script.append((200, wrong, {}))
        drafts = engine_for(server).translate(TEXTS, "ar", "en")
        assert [d.text for d in drafts] == [fake_translation(t) for t in TEXTS]
        assert len(server.requests) == 1 + len(TEXTS)
    finally:
        server.stop()


def test_mt_check_translates_a_sample_with_the_configured_engine(settings, capsys):
    from django.core.management import call_command

    server = SERVERS["libretranslate"]()
    try:
        settings.MT_ENGINE = "libretranslate"
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "libretranslate": server.config()}
        call_command("mt_check")
        out = capsys.readouterr().out
        assert "libretranslate" in out and "[en] عادت الحياة" in out and "The engine works." in out
        assert server.valid_key not in out
    finally:
        server.stop()


def test_mt_check_fails_with_the_services_reason(settings):
    from django.core.management import CommandError, call_command

    server = SERVERS["deepl"]()
    try:
        settings.MT_ENGINE = "deepl"
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "deepl": server.config(api_key="bad")}
        with pytest.raises(CommandError, match="DeepL rejected the API key"):
            call_command("mt_check")
    finally:
        server.stop()


def test_admins_see_and_test_the_engine_through_the_api(settings, api, admin_user, editor):
    server = SERVERS["google"]()
    try:
        settings.MT_ENGINE = "google"
        settings.MT_ENGINE_SETTINGS = {**settings.MT_ENGINE_SETTINGS, "google": server.config()}
        info = api(admin_user).get("/api/v1/mt/").json()
        assert info["engine"] == "google" and info["configuration"]["api_key_set"] is True
        assert "memory" in info["engines"] and server.valid_key not in str(info)
        check = api(admin_user).post("/api/v1/mt/", {}, format="json").json()
        assert check["ok"] is True and check["translation"].startswith("[en] ")
        assert api(editor).get("/api/v1/mt/").status_code == 403
    finally:
        server.stop()


def test_near_memory_matches_prefill_marked_and_are_not_sent(service, settings):
    from datetime import UTC, datetime

    from translations import memory
    from translations.machinery.base import FUZZY_ENGINE

    remembered = "عادت الحياة إلى طبيعتها في مدينة جاسم صباح اليوم بعد اتفاق وقف إطلاق النار"
    near = remembered.replace("اليوم", "اليوم،")  # one mark apart: well above 95%
    far = "عادت الحياة إلى طبيعتها في مدينة نوى"  # a different sentence sharing its start
    memory.store([memory.Pair(remembered, "Life returned to normal in Jasim this morning")], "ar", "en",
                 datetime(2026, 1, 1, tzinfo=UTC))
    drafts = engine_for(service).translate([near, far], "ar", "en")
    assert (drafts[0].text, drafts[0].origin, drafts[0].engine) == (
        "Life returned to normal in Jasim this morning", "memory", FUZZY_ENGINE)
    assert drafts[1].origin == "machine"
    assert near not in str(service.requests[0]["json"]) and far in str(service.requests[0]["json"])

    settings.MEMORY_PREFILL_SCORE = 0  # exact matches only
    assert engine_for(service).translate([near], "ar", "en")[0].origin == "machine"
