"""Bilingual fields: most content is stored twice, as ``<field>_en`` and ``<field>_km``."""

from django.utils.translation import get_language


def current_language() -> str:
    return "km" if (get_language() or "en").startswith("km") else "en"


def localized(obj, field: str, language: str | None = None) -> str:
    """The field in the requested (or active) language, falling back to English when empty."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", "") if language != "en" else ""
    return value or getattr(obj, f"{field}_en", "")


class LocalizedField:
    """A read-only attribute giving ``<name>_en`` or ``<name>_km`` in the active language.

    ``title = LocalizedField()`` on a model with ``title_en`` and ``title_km`` reads the
    page's language with the English fallback of :func:`localized`, so every bilingual
    model says it the same way.
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return localized(obj, self.name)
