"""How a signed-in user's permissions are read: Django's model backend, with the groups and permissions read in
one query (`roles.read_grants`) that `roles.role_of` shares."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .. import roles


class RoleBackend(ModelBackend):
    """Listed first, with Django's own after it (settings.AUTHENTICATION_BACKENDS): a session names the backend
    it signed in with, and Django reads a session's user only through a backend still listed, so every session
    signed in before this one existed would have ended at the release that brought it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Django's check of a username and password; a failed one ends the attempt here (Django's authenticate
        stops at PermissionDenied and reports the failure), so the backend listed after this one does not hash
        the password a second time."""
        user = super().authenticate(request, username, password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if (obj is None and user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser
                and not hasattr(user_obj, "_perm_cache")):
            roles.read_grants(user_obj)
        return super().get_all_permissions(user_obj, obj)
