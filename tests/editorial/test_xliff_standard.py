"""Every XLIFF export is valid by the standard's own schema (OASIS XLIFF 1.2 strict) and counted right by
translate-toolkit's pocount; a CAT tool that drops our note's from="tarjama" keeps the version safety."""

from pathlib import Path

import pytest
from lxml import etree
from translate.tools import pocount

from editorial.models import State
from translations.models import Segment

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "schemas"
STATES = [State.SOURCE, State.MACHINE_DRAFT, State.TRANSLATION, State.EDITING, State.SCHEDULED, State.PUBLISHED,
          State.ARCHIVED]
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture(scope="module")
def xliff_schema():
    path = SCHEMAS / "xliff-core-1.2-strict.xsd"
    if not path.exists():
        pytest.skip(f"The standard schemas are not at {SCHEMAS} (the workplace's shared/schemas)")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("state", STATES)
def test_every_export_is_valid_xliff_1_2_strict_and_counted_right(api, editor, make_article, xliff_schema, state,
                                                                  tmp_path):
    article = make_article(state, paragraphs=4)
    if state == State.TRANSLATION:  # one segment edited by a person, one left empty
        first, second = article.document.segments.filter(position__in=[1, 2]).order_by("position")
        Segment.objects.filter(pk=first.pk).update(text="Edited by a person", origin=Segment.Origin.HUMAN)
        Segment.objects.filter(pk=second.pk).update(text=None)
    response = api(editor).get(f"/api/v1/articles/{article.pk}/xliff/")
    assert response.status_code == 200
    document = etree.fromstring(response.content)
    assert xliff_schema.validate(document), xliff_schema.error_log

    path = tmp_path / "article.xlf"
    path.write_bytes(response.content)
    stats = pocount.calcstats(str(path))
    segments = list(article.document.segments.all())
    with_text = sum(1 for s in segments if s.text)
    approved = document.xpath("//x:trans-unit[@approved='yes']", namespaces=NS)
    if state in (State.SCHEDULED, State.PUBLISHED):  # approved by an editor: done, as a CAT tool counts it
        assert (stats["translated"], stats["fuzzy"]) == (with_text, 0), stats
        assert len(approved) == with_text == len(segments)
    else:  # drafted or being worked on: to review
        assert (stats["translated"], stats["fuzzy"]) == (0, with_text), stats
        assert approved == []
    assert stats["untranslated"] == len(segments) - with_text


def test_a_note_that_lost_its_from_attribute_is_still_read_and_still_guards_versions(api, translator, make_article):
    article = make_article(State.TRANSLATION)
    client = api(translator)
    exported = client.get(f"/api/v1/articles/{article.pk}/xliff/").content
    root = etree.fromstring(exported)
    for note in root.iterfind(".//x:note", NS):
        note.attrib.pop("from")  # what the npm `xliff` writer does
    units = root.findall(".//x:trans-unit", NS)
    units[1].find("x:target", NS).text = "Edited in a CAT tool"
    edited = etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    response = client.put(f"/api/v1/articles/{article.pk}/xliff/", edited, content_type="application/x-xliff+xml")
    assert response.status_code == 200, response.content
    segment_id = int(units[1].get("id"))
    assert response.json()["updated"] == [segment_id]
    # The same file again: the segment has moved on since that export, so it is a conflict, not an overwrite.
    units[1].find("x:target", NS).text = "A second, older edit"
    stale = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    response = client.put(f"/api/v1/articles/{article.pk}/xliff/", stale, content_type="application/x-xliff+xml")
    assert response.status_code == 200
    assert [c["segment"] for c in response.json()["conflicts"]] == [segment_id]
    assert Segment.objects.get(pk=segment_id).text == "Edited in a CAT tool"
