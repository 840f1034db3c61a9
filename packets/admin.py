from django.contrib import admin

from .models import Packet


@admin.register(Packet)
class PacketAdmin(admin.ModelAdmin):
    list_display = (
        "fingerprint",
        "version",
        "language",
        "include_restricted",
        "status",
        "created_at",
    )
    list_filter = ("status", "language", "include_restricted")
    search_fields = ("fingerprint",)
    raw_id_fields = ("version", "compare_to", "requested_by")
    readonly_fields = ("fingerprint", "file", "page_count", "size_bytes", "attempts", "error")
