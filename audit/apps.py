from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: every change to provisions, comments, dispositions, endorsements,
    memberships and moderation, from the history rows, for drafters and officials."""

    name = "audit"
    verbose_name = _("Audit log")
