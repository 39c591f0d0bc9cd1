"""How a signed-in user's permissions are read: Django's model backend, with the groups and permissions read in
one query (`roles.read_grants`) that `roles.role_of` shares."""

from django.contrib.auth.backends import ModelBackend

from .. import roles


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if (obj is None and user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser
                and not hasattr(user_obj, "_perm_cache")):
            roles.read_grants(user_obj)
        return super().get_all_permissions(user_obj, obj)
