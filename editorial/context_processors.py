import functools

from . import roles
from .models import Notification


def unread_notifications(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def desk(request):
    """The signed-in user's role and unread notifications, for the top bar (counted only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role": None}
    return {"role": roles.role_of(user), "unread_notifications": functools.partial(unread_notifications, user)}
