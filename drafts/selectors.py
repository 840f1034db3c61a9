"""Reads on drafts and versions."""

from django.utils import timezone

from .models import DraftVersion


def versions_due_to_close(now=None):
    now = now or timezone.now()
    return DraftVersion.objects.filter(
        status=DraftVersion.Status.IN_CONSULTATION, closes_at__lte=now
    ).order_by("closes_at")
