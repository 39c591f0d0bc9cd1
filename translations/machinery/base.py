"""The one interface every machine-translation engine implements."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class MachineTranslationError(Exception):
    """An engine could not translate; `retryable` tells a transient failure from a permanent one."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Draft:
    text: str
    origin: str  # "memory" or "machine"
    engine: str


class MachineTranslation:
    """Base class: subclasses implement `translate_batch`; the shared work lives here."""

    name: str = ""
    max_batch_size: int = 50

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[Draft | None]:
        """One result per text, in order; None where the engine has nothing to offer."""
        raise NotImplementedError

    def translate(self, texts: list[str], source: str, target: str) -> list[Draft | None]:
        """Translate any number of texts, in batches the service accepts."""
        results: list[Draft | None] = []
        for start in range(0, len(texts), self.max_batch_size):
            batch = texts[start : start + self.max_batch_size]
            drafts = self.translate_batch(batch, source, target)
            if len(drafts) != len(batch):
                raise MachineTranslationError(
                    f"{self.name} returned {len(drafts)} translations for {len(batch)} texts."
                )
            results.extend(drafts)
        return results


def get_engine(name: str | None = None) -> MachineTranslation:
    """The engine configured by MT_ENGINE (or the one named), from the MT_ENGINES registry."""
    name = name or settings.MT_ENGINE
    try:
        path = settings.MT_ENGINES[name]
    except KeyError:
        raise MachineTranslationError(
            f"Unknown machine-translation engine {name!r}; known: {', '.join(sorted(settings.MT_ENGINES))}."
        ) from None
    return import_string(path)()
