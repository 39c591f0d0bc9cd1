from django.contrib import admin
from reversion.admin import VersionAdmin

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
