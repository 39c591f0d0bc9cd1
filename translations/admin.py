from django.contrib import admin

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
    list_display = ["source_text", "target_text", "source_language", "target_language", "updated_at"]
    search_fields = ["source_text", "target_text"]
