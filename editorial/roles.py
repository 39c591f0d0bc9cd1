"""The three roles are Django groups; what each may do is the set of permissions its group holds."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import CharField, IntegerField, Value

from .errors import Refused

TRANSLATOR, EDITOR, ADMIN = "translator", "editor", "admin"
ROLES = (TRANSLATOR, EDITOR, ADMIN)

_TRANSLATOR_PERMS = ["claim_article", "submit_article"]
_EDITOR_PERMS = _TRANSLATOR_PERMS + [
    "import_article",
    "draft_article",
    "assign_article",
    "request_changes_article",
    "publish_article",
    "unpublish_article",
    "correct_article",
    "override_check",
    "manage_glossary",
    "archive_article",
    "edit_any_article",
    "revert_article",
    "view_reports",
]
_ADMIN_PERMS = _EDITOR_PERMS + ["manage_team"]
ROLE_PERMISSIONS = {TRANSLATOR: _TRANSLATOR_PERMS, EDITOR: _EDITOR_PERMS, ADMIN: _ADMIN_PERMS}


def sync_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent; runs after migrate)."""
    wanted_codenames = set(_ADMIN_PERMS)
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="editorial")}
    if not wanted_codenames <= set(perms):
        return  # permissions not created yet (first pass of migrate)
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group_perms = [perms[c] for c in codenames]
        if role == ADMIN:
            # Admins also run the Django admin over every model.
            group_perms += list(Permission.objects.exclude(codename__in=wanted_codenames))
        group.permissions.set(group_perms)


_CACHES = ("_perm_cache", "_group_perm_cache", "_user_perm_cache")  # Django's model backend's


def read_grants(user) -> None:
    """The user's groups and permissions in one query, where Django's model backend reads the permissions in two
    and `role_of` the groups in a third (a desk page asks all three: its menu, its role and its view's checks).
    The groups are kept as Django keeps them prefetched (`user.groups.all()` reads them; adding or removing a
    group and `refresh_from_db` forget them), the permissions in the backend's caches for the request (`set_role`
    forgets them): a change made meanwhile through another object of the same user is not seen on this one, as
    with Django's own caches. Superusers hold every permission: only their groups are kept here, and Django's
    backend answers for them."""
    in_groups = Group.objects.filter(user=user).order_by().values_list(
        "id", "name", "permissions__content_type__app_label", "permissions__codename")
    own = Permission.objects.filter(user=user).order_by().values_list(
        Value(None, output_field=IntegerField()), Value(None, output_field=CharField()), "content_type__app_label",
        "codename")
    groups, by_group, by_user = {}, set(), set()
    for group_id, name, app_label, codename in in_groups.union(own, all=True):
        if group_id is not None:
            groups[group_id] = name
        if codename is not None:
            (by_group if group_id is not None else by_user).add(f"{app_label}.{codename}")
    held = user.groups.all()
    held._result_cache = [Group.from_db(in_groups.db, ["id", "name"], item) for item in sorted(groups.items())]
    held._prefetch_done = True
    user._prefetched_objects_cache = {**getattr(user, "_prefetched_objects_cache", {}), "groups": held}
    if not user.is_superuser:
        user._group_perm_cache, user._user_perm_cache, user._perm_cache = by_group, by_user, by_group | by_user


def role_of(user) -> str | None:
    """The user's role: the most powerful role group they belong to (superusers are admins)."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    if "groups" not in getattr(user, "_prefetched_objects_cache", {}):  # (else: read with them, or already)
        read_grants(user)
    names = {g.name for g in user.groups.all()}
    for role in (ADMIN, EDITOR, TRANSLATOR):
        if role in names:
            return role
    return None


def set_role(user, role: str) -> None:
    """Put the user in exactly one role group; admins are staff so they can use the Django admin."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == ADMIN
    user.save(update_fields=["is_staff"])
    for cache in _CACHES:  # what this request read of the user's grants (`read_grants`, Django's backend)
        if hasattr(user, cache):
            delattr(user, cache)


def self_change_refusal(actor, member, *, role: str | None = None, is_active: bool | None = None) -> str | None:
    """Why an admin may not make this change to their own account (lock themselves out), or None."""
    if actor.pk != member.pk:
        return None
    if is_active is False or (role is not None and role != ADMIN):
        return "You cannot deactivate yourself or give up your own admin role."
    return None


def add_member(username: str, email: str, password: str | None, role: str, *, actor=None):
    """A new user in `role` (the team page and the users API both call this; invitations with no password)."""
    from .accounts import audit

    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username, email, password)
            set_role(user, role)
            audit.record(audit.CREATED, subject=user, actor=actor, role=role)
    except IntegrityError:  # taken between the form's check and now
        raise Refused(409, "username_taken", f"The username {username} is taken.",
                      {"username": ["A user with that username already exists."]}) from None
    return user


def set_active(user, active: bool) -> None:
    """Let a member sign in again, or stop them: deactivating ends their sessions and deletes their API token
    (editorial.credentials), so reactivating them brings nothing old back to life."""
    user.is_active = active
    user.save(update_fields=["is_active"])


# Abilities the views check before anything else, with what the API says to someone without them (the desk
# answers 404: it does not show what is not yours). The API's permission class and the desk's decorator both
# read `may`.
REFUSALS = {
    "manage_team": "Only admins manage the team, the source feeds and machine translation.",
    "manage_glossary": "Only editors and admins keep the glossary.",
    "view_reports": "Only editors and admins see the reports.",
    "import_article": "Only editors and admins may import articles.",
    "switch_watch": "Only editors and admins turn the watch on the original on or off.",
}

# Abilities that come with a permission the roles hold already, instead of one of their own: a new permission
# would be a migration and one more thing for `sync_groups` to keep in step, for the same people.
_HELD_WITH = {"switch_watch": "edit_any_article"}


def may(user, ability: str) -> bool:
    """Whether the user holds the ability (one of REFUSALS)."""
    permission = _HELD_WITH.get(ability, ability)
    return bool(user and user.is_authenticated and user.has_perm(f"editorial.{permission}"))


def change_member(actor, member, *, role: str | None = None, is_active: bool | None = None) -> None:
    """An admin changes a member's role and/or whether they may sign in: one transaction, and never a change
    that locks the admin out of their own account (Refused 409 `self_demotion`)."""
    from .accounts import audit

    refusal = self_change_refusal(actor, member, role=role, is_active=is_active)
    if refusal:
        raise Refused(409, "self_demotion", refusal)
    with transaction.atomic():
        if role is not None and role != (before := role_of(member)):
            set_role(member, role)
            audit.record(audit.ROLE_CHANGED, subject=member, actor=actor, role=role, previous=before)
        if is_active is not None and is_active != member.is_active:
            set_active(member, is_active)
            audit.record(audit.REACTIVATED if is_active else audit.DEACTIVATED, subject=member, actor=actor)
