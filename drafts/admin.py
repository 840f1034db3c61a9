from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Draft, DraftVersion, Provision


class DraftVersionInline(admin.TabularInline):
    model = DraftVersion
    extra = 0
    fields = ("number", "status", "opens_at", "closes_at", "published_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(Draft)
class DraftAdmin(SimpleHistoryAdmin):
    list_display = ("short_title_en", "title_km", "lead_ministry", "created_at")
    search_fields = ("title_en", "title_km", "short_title_en", "slug")
    list_filter = ("lead_ministry",)
    filter_horizontal = ("drafting_partners",)
    prepopulated_fields = {"slug": ("short_title_en",)}
    inlines = [DraftVersionInline]


class ProvisionInline(admin.StackedInline):
    model = Provision
    fk_name = "version"
    extra = 0
    fields = (
        ("stable_id", "kind", "number", "position"),
        ("heading_en", "heading_km"),
        "text_en",
        "text_km",
        "removed_at",
    )
    readonly_fields = ("stable_id", "removed_at")
    show_change_link = True
    can_delete = False

    def has_change_permission(self, request, obj=None):
        # Published text is frozen; the model refuses the save in any case.
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen


@admin.register(DraftVersion)
class DraftVersionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "status", "opens_at", "closes_at", "published_at")
    list_filter = ("status", "draft")
    search_fields = ("draft__title_en", "draft__short_title_en")
    raw_id_fields = ("author", "published_by", "parent")
    inlines = [ProvisionInline]


@admin.register(Provision)
class ProvisionAdmin(SimpleHistoryAdmin):
    list_display = ("stable_id", "kind", "number", "heading_en", "version", "removed_at")
    list_filter = ("kind", "version__draft", "version__number")
    search_fields = ("stable_id", "heading_en", "heading_km", "text_en", "text_km")
    raw_id_fields = ("version", "parent", "removed_by")
    list_select_related = ("version__draft",)
