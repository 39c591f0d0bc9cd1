"""Publish targets: where a publish, correction or unpublish is sent besides the built-in public site.

A target is a small class behind `Target`, registered by dotted path in PUBLISH_TARGETS (as the MT engines are):
`site` (the public site itself: nothing to send), `webhook`, `wordpress`. Each is given its `PublishTarget` row
and answers `publish(version, delivery)` (the live version, to create or update) and `unpublish(delivery)`, and
`check()` for the admin's "Test connection". They raise `TargetError`, retryable or not: a wrong password is not
worth a retry storm, an outage is. Each class declares the options it takes (`option_fields`); `add` and `change`
refuse any other, and the team page's form is built from them.

Secrets (a WordPress Application Password, a webhook key) are stored encrypted with Fernet (AES, HMAC-SHA256),
under a key derived from TARGET_SECRETS_KEY (by default SECRET_KEY): never shown back, useless from a backup
alone.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from ..errors import Refused


class TargetError(Exception):
    """A target refused or could not be reached; `retryable` when trying again later may work."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class Target:
    label = ""
    # The options this kind takes, each with the form field that cleans it (the API and the team page ask these).
    option_fields: dict[str, forms.Field] = {}

    def __init__(self, row):
        self.row = row

    @classmethod
    def clean_options(cls, options: dict) -> dict:
        """The options as stored (each cleaned by its field, empty ones left out); Refused (400) naming each bad one."""
        cleaned, errors = {}, {}
        for name, value in options.items():
            field = cls.option_fields.get(name)
            if field is None:
                takes = f"; it takes {', '.join(cls.option_fields)}" if cls.option_fields else ": it takes none"
                errors[name] = [f"A {cls.label} target has no option '{name}'{takes}."]
                continue
            if isinstance(value, (dict, list)):  # a form field would read {} or [] as empty, and keep none
                errors[name] = [f"Give {name} one value, not a list or an object."]
                continue
            try:
                value = field.clean(value)
            except ValidationError as exc:
                errors[name] = exc.messages
                continue
            if value not in (None, ""):
                cleaned[name] = value
        if errors:
            said = " ".join(f"options.{name}: {' '.join(messages)}" for name, messages in errors.items())
            raise Refused(400, "invalid", f"Some options are not valid. {said}", {"options": errors})
        return cleaned

    @property
    def secret(self) -> str:
        return unseal(self.row.secret)

    def publish(self, version, delivery) -> tuple[str, str]:
        """Create or update the article there (the delivery's remote_id says which); (remote id, remote url)."""
        raise NotImplementedError

    def unpublish(self, delivery) -> None:
        raise NotImplementedError

    def check(self) -> str:
        """What works, in words; TargetError saying what does not."""
        raise NotImplementedError


def _fernet() -> Fernet:
    key = hashlib.sha256(("tarjama-publish-targets:" + settings.TARGET_SECRETS_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise TargetError("The target's secret cannot be read: it was saved under another TARGET_SECRETS_KEY (or "
                          "SECRET_KEY). Enter it again on the target.", retryable=False) from None


@functools.cache
def _registry(paths: tuple) -> dict[str, type[Target]]:
    return {name: import_string(path) for name, path in paths}


def kinds() -> dict[str, type[Target]]:
    return _registry(tuple(sorted(settings.PUBLISH_TARGETS.items())))


def option_fields() -> dict[str, forms.Field]:
    """Every registered kind's option fields, for a form that adds a target of any kind."""
    return {name: field for cls in kinds().values() for name, field in cls.option_fields.items()}


def for_row(row) -> Target:
    cls = kinds().get(row.kind)
    if cls is None:
        raise Refused(400, "invalid", f"There is no publish target kind '{row.kind}'.", {"kind": list(kinds())})
    return cls(row)


# The writes (the API and the team page call these). ------------------------------------------------------------


def add(*, kind: str, name: str, url: str, username: str = "", secret: str = "", enabled: bool = True,
        options: dict | None = None):
    from ..models import PublishTarget

    if kind not in kinds() or kind == "site":
        raise Refused(400, "invalid", f"A publish target is one of: {', '.join(k for k in kinds() if k != 'site')}.",
                      {"kind": [f"Not a kind of target: {kind}."]})
    options = kinds()[kind].clean_options(options or {})
    return PublishTarget.objects.create(kind=kind, name=name.strip(), url=url, username=username.strip(),
                                        secret=seal(secret), enabled=enabled, options=options)


def change(row, **changes):
    """Change a target; a secret left out (or None) stays as it was, never shown back."""
    secret = changes.pop("secret", None)
    if "kind" in changes and changes["kind"] != row.kind:
        raise Refused(400, "invalid", "A target's kind cannot change: add another target.", {"kind": ["Fixed."]})
    if "options" in changes:
        changes["options"] = for_row(row).clean_options(changes["options"] or {})
    for field, value in changes.items():
        setattr(row, field, value.strip() if isinstance(value, str) else value)
    if secret is not None:
        row.secret = seal(secret)
    row.save()
    return row


def check(row) -> str:
    """Test the connection now: what works, or Refused (400 `target_check_failed`) saying what does not."""
    try:
        return for_row(row).check()
    except TargetError as exc:
        raise Refused(400, "target_check_failed", str(exc)) from None
