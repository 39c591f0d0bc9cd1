from . import roles


def desk(request):
    """The signed-in user's role, for the top bar."""
    user = getattr(request, "user", None)
    return {"role": roles.role_of(user) if user is not None and user.is_authenticated else None}
