"""Each source language folds, counts and checks as it is written: a real news paragraph of each, with a good
translation and a faulty one."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.fakes.mt_servers import SERVERS
from translations import languages
from translations.checks.base import Unit, run_checks
from translations.checks.numbers import digit_numbers
from translations.machinery.base import MachineTranslationError
from translations.normalize import as_written, fold, normalize
from translations.segmentation import split_body

# One paragraph of each language as its press writes it, and its English translation.
PERSIAN = ("به گزارش خبرگزاری ایسنا، نرخ تورم سالانه در آبان‌ماه به ۳۲٫۵ درصد رسید و بانک مرکزی اعلام کرد که حجم "
           "نقدینگی از ۸ هزار میلیارد تومان فراتر رفته است.")
PERSIAN_EN = ("According to the ISNA news agency, annual inflation reached 32.5 percent in the month of Aban, and the "
              "Central Bank said that liquidity had passed 8 trillion tomans.")
KURDISH = ("بەپێی ڕاپۆرتی وەزارەتی تەندروستی، لە ماوەی ٢٤ کاتژمێری ڕابردوودا ١٢ کەس لە هەولێر بریندار بوون و "
           "زیانەکان بە ٣ ملیۆن دینار مەزەندە دەکرێن.")
KURDISH_EN = ("According to a Health Ministry report, 12 people were injured in Erbil in the past 24 hours, and the "
              "damage is estimated at 3 million dinars.")
HEBREW = ("לפי נתוני הלשכה המרכזית לסטטיסטיקה, שיעור האבטלה בישראל עלה ל־4.2% בחודש אוקטובר, ומספר דורשי העבודה "
          "הגיע ל־210 אלף.")
HEBREW_EN = ("According to the Central Bureau of Statistics, unemployment in Israel rose to 4.2% in October, and the "
             "number of job seekers reached 210,000.")
TURKISH = ("Türkiye İstatistik Kurumu'nun açıkladığı verilere göre yıllık enflasyon kasımda yüzde 47,09 oldu; Merkez "
           "Bankası politika faizini 1.500 baz puan artırarak yüzde 42,5'e yükseltti.")
TURKISH_EN = ("According to data released by the Turkish Statistical Institute, annual inflation was 47.09 percent in "
              "November; the Central Bank raised its policy rate by 1,500 basis points to 42.5 percent.")
ARABIC = "وقال مصدر محلي إن ٣ مدنيين قتلوا وأصيب ١٢ آخرون في قصف على مدينة جاسم، وإن الأضرار تقدر بـ٢٫٥ مليون ليرة."
ARABIC_EN = ("A local source said 3 civilians were killed and 12 others wounded in shelling on the town of Jasim, and "
             "that the damage is estimated at 2.5 million pounds.")

PARAGRAPHS = {"ar": (ARABIC, ARABIC_EN, ["3", "12", "2500000"]),
              "fa": (PERSIAN, PERSIAN_EN, ["32.5", "8000000000000"]),
              "ckb": (KURDISH, KURDISH_EN, ["24", "12", "3000000"]),
              "he": (HEBREW, HEBREW_EN, ["4.2", "210000"]),
              "tr": (TURKISH, TURKISH_EN, ["47.09", "1500", "42.5"])}


def issues(source, target, language):
    return [(i.code, i.severity, i.message) for i in run_checks(Unit(source, target, source_language=language))]


@pytest.mark.parametrize("language", PARAGRAPHS)
def test_each_languages_numbers_are_read_as_its_press_writes_them(language):
    source, translation, numbers = PARAGRAPHS[language]
    assert digit_numbers(source, language) == numbers
    assert sorted(digit_numbers(translation, "en")) == sorted(numbers)
    assert issues(source, translation, language) == []


@pytest.mark.parametrize("language", PARAGRAPHS)
def test_a_number_dropped_from_the_translation_is_an_error_in_every_language(language):
    source, translation, numbers = PARAGRAPHS[language]
    dropped = numbers[0]
    english = {"2500000": "2.5 million", "8000000000000": "8 trillion", "3000000": "3 million",
               "210000": "210,000", "1500": "1,500"}.get(dropped, dropped)
    assert english in translation
    found = issues(source, translation.replace(english, "some"), language)
    assert ("numbers", "error", f"{dropped} in the source is missing in the translation.") in found


def test_turkish_decimal_comma_and_thousands_dot_are_not_arabic_ones():
    # In Turkish 1.500 is fifteen hundred and 2,5 two and a half; in an Arabic or English text 1.500 is 1.5.
    assert digit_numbers("1.500 kişi ve 2,5 milyar lira", "tr") == ["1500", "2500000000"]
    assert digit_numbers("1.500", "ar") == ["1.5"]
    assert issues("Toplam 1.500 kişi", "In all 1.5 people", "tr")[0][:2] == ("numbers", "error")


def test_persian_digits_and_separators_fold_to_western_ones():
    assert digit_numbers("۱۲٬۳۴۵ و ۶٫۷۵", "fa") == ["12345", "6.75"]
    # Arabic-Indic digits typed in a Persian text (٤ for ۴) are digits still.
    assert digit_numbers("٤۵ نفر", "fa") == ["45"]


@pytest.mark.parametrize("language, name", [("ar", "Arabic"), ("fa", "Persian"), ("ckb", "Kurdish (Sorani)"),
                                            ("he", "Hebrew")])
def test_source_script_left_in_the_translation_is_named_in_its_language(language, name):
    source, translation, _ = PARAGRAPHS[language]
    left = source.split()[2]
    found = issues(source, f"{translation} {left}", language)
    assert ("untranslated", "error", f"{name} text is left in the translation: {left}.") in found


def test_turkish_left_untranslated_is_found_by_the_words_copied_not_by_its_letters():
    # Turkish is written in Latin letters, as English is: a name such as Erdoğan is no error ...
    assert issues("Cumhurbaşkanı Erdoğan Ankara'da konuştu.", "President Erdoğan spoke in Ankara.", "tr") == []
    # ... but a clause copied from the source is, whatever its case and apostrophes.
    found = issues(TURKISH, TURKISH_EN + " Merkez Bankası politika faizini artırdı.", "tr")
    assert ("untranslated", "error",
            "Turkish text is left in the translation: Merkez Bankası politika faizini.") in found


def test_persian_folds_arabic_keyboard_letters_onto_its_own():
    typed_on_arabic_keyboard = "كميسيون ملي اعلام كرد"  # Arabic ك and ي
    persian = "کمیسیون ملی اعلام کرد"
    assert fold(typed_on_arabic_keyboard, "fa") == fold(persian, "fa") == "کمیسیون ملی اعلام کرد"
    # The zero-width non-joiner of می‌شود is a way of writing, not a letter.
    assert fold("می‌شود", "fa") == fold("میشود", "fa")
    # Arabic folds the other way: its memory keys stay as they were.
    assert fold(persian, "ar") == "كميسيون ملي اعلام كرد"


def test_kurdish_folds_its_e_and_h_as_arabic_keyboards_type_them():
    assert fold("هەولێر", "ckb") == fold("هه‌ولێر", "ckb") == fold("ھەولێر", "ckb")
    assert fold("ڕاپۆرت", "ckb") != fold("راپورت", "ckb")  # its own letters (ڕ, ۆ) stay


def test_hebrew_drops_points_and_reads_gershayim_as_a_quote():
    assert fold("בְּרֵאשִׁית", "he") == fold("בראשית", "he") == "בראשית"
    assert fold("צה״ל", "he") == fold('צה"ל', "he")
    assert fold("בית־ספר", "he") == "בית-ספר"


def test_turkish_lowers_its_dotted_and_dotless_i():
    assert fold("İSTANBUL", "tr") == "istanbul"
    assert fold("IĞDIR", "tr") == "ığdır"
    assert fold("hâlâ", "tr") == fold("hala", "tr")
    assert fold("Şam’da", "tr") == fold("Şam'da", "tr")


def test_the_loose_fold_lets_a_search_match_across_the_arabic_script_languages():
    assert normalize("کمیسیون") == normalize("كميسيون")
    assert normalize("هەولێر") == normalize("ههولێر")
    assert normalize("İstanbul") == normalize("istanbul")


def test_persian_and_kurdish_sources_are_kept_with_their_own_letters():
    split = split_body("<p>كميسيون ملي</p><h2>يك گزارش</h2>", "fa")
    assert [b.text for b in split.blocks] == ["کمیسیون ملی", "یک گزارش"]
    # Arabic text is kept exactly as written.
    assert split_body("كميسيون ملي", "ar").blocks[0].text == "كميسيون ملي"
    assert as_written("e\u0301", "tr") == "é"


def test_directions_and_names():
    assert [(lang.code, lang.direction) for lang in map(languages.get, ["ar", "fa", "ckb", "he", "tr"])] == [
        ("ar", "rtl"), ("fa", "rtl"), ("ckb", "rtl"), ("he", "rtl"), ("tr", "ltr")]
    assert languages.language_name("ckb") == "Kurdish (Sorani)"
    assert languages.get("ar-SY").direction == "rtl" and languages.language_name("ar-SY") == "Arabic"
    assert languages.get("xx").direction == "ltr"


def test_source_languages_refuse_a_language_without_rules():
    languages.check_setting(["ar", "fa", "ckb", "he", "tr"])
    with pytest.raises(ImproperlyConfigured, match="xx"):
        languages.check_setting(["ar", "xx"])
    with pytest.raises(ImproperlyConfigured):
        languages.check_setting([])


def test_not_a_source_language_names_what_the_desk_takes(settings):
    settings.SOURCE_LANGUAGES = ["ar", "fa"]
    assert languages.not_a_source_language("fa") == ""
    assert languages.not_a_source_language("ar-SY") == ""
    assert languages.not_a_source_language("he") == (
        "'he' is not a source language of this desk; it translates from ar (Arabic), fa (Persian) (SOURCE_LANGUAGES).")


# Engines: each is asked in its own codes, and one that lacks a language says so before any request.

@pytest.mark.django_db
@pytest.mark.parametrize("engine, language, sent", [
    ("libretranslate", "fa", ("fa", "en")), ("google", "ckb", ("ckb", "en")), ("deepl", "he", ("HE", "EN-GB")),
    ("deepl", "tr", ("TR", "EN-GB")), ("openai", "ckb", None),
])
def test_engines_are_asked_in_their_own_language_codes(engine, language, sent):
    from django.conf import settings
    from django.utils.module_loading import import_string

    server = SERVERS[engine]()
    try:
        machine = import_string(settings.MT_ENGINES[engine])(server.config())
        drafts = machine.translate([PARAGRAPHS[language][0]], language, "en")
        assert drafts[0] is not None and drafts[0].engine == engine
        body = server.requests[0]["json"]
        if engine == "deepl":
            assert (body["source_lang"], body["target_lang"]) == sent
        elif engine == "openai":
            assert "from Kurdish (Sorani) into English" in body["messages"][0]["content"]
        else:
            assert (body["source"], body["target"]) == sent
    finally:
        server.stop()


@pytest.mark.django_db
@pytest.mark.parametrize("language, name", [("fa", "Persian"), ("ckb", "Kurdish (Sorani)")])
def test_an_engine_without_the_language_refuses_it_plainly_and_asks_nothing(language, name):
    from django.conf import settings
    from django.utils.module_loading import import_string

    server = SERVERS["deepl"]()
    try:
        machine = import_string(settings.MT_ENGINES["deepl"])(server.config())
        with pytest.raises(MachineTranslationError) as refused:
            machine.translate([PARAGRAPHS[language][0]], language, "en")
        assert refused.value.retryable is False
        assert str(refused.value).startswith(f"DeepL does not translate {name}:")
        assert server.requests == []
    finally:
        server.stop()
