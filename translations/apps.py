from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "translations"
    verbose_name = "Translations (text layer)"

    def ready(self):
        import reversion

        from .models import Document, Segment

        # Registered without follow=: a segment edit stores that segment only.
        for model in (Document, Segment):
            if not reversion.is_registered(model):
                reversion.register(model)
