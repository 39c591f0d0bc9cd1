"""Sanitising and splitting source bodies into segments."""

from translations.segmentation import plain_text, split_body


def test_plain_text_paragraphs_are_separated_by_blank_lines():
    split = split_body("الفقرة الأولى\nتكملة\n\n\n  الفقرة الثانية  \n\n")
    assert not split.is_html
    assert [(b.kind, b.text) for b in split.blocks] == [
        ("paragraph", "الفقرة الأولى تكملة"), ("paragraph", "الفقرة الثانية"),
    ]


def test_html_headings_become_heading_segments_in_order():
    split = split_body("<p>أول</p><h2>عنوان فرعي</h2><p>ثاني <b>مهم</b></p><h3>آخر</h3><ul><li>بند</li></ul>")
    assert split.is_html
    assert [(b.kind, b.text) for b in split.blocks] == [
        ("paragraph", "أول"), ("heading", "عنوان فرعي"), ("paragraph", "ثاني مهم"), ("heading", "آخر"),
        ("paragraph", "بند"),
    ]


def test_double_line_breaks_split_paragraphs():
    split = split_body("<div>one<br><br>two<br>still two</div>")
    assert [b.text for b in split.blocks] == ["one", "two still two"]


def test_nothing_executable_survives_sanitising():
    body = (
        '<p onclick="steal()">نص <a href="javascript:alert(1)">رابط</a> <a href="https://ok.example/">آمن</a></p>'
        '<script>alert("x")</script><img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
        '<style>p{}</style><h2 onmouseover="x()">عنوان</h2>'
    )
    split = split_body(body)
    clean = split.clean_body.lower()
    for bad in ("<script", "alert", "onclick", "onerror", "onmouseover", "javascript:", "<iframe", "<img", "<style"):
        assert bad not in clean, bad
    assert 'href="https://ok.example/"' in split.clean_body
    assert [(b.kind, b.text) for b in split.blocks] == [("paragraph", "نص رابط آمن"), ("heading", "عنوان")]


def test_entities_are_decoded_once_in_segment_text():
    split = split_body("<p>A &amp; B &lt;tag&gt;</p>")
    assert split.blocks[0].text == "A & B <tag>"
    assert plain_text("<b>Tom &amp; Jerry</b><script>x()</script>") == "Tom & Jerry"
