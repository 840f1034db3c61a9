from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Comment, Disposition, Endorsement, PassageCheck, Report


class DispositionInline(admin.StackedInline):
    model = Disposition
    fk_name = "comment"
    extra = 0
    fields = (
        "status",
        "response",
        "responded_by",
        "responded_at",
        "applied_in_version",
        "superseded_by",
        "superseded_reason",
        "superseded_at",
    )
    raw_id_fields = ("responded_by", "applied_in_version", "superseded_by")
    can_delete = False


class EndorsementInline(admin.TabularInline):
    model = Endorsement
    extra = 0
    fields = ("organisation", "user", "created_at", "withdrawn_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("organisation", "user")
    can_delete = False


@admin.register(Comment)
class CommentAdmin(SimpleHistoryAdmin):
    list_display = (
        "pk",
        "kind",
        "organisation",
        "author",
        "provision",
        "visibility",
        "state",
        "created_at",
    )
    list_filter = (
        "kind",
        "visibility",
        "state",
        "organisation__kind",
        "version__draft",
        "version__number",
    )
    search_fields = ("body", "quote_exact", "author__username", "organisation__name_en")
    raw_id_fields = (
        "version",
        "provision",
        "parent",
        "root",
        "author",
        "organisation",
        "thread_organisation",
        "hidden_by",
    )
    list_select_related = ("organisation", "author", "provision")
    date_hierarchy = "created_at"
    inlines = [DispositionInline, EndorsementInline]

    def has_delete_permission(self, request, obj=None):
        return False  # nothing a stakeholder wrote is deleted


@admin.register(Disposition)
class DispositionAdmin(SimpleHistoryAdmin):
    list_display = ("comment", "status", "responded_by", "responded_at")
    list_filter = ("status",)
    search_fields = ("response",)
    raw_id_fields = ("comment", "responded_by", "applied_in_version", "superseded_by")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Endorsement)
class EndorsementAdmin(SimpleHistoryAdmin):
    list_display = ("comment", "organisation", "user", "created_at", "withdrawn_at")
    raw_id_fields = ("comment", "organisation", "user")


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ("comment", "reporter", "created_at", "resolved_at")
    raw_id_fields = ("comment", "reporter", "resolved_by")


@admin.register(PassageCheck)
class PassageCheckAdmin(admin.ModelAdmin):
    list_display = ("comment", "version", "result", "checked_at")
    list_filter = ("result",)
    raw_id_fields = ("comment", "version")
