from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ImportUpload


@admin.register(ImportUpload)
class ImportUploadAdmin(SimpleHistoryAdmin):
    """The record of imports: read only, since an import changes drafts only through its service."""

    list_display = ("filename", "source_format", "status", "draft", "uploaded_by", "created_at")
    list_filter = ("status", "source_format")
    search_fields = ("filename", "draft__slug", "uploaded_by__username")
    readonly_fields = (
        "draft", "lead_ministry", "uploaded_by", "source_format", "filename", "parsed",
        "status", "version", "created_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
