# The source's length in words, kept by the database (a stored generated column): the desk's lists show it
# without reading the folded text. Adding it computes it for every document already stored.

import django.db.models.expressions
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('translations', '0005_watch_and_sync'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='source_words',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(search_text='', then=0), default=django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.functions.text.Length('search_text'), '-', django.db.models.functions.text.Length(django.db.models.functions.text.Replace('search_text', models.Value(' '), models.Value('')))), '+', models.Value(1))), output_field=models.IntegerField()),
        ),
    ]
