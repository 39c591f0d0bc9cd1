"""translations.xliff: segments out as XLIFF 1.2 and units back, with every character intact."""

import pytest
from lxml import etree
from translate.storage import xliff as toolkit

from translations import xliff
from translations.models import Document, Segment

pytestmark = pytest.mark.django_db

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

TITLE_AR = "اتفاق ينهي التصعيد في جاسم"
# Arabic with Latin, digits, an RTL mark and a Latin name inside: the bidirectional mix a CAT tool must not touch.
MIXED_AR = "قال \u200fمدير المنظمة «UNICEF» إن 48 طفلاً (أي 12%) عادوا إلى مدارسهم في 2024."
MARKUP = 'He said <b>"enough"</b> & left; 5 < 6 > 4, \'quoted\' &amp; <script>alert(1)</script>'


def make_document(segments, source_language="ar", target_language="en"):
    document = Document.objects.create(
        source_language=source_language, target_language=target_language, source_title=segments[0]["source_text"],
        source_body="...", original_body="...",
    )
    return document, [
        Segment.objects.create(document=document, position=i, **{"kind": "paragraph", **fields})
        for i, fields in enumerate(segments)
    ]


def tree(data: bytes):
    return etree.fromstring(data)


def unit_node(data: bytes, segment_id: int):
    return tree(data).xpath(f"//x:trans-unit[@id='{segment_id}']", namespaces=NS)[0]


def test_round_trip_keeps_every_segment():
    document, segments = make_document([
        {"kind": "title", "source_text": TITLE_AR, "text": "Deal ends escalation in Jasim", "origin": "human",
         "version": 4},
        {"kind": "heading", "source_text": "ما بعد الاتفاق", "text": None, "version": 1},
        {"source_text": MIXED_AR, "machine_text": "He said...", "text": "He said...", "origin": "machine",
         "engine": "libretranslate", "version": 2},
    ])

    data = xliff.build(document, segments, original="article-7")
    parsed = xliff.parse(data)

    assert (parsed.original, parsed.source_language, parsed.target_language) == ("article-7", "ar", "en")
    assert [(u.id, u.kind, u.position, u.version, u.source) for u in parsed.units] == [
        (str(s.pk), s.kind, s.position, s.version, s.source_text) for s in segments
    ]
    assert [u.target for u in parsed.units] == ["Deal ends escalation in Jasim", "", "He said..."]


def test_the_file_is_xliff_1_2_with_languages_on_source_and_target():
    document, segments = make_document([{"source_text": TITLE_AR, "text": "Deal", "origin": "human"}])

    root = tree(xliff.build(document, segments, original="article-1"))

    assert root.tag == "{urn:oasis:names:tc:xliff:document:1.2}xliff" and root.get("version") == "1.2"
    file_node = root.find("x:file", NS)
    assert (file_node.get("source-language"), file_node.get("target-language")) == ("ar", "en")
    unit = root.find(".//x:trans-unit", NS)
    assert unit.get("id") == str(segments[0].pk)
    assert unit.find("x:source", NS).get(XML_LANG) == "ar"
    assert unit.find("x:target", NS).get(XML_LANG) == "en"


def test_target_states_follow_who_wrote_the_text():
    document, segments = make_document([
        {"source_text": "أ", "text": "By a person", "origin": "human"},
        {"source_text": "ب", "text": "By the machine", "machine_text": "By the machine", "origin": "machine",
         "engine": "deepl"},
        {"source_text": "ج", "text": None},
    ])
    data = xliff.build(document, segments, original="article-1")

    states = [unit_node(data, s.pk).find("x:target", NS).get("state") for s in segments]

    assert states == ["translated", "needs-review-translation", "needs-translation"]
    assert all(unit_node(data, s.pk).get("approved") is None for s in segments)


