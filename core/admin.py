from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .events import max_attempts
from .models import OutboxEvent


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting to be delivered")),
            ("parked", _("Parked after repeated failures")),
            ("delivered", _("Delivered")),
        ]

    def queryset(self, request, queryset):
        undelivered = queryset.filter(dispatched_at__isnull=True)
        if self.value() == "waiting":
            return undelivered.filter(attempts__lt=max_attempts())
        if self.value() == "parked":
            return undelivered.filter(attempts__gte=max_attempts())
        if self.value() == "delivered":
            return queryset.filter(dispatched_at__isnull=False)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Read only: what the relay has delivered, what waits, and what it gave up on and why."""

    list_display = ("pk", "name", "created_at", "dispatched_at", "attempts", "last_error")
    list_filter = (OutboxStateFilter, "name")
    search_fields = ("name", "last_error")
    readonly_fields = ("name", "payload", "created_at", "dispatched_at", "attempts", "last_error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
