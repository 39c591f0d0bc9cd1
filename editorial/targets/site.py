"""The built-in public site: it reads the live version itself, so there is nothing to send."""

from . import Target


class SiteTarget(Target):
    label = "Public site"

    def publish(self, version, delivery) -> tuple[str, str]:
        return version.slug, version.get_absolute_url()

    def unpublish(self, delivery) -> None:
        return None

    def check(self) -> str:
        return "The public site is part of Tarjama: nothing to connect."
