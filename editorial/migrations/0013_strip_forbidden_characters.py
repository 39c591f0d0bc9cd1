"""Remove, from text stored before the rule in translations/characters.py, what no stored text may now hold.

Only rows that hold such a character are read (a regex lookup), so on a clean database this costs one query
per field. NUL and lone surrogates are left out of the lookup: no database here can store them.
"""

from django.db import migrations

from translations.characters import BMP_CLASS, NONCHARACTERS, strip_forbidden

# The same class without NUL and the surrogates (no database here stores either; PostgreSQL refuses both in a
# pattern). Both PostgreSQL's regular expressions and Python's (SQLite's REGEXP) read the \u escapes.
STORED = "[" + BMP_CLASS.replace(r"\u0000-", r"\u0001-") + NONCHARACTERS + "]"

FIELDS = {
    ("translations", "Document"): ["source_title", "source_body"],
    ("translations", "Segment"): ["source_text", "machine_text", "text"],
    ("editorial", "Article"): ["standfirst", "source_outlet", "source_author"],
    ("editorial", "Keyword"): ["name"],
    ("editorial", "Comment"): ["text"],
    ("editorial", "Publication"): ["name", "disclaimer_template"],
    ("editorial", "PublishedVersion"): ["headline", "standfirst", "source_outlet", "source_author",
                                        "publication_name", "disclaimer"],
}


def _clean_json(value):
    if isinstance(value, str):
        return strip_forbidden(value)[0]
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_json(v) for k, v in value.items()}
    return value


def strip(apps, schema_editor):
    for (app, model_name), fields in FIELDS.items():
        model = apps.get_model(app, model_name)
        for field in fields:
            for row in model.objects.filter(**{f"{field}__regex": STORED}).only("pk", field).iterator():
                setattr(row, field, strip_forbidden(getattr(row, field))[0])
                row.save(update_fields=[field])
    published = apps.get_model("editorial", "PublishedVersion")
    for row in published.objects.only("pk", "body", "keyword_names", "corrections").iterator():
        cleaned = {name: _clean_json(getattr(row, name)) for name in ("body", "keyword_names", "corrections")}
        changed = [name for name, value in cleaned.items() if value != getattr(row, name)]
        if changed:
            for name in changed:
                setattr(row, name, cleaned[name])
            row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0012_user_sessions"),
        ("translations", "0003_memory_word_index"),
    ]

    operations = [migrations.RunPython(strip, migrations.RunPython.noop)]
