"""The glossary: agreed renderings of names and terms, found in source text folded as its language writes."""

import csv
import io

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from . import characters
from .checks.base import Term
from .models import GlossaryTerm
from .normalize import fold
from .spreadsheet import from_cell, to_cell

CSV_FIELDS = ["source_term", "target_term", "note", "do_not_translate"]


def terms_for(source_language: str, target_language: str) -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language))


def stamp(source_language: str, target_language: str) -> tuple:
    """What changes whenever the pair's glossary does: its size, its latest change and its highest id (one query).

    An added term raises the highest id, an edited one (saved or upserted: `updated_at` is `auto_now`) the latest
    change, a deleted one the size. Checks' results are cached on it (translations.checking).
    """
    row = GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language).aggregate(
        size=Count("id"), changed=Max("updated_at"), last=Max("id"))
    return row["size"], row["changed"].isoformat() if row["changed"] else None, row["last"]


def find_terms(text: str, terms: list[GlossaryTerm]) -> tuple[Term, ...]:
    """The glossary terms (of one language pair) that occur in `text`, folded as that language writes (prefixes
    such as و- and ال-, or Turkish suffixes such as 'da, attached to a word still match)."""
    if not terms:
        return ()
    folded = fold(text, terms[0].source_language)
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


class TooManyRows(CsvError):
    """More rows than MAX_GLOSSARY_ROWS: refused before anything is written."""


def import_csv(data: str, source_language: str, target_language: str) -> tuple[int, int]:
    """Add or update terms from CSV text; returns (created, updated). Raises CsvError naming the bad line.

    The whole file is checked before anything is written, and written in one transaction: a file refused
    at line 40 leaves the glossary as it was. At most MAX_GLOSSARY_ROWS rows; the write is a few bulk upserts,
    so a large file holds the database's write lock for a moment, not for the length of the file.
    """
    max_rows = settings.MAX_GLOSSARY_ROWS
    if "\x00" in data:
        raise CsvError("The file contains a NUL character: it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(data))
    try:
        missing = {"source_term", "target_term"} - set(reader.fieldnames or [])
        if missing:
            raise CsvError(
                f"The CSV needs the columns {', '.join(CSV_FIELDS)}; missing: {', '.join(sorted(missing))}.")
        rows, seen = [], {}
        for row in reader:
            if len(rows) >= max_rows:
                raise TooManyRows(f"The file has more than {max_rows} terms, more than one import takes: split it.")
            line = reader.line_num
            source, target = (from_cell((row.get(f) or "").strip()) for f in ("source_term", "target_term"))
            note = from_cell((row.get("note") or "").strip())
            if not source or not target:
                raise CsvError(f"Line {line}: a term and its rendering are both needed.")
            for name, value in (("term", source), ("rendering", target), ("note", note)):
                found = characters.first_forbidden(value)
                if found:
                    raise CsvError(f"Line {line}: the {name} holds {found.describe()} at character {found.position}; "
                                   "remove it and import again.")
            key = fold(source, source_language)
            for name, value, limit in (("term", source, _limit("source_term")), ("normalised term", key,
                                       _limit("normalized_term")), ("rendering", target, _limit("target_term")),
                                       ("note", note, _limit("note"))):
                if len(value) > limit:
                    raise CsvError(f"Line {line}: the {name} is longer than {limit} characters.")
            if key in seen:
                raise CsvError(f"Line {line}: the term repeats line {seen[key]} ({source}).")
            seen[key] = line
            flag = (row.get("do_not_translate") or "").strip().lower() in {"yes", "y", "true", "1", "x"}
            rows.append((source, key, target, note, flag))
    except csv.Error as exc:
        raise CsvError(f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).") from None
    keys = [row[1] for row in rows]
    with transaction.atomic():
        known = GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language)
        existing = sum(known.filter(normalized_term__in=keys[i:i + 500]).count() for i in range(0, len(keys), 500))
        GlossaryTerm.objects.bulk_create(
            [GlossaryTerm(source_language=source_language, target_language=target_language, source_term=source,
                          normalized_term=key, target_term=target, note=note, do_not_translate=flag)
             for source, key, target, note, flag in rows],
            batch_size=500, update_conflicts=True,
            unique_fields=["source_language", "target_language", "normalized_term"],
            update_fields=["source_term", "target_term", "note", "do_not_translate", "updated_at"],
        )
    return len(rows) - existing, existing


def _limit(field: str) -> int:
    return GlossaryTerm._meta.get_field(field).max_length
