from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from reversion.admin import VersionAdmin

from . import roles
from .accounts import audit
from .models import AccountEvent, Article, Job, Keyword, Publication, SourceFeed, StateChange


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "user", "comment", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    list_display = ["id", "__str__", "state", "assignee", "source_outlet", "created_at", "published_at"]
    list_filter = ["state", "source_outlet"]
    search_fields = ["document__source_title", "source_outlet", "slug"]
    raw_id_fields = ["document", "assignee", "created_by"]
    # State moves only through the workflow (the desk or the API), never by editing the row.
    readonly_fields = ["state", "version", "published_at", "disclaimer", "created_by"]
    inlines = [StateChangeInline]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "article", "done", "total", "attempts", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["name"]


admin.site.register(Keyword)


@admin.register(SourceFeed)
class SourceFeedAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "language", "auto_draft", "active", "last_polled_at", "created_by"]
    list_filter = ["active", "auto_draft", "language"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_by", "created_at", "last_polled_at", "last_error", "etag", "modified"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            # Feeds are polled in the name of the admin who registers them.
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: no one adds, changes or deletes an event (editorial.accounts.audit)."""

    list_display = ("at", "action", "actor", "subject", "address")
    list_filter = ("action",)
    search_fields = ("subject__username", "actor__username", "address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedUserAdmin(UserAdmin):
    """Django's user admin, with what it changes in the audit log as the team page's changes are (accounts.audit):
    an account added, a role (group) changed, activated or deactivated, a password set by an admin."""

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        obj._role_before = roles.role_of(before)
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record(audit.CREATED, subject=obj, actor=request.user, via="admin site")
        elif before.is_active != obj.is_active:
            audit.record(audit.REACTIVATED if obj.is_active else audit.DEACTIVATED, subject=obj, actor=request.user,
                         via="admin site")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        user.__dict__.pop("_perm_cache", None)
        before, after = getattr(user, "_role_before", None), roles.role_of(user)
        if after != before and (change or after is not None):
            audit.record(audit.ROLE_CHANGED, subject=user, actor=request.user, role=after, previous=before,
                         via="admin site")

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was valid: the password is set
            audit.record(audit.PASSWORD_CHANGED, subject=self.get_object(request, id), actor=request.user,
                         via="admin site")
        return response


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
