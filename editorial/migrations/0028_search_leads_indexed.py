from django.db import migrations


def lead_for_every_entry(apps, schema_editor):
    """A lead for every entry that has none yet (indexed before migration 0025, left to the sweeper): its whole
    vector, by which such an entry was ranked until now, until the sweeper makes its lead (the entry is marked
    stale for it). Ranking then reads the leads only. PostgreSQL only (SQLite ranks with FTS5)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "WITH filled AS (INSERT INTO editorial_searchlead (article_id, vector) "
        "SELECT article_id, vector FROM editorial_searchentry WHERE vector IS NOT NULL "
        "ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector WHERE editorial_searchlead.vector IS NULL "
        "RETURNING article_id) "
        "UPDATE editorial_searchentry SET stale = true WHERE article_id IN (SELECT article_id FROM filled)")


def index_the_leads(apps, schema_editor):
    """A GIN index of the leads' words, by which a search ranks only those of its matches whose lead holds a
    searched word (editorial.search): the others rank 0 without their leads being read."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX editorial_searchlead_vector_gin ON editorial_searchlead USING gin (vector)")


def drop_the_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS editorial_searchlead_vector_gin")


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0027_search_entries_stripped_newest_first"),
    ]

    operations = [
        migrations.RunPython(lead_for_every_entry, migrations.RunPython.noop),
        migrations.RunPython(index_the_leads, drop_the_index),
    ]
