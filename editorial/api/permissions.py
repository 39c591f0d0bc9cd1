"""The API's side of the abilities in editorial/roles.py: `Needs("manage_team")` on a view's permission_classes."""

from functools import cache

from rest_framework.permissions import BasePermission

from editorial import roles


@cache
def Needs(ability: str) -> type[BasePermission]:  # noqa: N802 - used like the class it makes
    """A permission class: signed in (401 otherwise) and holding `ability` (403 with the role's words)."""
    assert ability in roles.REFUSALS, ability

    class _Needs(BasePermission):
        message = roles.REFUSALS[ability]

        def has_permission(self, request, view):
            return roles.may(request.user, ability)

    _Needs.__name__ = f"Needs_{ability}"
    return _Needs
