import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def entries_to_make_again(apps, schema_editor):
    """On PostgreSQL every article gets its lead from the sweeper (or `manage.py index_search`); until then it is
    ranked by its whole vector. SQLite ranks with FTS5 and has nothing to make."""
    if schema_editor.connection.vendor != "postgresql":
        return
    apps.get_model("editorial", "SearchEntry").objects.update(stale=True)


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0024_published_newest"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchLead",
            fields=[
                ("article", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                 related_name="search_lead", serialize=False,
                                                 to="editorial.article")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(entries_to_make_again, migrations.RunPython.noop),
    ]
