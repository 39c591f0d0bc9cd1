from django.db import migrations, models


def strip_vectors(apps, schema_editor):
    """The entries' vectors without positions and weights (editorial.search._write makes them so now): half their
    size. PostgreSQL only (SQLite's words are in its FTS5 table); stripping a stripped vector changes nothing."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("UPDATE editorial_searchentry SET vector = strip(vector) WHERE vector <> strip(vector)")


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0026_search_entry_created_at"),
    ]

    operations = [
        migrations.RunPython(strip_vectors, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["-created_at", "-article"], name="editorial_searchentry_newest"),
        ),
    ]
