"""Bilingual fields: most content is stored twice, as ``<field>_en`` and ``<field>_km``."""

from django.utils.translation import get_language


def current_language() -> str:
    return "km" if (get_language() or "en").startswith("km") else "en"


def localized(obj, field: str, language: str | None = None) -> str:
    """The field in the requested (or active) language, falling back to English when empty."""
    language = language or current_language()
    value = getattr(obj, f"{field}_{language}", "") if language != "en" else ""
    return value or getattr(obj, f"{field}_en", "")
