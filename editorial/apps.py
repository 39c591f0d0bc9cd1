from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial (newsroom layer)"

    def ready(self):
        import reversion

        from . import credentials, roles, search
        from .accounts import audit
        from .models import Article

        if not reversion.is_registered(Article):
            reversion.register(Article)
        credentials.connect()
        audit.connect()
        search.connect()
        post_migrate.connect(roles.sync_groups, sender=self, dispatch_uid="editorial.sync_role_groups")