def test_kind_position_and_version_are_recorded_in_a_tarjama_note():
    document, segments = make_document([{"kind": "heading", "source_text": "عنوان", "version": 9}])
    data = xliff.build(document, segments, original="article-1")

    note = unit_node(data, segments[0].pk).find("x:note", NS)

    assert note.get("from") == "tarjama"
    assert note.text == "kind=heading position=0 version=9"


def test_machine_draft_is_an_alternative_naming_its_engine():
    document, segments = make_document([
        {"source_text": "أ", "machine_text": "Drafted by DeepL", "text": "Edited by a person", "origin": "human",
         "engine": "deepl"},
        {"source_text": "ب", "text": None},
    ])
    data = xliff.build(document, segments, original="article-1")

    alternatives = unit_node(data, segments[0].pk).findall("x:alt-trans", NS)
    assert len(alternatives) == 1
    assert alternatives[0].get("origin") == "deepl"
    assert alternatives[0].find("x:target", NS).text == "Drafted by DeepL"
    assert unit_node(data, segments[0].pk).find("x:target", NS).text == "Edited by a person"
    assert unit_node(data, segments[1].pk).findall("x:alt-trans", NS) == []

    # A CAT tool reading the file sees the machine draft as a suggestion.
    store = toolkit.xlifffile.parsestring(data)
    suggestions = store.units[0].getalttrans()
    assert [str(s.target) for s in suggestions] == ["Drafted by DeepL"]


def test_arabic_and_rtl_text_survive_both_ways():
    # English into Arabic too: the Arabic is then in the target.
    document, segments = make_document(
        [{"source_text": "Life returned to normal in Jasim.", "text": MIXED_AR, "origin": "human"},
         {"source_text": MIXED_AR, "text": "  leading and trailing spaces\nand a line break  ", "origin": "human"}],
        source_language="en", target_language="ar",
    )

    data = xliff.build(document, segments, original="article-1")
    units = xliff.parse(data).units

    assert units[0].target == MIXED_AR
    assert units[1].source == MIXED_AR
    assert units[1].target == "  leading and trailing spaces\nand a line break  "
    assert MIXED_AR.encode("utf-8") in data, "the file should carry the Arabic as UTF-8, not as character references"


def test_markup_like_text_is_escaped_not_interpreted():
    document, segments = make_document([{"source_text": MARKUP, "text": MARKUP, "machine_text": MARKUP,
                                         "origin": "human", "engine": "memory"}])

    data = xliff.build(document, segments, original="article-1")

    node = unit_node(data, segments[0].pk)
    for part in ("x:source", "x:target", "x:alt-trans/x:target"):
        element = node.find(part, NS)
        assert len(element) == 0, f"{part} should hold text, not elements"
        assert element.text == MARKUP
    assert b"&lt;b&gt;" in data and b"&lt;script&gt;" in data and b"&amp;amp;" in data
    unit = xliff.parse(data).units[0]
    assert (unit.source, unit.target) == (MARKUP, MARKUP)


def test_targets_edited_by_a_cat_tool_are_read_back():
    document, segments = make_document([{"source_text": TITLE_AR, "text": None},
                                        {"source_text": MIXED_AR, "text": "Old", "origin": "human", "version": 3}])
    store = toolkit.xlifffile.parsestring(xliff.build(document, segments, original="article-1"))
    store.units[0].target = "Deal ends <escalation> & \"fighting\""
    store.units[1].target = "تُرجم من جديد"

    units = xliff.parse(bytes(store)).units

    assert [u.target for u in units] == ["Deal ends <escalation> & \"fighting\"", "تُرجم من جديد"]
    assert [u.version for u in units] == [1, 3]


def test_inline_tags_a_cat_tool_adds_are_read_as_their_text():
    data = _xliff_with_unit('<source>أ</source><target>Life <g id="1">returned</g> to <x id="2"/>Jasim</target>')

    assert xliff.parse(data).units[0].target == "Life returned to Jasim"


def test_a_unit_without_our_note_has_no_version():
    data = _xliff_with_unit("<source>أ</source><target>Text</target>")

    unit = xliff.parse(data).units[0]

    assert (unit.id, unit.target, unit.version, unit.position, unit.kind) == ("5", "Text", None, None, None)


