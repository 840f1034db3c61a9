"""The portal's pages in the admin: edited through the same service as the staff page."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from core.errors import DomainError

from . import services
from .models import OpenDataRelease, Page, RoundSummary


@admin.register(Page)
class PageAdmin(SimpleHistoryAdmin):
    list_display = ("slug", "title_en", "title_km", "updated_at", "updated_by")
    fields = services.PAGE_FIELDS
    readonly_fields = ()

    def has_add_permission(self, request):
        return False  # the set of pages is fixed: the footer links to each

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.PAGE_FIELDS}
        current = Page.objects.get(pk=obj.pk)
        try:
            services.page_edit(page=current, by=request.user, revision=current.revision, **fields)
        except DomainError as error:
            messages.error(request, error.message)


@admin.register(RoundSummary)
class RoundSummaryAdmin(SimpleHistoryAdmin):
    list_display = ("version", "updated_at", "updated_by")
    readonly_fields = ("version", "text_en", "text_km", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpenDataRelease)
class OpenDataReleaseAdmin(admin.ModelAdmin):
    list_display = ("draft", "digest", "comment_count", "generated_at")
    readonly_fields = ("draft", "digest", "files", "comment_count", "generated_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
