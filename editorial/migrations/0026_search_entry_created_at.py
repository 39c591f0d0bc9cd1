from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("editorial", "0025_search_lead"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="created_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # Each entry's copy of its article's import date (editorial.search._window_from_the_index reads it).
        migrations.RunSQL(
            "UPDATE editorial_searchentry SET created_at = (SELECT a.created_at FROM editorial_article a "
            "WHERE a.id = editorial_searchentry.article_id)",
            migrations.RunSQL.noop,
        ),
    ]
