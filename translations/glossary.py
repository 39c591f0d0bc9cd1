"""The glossary: agreed renderings of names and terms, found in source text after Arabic normalisation."""

import csv
import io

from .checks.base import Term
from .models import GlossaryTerm
from .normalize import normalize
from .spreadsheet import from_cell, to_cell

CSV_FIELDS = ["source_term", "target_term", "note", "do_not_translate"]


def terms_for(source_language: str, target_language: str) -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language))


def find_terms(text: str, terms: list[GlossaryTerm]) -> tuple[Term, ...]:
    """The glossary terms that occur in `text` (prefixes such as و- and ال- attached to a word still match)."""
    folded = normalize(text)
    return tuple(
        Term(t.source_term, t.target_term, t.note, t.do_not_translate)
        for t in terms
        if t.normalized_term and t.normalized_term in folded
    )


def export_csv(source_language: str, target_language: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for term in GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language):
        writer.writerow({"source_term": to_cell(term.source_term), "target_term": to_cell(term.target_term),
                         "note": to_cell(term.note), "do_not_translate": "yes" if term.do_not_translate else "no"})
    return out.getvalue()


class CsvError(ValueError):
    pass


def import_csv(data: str, source_language: str, target_language: str) -> tuple[int, int]:
    """Add or update terms from CSV text; returns (created, updated). Raises CsvError naming the bad line."""
    reader = csv.DictReader(io.StringIO(data))
    missing = {"source_term", "target_term"} - set(reader.fieldnames or [])
    if missing:
        raise CsvError(f"The CSV needs the columns {', '.join(CSV_FIELDS)}; missing: {', '.join(sorted(missing))}.")
    rows = []
    for line, row in enumerate(reader, start=2):
        source, target = (from_cell((row.get(f) or "").strip()) for f in ("source_term", "target_term"))
        if not source or not target:
            raise CsvError(f"Line {line}: a term and its rendering are both needed.")
        flag = (row.get("do_not_translate") or "").strip().lower() in {"yes", "y", "true", "1", "x"}
        rows.append((source, target, from_cell((row.get("note") or "").strip()), flag))
    created = updated = 0
    for source, target, note, flag in rows:
        _, was_created = GlossaryTerm.objects.update_or_create(
            source_language=source_language, target_language=target_language, normalized_term=normalize(source),
            defaults={"source_term": source, "target_term": target, "note": note, "do_not_translate": flag},
        )
        created, updated = created + was_created, updated + (not was_created)
    return created, updated
