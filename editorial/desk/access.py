"""The desk's side of the abilities in editorial/roles.py: `@needs("manage_team")` on a view."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from editorial import roles


def needs(ability: str):
    """Signed in (else to the sign-in page) and holding `ability` (else 404: the desk does not show what is
    not yours to use)."""
    assert ability in roles.REFUSALS, ability

    def decorate(view):
        @login_required
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not roles.may(request.user, ability):
                raise Http404
            return view(request, *args, **kwargs)

        return guarded

    return decorate
