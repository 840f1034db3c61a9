from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import revisions

from .models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "is_org_admin", "is_active", "granted_by", "ended_at")
    autocomplete_fields = ("organisation",)
    raw_id_fields = ("granted_by",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "display_name", "email", "active_organisation", "is_staff")
    list_filter = ("is_staff", "is_active", "preferred_language", "memberships__role")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("display_name", "preferred_language", "active_organisation")}),
    )
    autocomplete_fields = ("active_organisation",)
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        revisions.touch(revisions.PEOPLE)  # a name shown beside comments may have changed


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name_en", "name_km", "kind", "country", "verified")
    list_filter = ("kind", "verified", "country")
    search_fields = ("name_en", "name_km", "slug")
    prepopulated_fields = {"slug": ("name_en",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        revisions.touch(revisions.PEOPLE)  # its name, kind and mark are shown beside comments


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organisation", "role", "is_org_admin", "is_active", "created_at")
    list_filter = ("role", "is_active", "is_org_admin", "organisation__kind")
    search_fields = ("user__username", "user__display_name", "organisation__name_en")
    autocomplete_fields = ("user", "organisation")
    raw_id_fields = ("granted_by",)
