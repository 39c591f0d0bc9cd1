from django.db import migrations, models


def fold_existing(apps, schema_editor):
    """Existing documents get their search text from their segments, as new ones do at import."""
    from translations.normalize import normalize

    Document = apps.get_model("translations", "Document")
    Segment = apps.get_model("translations", "Segment")
    for document in Document.objects.iterator(chunk_size=200):
        texts = Segment.objects.filter(document_id=document.pk).order_by("position").values_list("source_text",
                                                                                               flat=True)
        document.search_text = normalize("\n".join(texts))
        document.save(update_fields=["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("translations", "0003_memory_word_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fold_existing, migrations.RunPython.noop),
    ]
