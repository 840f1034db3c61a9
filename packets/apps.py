from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PacketsConfig(AppConfig):
    name = "packets"
    verbose_name = _("Review packets")

    def ready(self):
        from . import listeners  # noqa: F401  (registers the version.closed listener)
