"""The quality checks, one by one, in the words a translator reads."""

import pytest

from translations.checks.base import Term, Unit, registered_checks, run_checks
from translations.checks.numbers import digit_numbers, word_numbers
from translations.normalize import normalize


def codes(source, target, **kwargs):
    return [(i.code, i.severity) for i in run_checks(Unit(source, target, **kwargs))]


def test_every_registered_check_has_an_id_and_a_severity():
    checks = registered_checks()
    assert {check.code for check in checks} == {"empty", "omitted", "numbers", "untranslated", "glossary",
                                                  "punctuation"}
    assert len(checks) == 6  # one code per check class
    for check in checks:
        assert check.code and check.severity in ("error", "warning")
        assert all(issue.code == check.code for issue in check.check(Unit("مصدر " * 20, "x")))


@pytest.mark.parametrize("source,target", [
    ("أطلق سراح ٤ معتقلين", "4 detainees were released"),
    ("أطلق سراح 4 معتقلين", "four detainees were released"),
    ("بلغ السعر ٤٬٠٠٠ ليرة", "The price reached 4,000 pounds"),
    ("بلغ السعر ٤٠٠٠ ليرة", "The price reached four thousand pounds"),
    ("ارتفع بنسبة ٢٫٥ بالمئة", "It rose by 2.5 percent"),
    ("خلال 48 ساعة", "within forty-eight hours"),
    ("في عام ۲۰۲۴", "in 2024"),
])
def test_numbers_match_across_digits_separators_and_words(source, target):
    assert ("numbers", "error") not in codes(source, target)


def test_a_dropped_number_is_an_error_naming_it():
    issues = run_checks(Unit("أطلق سراح ٤ معتقلين خلال ٤٨ ساعة", "Detainees were released within 48 hours."))
    numbers = [i for i in issues if i.code == "numbers"]
    assert [(i.severity, i.message) for i in numbers] == [("error", "4 in the source is missing in the translation.")]


def test_an_added_number_is_a_warning():
    issues = run_checks(Unit("أطلق سراح معتقلين", "5 detainees were released."))
    assert [(i.code, i.severity) for i in issues if i.code == "numbers"] == [("numbers", "warning")]


def test_number_parsing():
    assert digit_numbers("٤٬٠٠٠ و٢٫٥ و07") == ["4000", "2.5", "7"]
    assert word_numbers("three hundred and twelve people, two thousand more and one") == ["312", "2000", "1"]


def test_arabic_left_in_the_english_is_an_error():
    issues = run_checks(Unit("قال الوجهاء", "The notables of جاسم said"))
    assert ("untranslated", "error") in [(i.code, i.severity) for i in issues]
    assert "جاسم" in next(i.message for i in issues if i.code == "untranslated")


def test_empty_and_omitted():
    assert codes("فقرة", "") == [("empty", "error")]
    long_source = "عادت الحياة إلى طبيعتها في مدينة جاسم بعد اتفاق أنهى أربعة أيام من التصعيد بين الطرفين"
    assert ("omitted", "warning") in codes(long_source, "Life returned.")
    assert ("omitted", "warning") not in codes(long_source, "Life returned to normal in Jasim after an agreement "
                                                             "ended four days of escalation between the two sides.")


def test_glossary_terms_must_be_rendered():
    terms = (Term("جاسم", "Jasim", do_not_translate=True),)
    issues = run_checks(Unit("في جاسم", "In Jassem", terms=terms))
    assert [(i.code, i.message) for i in issues if i.code == "glossary"] == [
        ("glossary", "جاسم should be rendered as “Jasim” (a name: do not translate it).")
    ]
    assert not [i for i in run_checks(Unit("في جاسم", "In Jasim", terms=terms)) if i.code == "glossary"]


@pytest.mark.parametrize("target,message", [
    ("He said (it was over.", "Unbalanced ()."),
    ("He said “it was over.", "Unbalanced “”."),
    ('He said "it was over.', 'Unbalanced " quotes.'),
    ("It was  over.", "Double space."),
    ("It was over. ", "Space at the start or end."),
])
def test_punctuation(target, message):
    issues = [i for i in run_checks(Unit("انتهى", target)) if i.code == "punctuation"]
    assert [i.message for i in issues] == [message]


def test_arabic_normalisation():
    assert normalize("أَحْمَدُ") == normalize("احمد")
    assert normalize("مدرســـة") == normalize("مدرسه")
    assert normalize("إلى") == normalize("الي")
    assert normalize("٤٨") == "48"


@pytest.mark.parametrize("source,target", [
    ("نزح ٢٬٠٠٠٬٠٠٠ شخص", "2 million people were displaced"),
    ("نزح ٢ مليون شخص", "2,000,000 people were displaced"),
    ("نزح ٢ مليون شخص", "two million people were displaced"),
    ("بلغت الخسائر ١٫٥ مليار دولار", "Losses reached $1.5 billion"),
    ("بلغت الخسائر 1.5 مليار دولار", "Losses reached 1,500,000,000 dollars"),
    ("ارتفعت الأسعار ٥٠٪", "Prices rose 50%"),
    ("ارتفعت الأسعار بنسبة ٥٠ بالمئة", "Prices rose by 50 percent"),
    ("الجولة ٣ من المفاوضات", "The third round of talks"),
    ("في القرن ٢١", "In the twenty-first century"),
    ("في الجولة ٣", "In the 3rd round"),
    ("قتل ٣ آلاف", "3,000 were killed"),
])
def test_numbers_at_scale_percentages_and_ordinals_match(source, target):
    assert ("numbers", "error") not in codes(source, target), (source, target)


@pytest.mark.parametrize("source,target", [
    ("نزح ٢ مليون شخص", "2 billion people were displaced"),
    ("نزح ٢٬٠٠٠٬٠٠٠ شخص", "20 million people were displaced"),
    ("الجولة ٣ من المفاوضات", "The fourth round of talks"),
])
def test_a_wrong_scale_or_ordinal_is_still_an_error(source, target):
    assert ("numbers", "error") in codes(source, target), (source, target)
