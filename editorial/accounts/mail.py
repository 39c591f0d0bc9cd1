"""Account emails (reset links, invitations), each a text template whose first line is the subject, sent through
Django's email backend (the console by default, SMTP when EMAIL_HOST is set). Links start at SITE_URL."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

log = logging.getLogger(__name__)


def link(path: str) -> str:
    """An absolute link to a path of this site, for an email."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send(template: str, to: str, context: dict) -> bool:
    """Send templates/accounts/email/<template>.txt to one address; False (logged) when the server refused it."""
    subject, _, body = render_to_string(f"accounts/email/{template}.txt", context).strip().partition("\n")
    try:
        send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to])
    except Exception as exc:  # noqa: BLE001 - a mail server that is down must not turn a page into a 500
        log.warning("Could not send the %s email: %s", template, exc)
        return False
    return True
