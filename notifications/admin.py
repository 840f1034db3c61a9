from django.contrib import admin

from .models import Follow, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "delivery", "read_at", "emailed_at")
    list_filter = ("kind", "delivery")
    search_fields = ("recipient__username", "recipient__email", "dedupe_key")
    raw_id_fields = ("recipient", "actor", "draft", "version", "comment", "packet")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "delivery", "updated_at")
    list_filter = ("kind", "delivery")
    raw_id_fields = ("user",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "draft", "created_at")
    raw_id_fields = ("user", "draft")
