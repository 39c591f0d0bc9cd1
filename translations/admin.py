from django.contrib import admin

from . import memory
from .models import Document, MemoryEntry, Segment


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    # Text is edited in the desk, where versions and history are kept; here it is only shown.
    fields = readonly_fields = ["position", "kind", "source_text", "machine_text", "text", "origin", "version"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "source_title", "source_language", "target_language"]
    # The original body is the record of what arrived: shown, never edited.
    readonly_fields = ["original_body", "source_body", "is_html"]
    inlines = [SegmentInline]


@admin.register(MemoryEntry)
class MemoryEntryAdmin(admin.ModelAdmin):
    list_display = ["source_text", "target_text", "source_language", "target_language", "translator", "published_at"]
    search_fields = ["source_text", "target_text"]
    list_select_related = ["translator"]
    # Entries come from publishing; an admin may correct a translation or delete an entry, not add one by hand.
    readonly_fields = ["source_language", "target_language", "source_hash", "source_text", "normalized",
                       "origin_segment", "translator", "published_at"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        memory.forget(MemoryEntry.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        memory.forget(queryset)
