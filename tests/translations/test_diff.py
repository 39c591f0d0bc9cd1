from translations.diff import word_diff


def test_word_level_changes():
    assert word_diff("The quick brown fox", "The slow brown fox jumps") == [
        ["equal", "The "], ["delete", "quick"], ["insert", "slow"], ["equal", " brown fox"], ["insert", " jumps"],
    ]


def test_whole_words_are_replaced_not_letters():
    ops = word_diff("casualties rose", "casualty rose")
    assert ["delete", "casualties"] in ops and ["insert", "casualty"] in ops


def test_empty_sides_and_arabic():
    assert word_diff(None, "new") == [["insert", "new"]]
    assert word_diff("old", None) == [["delete", "old"]]
    assert word_diff("عاد الهدوء", "عاد الهدوء") == [["equal", "عاد الهدوء"]]
