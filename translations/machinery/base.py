"""The one interface every machine-translation engine implements, and the shared work behind it.

An engine subclass says how to send one batch (`translate_batch`) and what its
service accepts (`max_batch_size`, `max_batch_chars`). The base class does the
rest: exact translation-memory matches first, batching within the limits,
timeouts, and turning HTTP failures into a `MachineTranslationError` that says
whether trying again later can help (429, 5xx, timeouts) or not (a rejected key).
"""

from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from translations import memory
from translations.languages import language_name


class MachineTranslationError(Exception):
    """An engine could not translate; `retryable` tells a transient failure from a permanent one."""

    def __init__(self, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class Draft:
    text: str
    origin: str  # "memory" or "machine"
    engine: str


class MachineTranslation:
    """Base class: subclasses implement `translate_batch`; the shared work lives here."""

    name: str = ""
    label: str = ""  # how the service is called in messages to users
    max_batch_size: int = 50
    max_batch_chars: int = 20_000
    timeout: float = 30.0
    # Our language codes that the service writes otherwise, and None for a language it does not translate.
    language_codes: dict[str, str | None] = {}

    def __init__(self, config: dict | None = None):
        self.config = config or {}

    # What a subclass provides ------------------------------------------------------------------

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        """One translation per text, in order (None where the engine has nothing to offer)."""
        raise NotImplementedError

    def describe(self) -> dict:
        """What an admin sees about the configuration (never the secret itself)."""
        return {"engine": self.name, "service": self.label}

    # Shared work -------------------------------------------------------------------------------

    def service_language(self, code: str) -> str:
        """The service's code for one of our languages; refused at once (not retried) when it has none."""
        if code not in self.language_codes:
            return code
        found = self.language_codes[code]
        if found is None:
            raise MachineTranslationError(
                f"{self.label or self.name} does not translate {language_name(code)}: an admin can choose another "
                "engine (MT_ENGINE), or translate these articles from the memory and by hand.")
        return found

    def batches(self, items: list[tuple[int, str]]):
        """Consecutive slices of (index, text) pairs within the service's count and size limits."""
        batch, size = [], 0
        for item in items:
            if batch and (len(batch) >= self.max_batch_size or size + len(item[1]) > self.max_batch_chars):
                yield batch
                batch, size = [], 0
            batch.append(item)
            size += len(item[1])
        if batch:
            yield batch

    def translate(self, texts: list[str], source: str, target: str) -> list[Draft | None]:
        """Translate any number of texts: memory matches first, then the engine."""
        results: list[Draft | None] = [None] * len(texts)
        for chunk in self.translate_in_chunks(texts, source, target):
            for index, draft in chunk:
                results[index] = draft
        return results

    def translate_in_chunks(self, texts: list[str], source: str, target: str):
        """Yield [(index, Draft or None), ...]: first every exact memory match, then one list per engine batch.

        Callers save each chunk as it arrives, so a failure later loses nothing already drafted.
        """
        remembered = memory.exact_matches(texts, source, target)
        hits = [(i, Draft(remembered[t], "memory", "memory")) for i, t in enumerate(texts) if t in remembered]
        if hits:
            yield hits
        rest = [(i, t) for i, t in enumerate(texts) if t not in remembered]
        for batch in self.batches(rest):
            # Near matches first (MEMORY_PREFILL_SCORE or more, as MateCat pre-fills 95% matches), batch by batch
            # so that each chunk is saved as it comes: the lookups never hold up a whole attempt.
            near = fuzzy_prefill([t for _, t in batch], source, target)
            chunk = [(i, Draft(near[t], "memory", FUZZY_ENGINE)) for i, t in batch if t in near]
            ask = [(i, t) for i, t in batch if t not in near]
            results = self.translate_batch(
                [t for _, t in ask], self.service_language(source), self.service_language(target)) if ask else []
            if len(results) != len(ask):
                raise MachineTranslationError(
                    f"{self.label or self.name} returned {len(results)} translations for {len(ask)} texts.",
                    retryable=True,
                )
            chunk += [
                (i, Draft(result, "machine", self.name) if isinstance(result, str) and result.strip() else None)
                for (i, _), result in zip(ask, results, strict=True)
            ]
            yield sorted(chunk)

    def post(self, url: str, *, what: str, **kwargs) -> requests.Response:
        """POST with a timeout; failures become MachineTranslationError (retryable or not)."""
        service = self.label or self.name
        try:
            response = requests.post(url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise MachineTranslationError(
                f"{service} did not answer within {self.timeout:.0f} seconds.", retryable=True
            ) from None
        except requests.RequestException as exc:
            raise MachineTranslationError(
                f"Could not reach {service} at {url}: {exc.__class__.__name__}.", retryable=True
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            retry_after = _retry_after(response)
            reason = "is rate-limiting us" if response.status_code == 429 else "is having trouble"
            raise MachineTranslationError(
                f"{service} {reason} (HTTP {response.status_code}); the draft will be retried.",
                retryable=True, retry_after=retry_after,
            )
        if response.status_code in (401, 403):
            raise MachineTranslationError(
                f"{service} rejected the API key (HTTP {response.status_code}). An admin must check {what}."
            )
        if response.status_code >= 400:
            raise MachineTranslationError(
                f"{service} refused the request (HTTP {response.status_code}): {self.error_message(response)}"
            )
        return response

    def error_message(self, response: requests.Response) -> str:
        """The service's own explanation of a refused request, if it gave one."""
        try:
            body = response.json()
        except ValueError:
            return response.text[:200] or "no explanation given"
        if isinstance(body, dict):
            error = body.get("error") or body.get("message") or body
            if isinstance(error, dict):
                error = error.get("message") or error
            return str(error)[:300]
        return str(body)[:300]

    def json(self, response: requests.Response):
        try:
            return response.json()
        except ValueError:
            raise MachineTranslationError(
                f"{self.label or self.name} answered with something that is not JSON.", retryable=True
            ) from None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def engine_names() -> list[str]:
    return sorted(settings.MT_ENGINES)


# The engine name of a draft that is a near (not exact) memory match: the workspace shows it beside the draft.
FUZZY_ENGINE = "memory 95%+"


def fuzzy_prefill(texts: list[str], source: str, target: str) -> dict[str, str]:
    """{text: the remembered translation of its closest source}, for texts with a match of at least
    MEMORY_PREFILL_SCORE percent (0 turns pre-filling off). One lookup per distinct text."""
    threshold = settings.MEMORY_PREFILL_SCORE
    if not threshold or not texts or not memory.has_entries(source, target):
        return {}
    found = {}
    for text in dict.fromkeys(texts):
        matches = memory.fuzzy_matches(text, source, target, limit=1, min_score=threshold)
        if matches and matches[0].score >= threshold:
            found[text] = matches[0].target
    return found


def memory_only() -> bool:
    """No machine-translation service is configured: drafts come from the translation memory's exact matches."""
    return settings.MT_ENGINE == "memory"


def get_engine(name: str | None = None) -> MachineTranslation:
    """The engine configured by MT_ENGINE (or the one named), from the MT_ENGINES registry."""
    name = name or settings.MT_ENGINE
    try:
        path = settings.MT_ENGINES[name]
    except KeyError:
        raise MachineTranslationError(
            f"Unknown machine-translation engine {name!r}; known: {', '.join(engine_names())}."
        ) from None
    return import_string(path)(settings.MT_ENGINE_SETTINGS.get(name, {}))
