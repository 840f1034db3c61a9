from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo consultation (``manage.py load_demo``): loaded through the same services a
    person uses, so it sits above every app it writes to."""

    name = "demo"
    verbose_name = "Demo consultation"