@pytest.mark.parametrize("version", ["²", "٣", "-1", "9" * 30])
def test_a_note_whose_version_is_not_a_plain_number_has_no_version(version):
    data = _xliff_with_unit(f'<source>أ</source><target>Text</target><note from="tarjama">kind=paragraph '
                            f'position=1 version={version}</note>')

    assert xliff.parse(data).units[0].version is None


def test_a_unit_without_a_target_has_none():
    assert xliff.parse(_xliff_with_unit("<source>أ</source>")).units[0].target is None


def _xliff_with_unit(inner: str, unit_id: str = "5", namespace: str = NS["x"]) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2" xmlns="{namespace}">'
        f'<file original="article-1" source-language="ar" target-language="en" datatype="plaintext"><body>'
        f'<trans-unit id="{unit_id}">{inner}</trans-unit></body></file></xliff>'
    ).encode()


@pytest.mark.parametrize("data, message", [
    (b"", "not well-formed XML"),
    (b"this is not xml at all", "not well-formed XML"),
    (b"<xliff version='1.2'><file>", "not well-formed XML"),
    ("\u062e\u0637\u0623".encode(), "not well-formed XML"),
    (b"<?xml version='1.0'?><html><body>hello</body></html>", "not XLIFF"),
    (b"<xliff version='1.2'><file original='a'><body/></file></xliff>", "not XLIFF"),
    (b"<xliff xmlns='urn:oasis:names:tc:xliff:document:2.0' version='2.0' srcLang='ar'><file id='f'/></xliff>",
     "Only XLIFF 1.2"),
    (f"<xliff xmlns='{NS['x']}' version='1.2'></xliff>".encode(), "exactly one <file>"),
    (f"<xliff xmlns='{NS['x']}' version='1.2'><file original='a'><body/></file>"
     f"<file original='b'><body/></file></xliff>".encode(), "exactly one <file>"),
    (_xliff_with_unit("<source>أ</source>", unit_id=""), "has no id"),
    (_xliff_with_unit("<source>أ</source></trans-unit><trans-unit id='5'><source>ب</source>"), "more than once"),
])
def test_what_is_not_an_xliff_1_2_file_is_refused_with_a_reason(data, message):
    with pytest.raises(xliff.XliffError) as refused:
        xliff.parse(data)

    assert message in refused.value.message


def test_xliff_1_1_files_are_read_too():
    data = _xliff_with_unit("<source>أ</source><target>Text</target>",
                            namespace="urn:oasis:names:tc:xliff:document:1.1")

    assert xliff.parse(data).units[0].target == "Text"


def test_external_entities_are_refused_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f'<xliff version="1.2" xmlns="{NS["x"]}"><file original="article-1" source-language="ar"><body>'
        f'<trans-unit id="5"><source>أ</source><target>&xxe;</target></trans-unit></body></file></xliff>'
    ).encode()

    with pytest.raises(xliff.XliffError) as refused:
        xliff.parse(data)

    assert "declares XML entities" in refused.value.message


def test_an_entity_bomb_is_refused_before_it_expands():
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY e0 "lol">{levels}]>'
        f'<xliff version="1.2" xmlns="{NS["x"]}"><file original="article-1" source-language="ar"><body>'
        f'<trans-unit id="5"><source>أ</source><target>&e9;</target></trans-unit></body></file></xliff>'
    ).encode()

    with pytest.raises(xliff.XliffError):
        xliff.parse(data)


def test_a_doctype_naming_the_public_xliff_dtd_is_accepted_and_not_fetched():
    data = _xliff_with_unit("<source>أ</source><target>Text</target>").replace(
        b"<xliff", b'<!DOCTYPE xliff PUBLIC "-//XLIFF//DTD XLIFF//EN" "http://127.0.0.1:9/xliff.dtd"><xliff', 1
    )

    assert xliff.parse(data).units[0].target == "Text"
