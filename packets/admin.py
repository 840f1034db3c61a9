from django.contrib import admin

from .models import Packet, Transmission


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


@admin.register(Transmission)
class TransmissionAdmin(admin.ModelAdmin):
    """Read only: a transmission is recorded through ``services.packet_transmit``."""

    list_display = ["version", "transmitted_at", "fingerprint", "reference", "recorded_by"]
    list_select_related = ["version__draft", "recorded_by"]
    readonly_fields = [f.name for f in Transmission._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
