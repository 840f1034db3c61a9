from django.contrib import admin

from .models import Reindex


@admin.register(Reindex)
class ReindexAdmin(admin.ModelAdmin):
    """Background rebuilds and their progress (``manage.py search_index --background``)."""

    list_display = ("pk", "draft", "status", "done", "total", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Reindex._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
