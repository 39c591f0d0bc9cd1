"""XLIFF 1.2 for outside CAT tools: a document's segments out as one file, and the file's units back in.

One `<trans-unit>` per segment, its id the segment id. A `<note from="tarjama">`
records the segment's kind, position and the `version` the file was made from,
so an import can tell whether the segment changed since. The machine draft
travels as an `<alt-trans>` whose origin names the engine.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree
from translate.misc.xml_helpers import parse_xml, setXMLlang, valid_chars_only
from translate.storage import xliff as toolkit

from .models import Document, Segment

MEDIA_TYPE = "application/x-xliff+xml"
NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
# Files made by older tools (XLIFF 1.1) read the same way.
READABLE_NAMESPACES = {NAMESPACE, "urn:oasis:names:tc:xliff:document:1.1"}
NOTE_FROM = "tarjama"

_FACT_RE = re.compile(r"\b(kind|position|version)=(\S+)")
# Our note, recognised by what it says: some CAT tools (the npm `xliff` writer) drop its from="tarjama".
_OUR_NOTE = re.compile(r"\s*kind=\S+ position=\S+ version=\S+\s*")


class XliffError(ValueError):
    """The file cannot be read as an XLIFF 1.2 translation file; the message says why."""

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


@dataclass(frozen=True)
class Unit:
    id: str
    source: str
    target: str | None  # None when the unit has no <target>
    kind: str | None = None
    position: int | None = None
    version: int | None = None  # the segment's version when the file was made, from our note


@dataclass(frozen=True)
class TranslationFile:
    original: str
    source_language: str | None
    target_language: str | None
    units: list[Unit] = field(default_factory=list)


class _Unit(toolkit.xliffunit):
    namespace = NAMESPACE


class _File(toolkit.xlifffile):
    UnitClass = _Unit
    namespace = NAMESPACE
    XMLskeleton = (
        f'<?xml version="1.0" ?><xliff version="1.2" xmlns="{NAMESPACE}">'
        '<file original="NoName" source-language="en" datatype="plaintext"><body></body></file></xliff>'
    )


def _target_state(segment: Segment) -> str:
    if not segment.has_text:
        return "needs-translation"
    if segment.origin == Segment.Origin.HUMAN:
        return "translated"
    return "needs-review-translation"  # drafted by the machine or the memory, not yet read by a person


def build(document: Document, segments: Iterable[Segment], *, original: str, approved: bool = False) -> bytes:
    """The segments as an XLIFF 1.2 file named `original`, encoded in UTF-8. `approved`: the text was approved
    (the caller's decision), so every unit with a target says approved="yes" and CAT tools count it as done."""
    store = _File(sourcelanguage=document.source_language, targetlanguage=document.target_language)
    store.switchfile(original, createifmissing=True)
    for segment in segments:
        unit = store.UnitClass(segment.source_text)
        unit.setid(str(segment.pk))
        store.addunit(unit)
        unit.xmlelement.set("resname", f"{segment.kind} {segment.position}")
        setXMLlang(unit.get_source_dom(), document.source_language)
        unit.settarget(segment.text or "")
        target = unit.get_target_dom()
        setXMLlang(target, document.target_language)
        target.set("state", _target_state(segment))
        # Approval is the newsroom's decision, passed in; a unit without text is never approved.
        unit.xmlelement.attrib.pop("approved", None)
        if approved and segment.has_text:
            unit.markapproved(True)
        unit.addnote(
            f"kind={segment.kind} position={segment.position} version={segment.version}", origin=NOTE_FROM
        )
        if segment.machine_text:
            unit.addalttrans(
                valid_chars_only(segment.machine_text), origin=segment.engine or "machine",
                lang=document.target_language,
            )
    return bytes(store)


def _check_root(data: bytes) -> etree._Element:
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as error:
        raise XliffError(f"The file is not well-formed XML: {error}.") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # The safe parser never expands entities, so text using them would silently go missing.
        raise XliffError("The file declares XML entities; an XLIFF file needs none.")
    name = etree.QName(root)
    if name.localname != "xliff" or not (name.namespace or "").startswith("urn:oasis:names:tc:xliff:document:"):
        raise XliffError(f"The file is XML but not XLIFF: its root element is <{name.localname}>.")
    if name.namespace not in READABLE_NAMESPACES:
        raise XliffError(f"Only XLIFF 1.2 is read; this file is in the namespace {name.namespace}.")
    files = root.findall(f"{{{name.namespace}}}file")
    if len(files) != 1:
        raise XliffError(f"The XLIFF should hold exactly one <file>; it holds {len(files)}.")
    return files[0]


def _facts(unit) -> dict:
    ours = [note for note in unit._getnotelist() if _OUR_NOTE.fullmatch(note or "")]
    facts = dict(_FACT_RE.findall(ours[0] if ours else ""))
    for name in ("position", "version"):
        value = facts.get(name)
        facts[name] = int(value) if value and re.fullmatch(r"[0-9]{1,18}", value) else None
    return facts


def _text(value) -> str | None:
    return None if value is None else str(value)


def parse(data: bytes) -> TranslationFile:
    """The units of an XLIFF 1.2 file; raises XliffError when the file is not one."""
    file_node = _check_root(data)
    try:
        store = _File(data)
    except ValueError as error:
        raise XliffError(f"The XLIFF could not be read: {error}.") from None
    units = []
    for unit in store.units:
        unit_id = unit.xmlelement.get("id")
        if not unit_id:
            raise XliffError("A <trans-unit> has no id; every unit must keep the id it was exported with.")
        facts = _facts(unit)
        units.append(Unit(
            id=unit_id, source=_text(unit.source) or "", target=_text(unit.target),
            kind=facts.get("kind"), position=facts["position"], version=facts["version"],
        ))
    repeated = sorted(uid for uid, count in Counter(u.id for u in units).items() if count > 1)
    if repeated:
        raise XliffError(f"Some units appear more than once: {', '.join(repeated)}.", {"units": repeated})
    return TranslationFile(
        original=file_node.get("original") or "",
        source_language=file_node.get("source-language"),
        target_language=file_node.get("target-language"),
        units=units,
    )
