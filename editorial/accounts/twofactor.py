"""Two-factor sign-in: authenticator-app codes (TOTP, django-otp's TOTPDevice) and ten single-use recovery codes
(its StaticDevice), shown once.

- Anyone may turn it on; the roles in REQUIRE_2FA_FOR must (they set it up at their next sign-in, before the
  desk: editorial.accounts.middleware). The API's token endpoint asks for the code of whoever has it, and refuses
  those who must have it but do not only when REQUIRE_2FA_FOR_API is on.
- A code is accepted once (django-otp keeps the last time step used); a recovery code is deleted when used.
- Wrong codes count in the sign-in lockout (editorial.signin) like wrong passwords: the callers count the attempt
  before asking here. django-otp's own throttle is off (settings), so there is one lockout, not two.
- Turning it on ends the person's other sessions and their API token, which were signed in without it.
"""

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial import credentials, roles
from editorial.errors import Refused

from . import audit

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"


def required_for(user) -> bool:
    """Whether the user's role must sign in with a second factor (REQUIRE_2FA_FOR)."""
    return bool(settings.REQUIRE_2FA_FOR) and roles.role_of(user) in settings.REQUIRE_2FA_FOR


def enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def start(user) -> TOTPDevice:
    """A new authenticator key for the user, not yet in force until a code from it is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def unconfirmed(user, device_id) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// link as an inline SVG QR code, for the authenticator app to scan."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="QR code to scan with your authenticator app", omitsize=False)


def secret_text(device: TOTPDevice) -> str:
    """The key as an app takes it typed in (base32, in groups of four)."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm(user, device: TOTPDevice, code: str, *, keep_session: str | None = None) -> list[str]:
    """The first code from the app turns the second factor on; returns the ten recovery codes (shown once).
    Every other session and the API token end: they were signed in without it."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not device.verify_token(_digits(code)):
            raise Refused(400, "otp_invalid", "That code is not right: check the time on your phone and type the "
                                              "code the app shows now.", {"code": ["That code is not right."]})
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(audit.TWOFACTOR_ENABLED, subject=user, actor=user)
    credentials.end_access(user, keep_session=keep_session)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(audit.TWOFACTOR_ENABLED, subject=user, actor=user, recovery_codes="renewed")
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE).count()


def _digits(code: str) -> str:
    return "".join((code or "").split())


def verify(user, code: str):
    """The device a code is right for (the app's, or a recovery code, used up), or None; a wrong code is logged."""
    code = _digits(code)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    audit.record(audit.RECOVERY_CODE_USED, subject=user, actor=user,
                                 left=recovery_codes_left(user))
                return device
    audit.record(audit.TWOFACTOR_FAILED, subject=user, username=user.get_username())
    return None


def check_for_token(user, code: str | None) -> None:
    """The API's token endpoint, after the password: the code of whoever has a second factor (401 `otp_required`
    or `otp_invalid`), and, when REQUIRE_2FA_FOR_API is on, 403 `otp_setup_required` for a role that must have
    one and has none."""
    if enabled(user):
        if not code:
            raise Refused(401, "otp_required", "This account signs in with a second factor: send the code from "
                                               "the authenticator app (or a recovery code) as `otp`.")
        if verify(user, code) is None:
            raise Refused(401, "otp_invalid", "Wrong or already used code.")
    elif settings.REQUIRE_2FA_FOR_API and required_for(user):
        raise Refused(403, "otp_setup_required", f"A {roles.role_of(user)} must sign in with a second factor: set "
                                                 "it up on the desk (/account/two-factor/), then send its code.")


def turn_off(user, *, actor) -> None:
    """Remove the user's second factor: their own choice (when their role allows it), or an admin's reset for a
    colleague who lost their phone (logged as a reset, and it ends their sessions and token)."""
    if actor.pk == user.pk and required_for(user):
        raise Refused(409, "otp_required_by_role", f"A {roles.role_of(user)} must sign in with a second factor.")
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        if actor.pk == user.pk:
            audit.record(audit.TWOFACTOR_DISABLED, subject=user, actor=actor)
        else:
            audit.record(audit.TWOFACTOR_RESET, subject=user, actor=actor)
    if actor.pk != user.pk:
        credentials.end_access(user)
