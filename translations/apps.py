from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "translations"
    verbose_name = "Translations (text layer)"

    def ready(self):
        import reversion
        from django.conf import settings

        from .languages import check_setting
        from .models import Document, Segment

        # Registered without follow=: a segment edit stores that segment only.
        for model in (Document, Segment):
            if not reversion.is_registered(model):
                reversion.register(model)
        check_setting(settings.SOURCE_LANGUAGES)
