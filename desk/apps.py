from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = _("Drafting desk")

    def ready(self):
        from . import listeners  # noqa: F401 - registers the event listeners
        from .selectors import register_groupings

        register_groupings()
