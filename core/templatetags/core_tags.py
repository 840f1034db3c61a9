"""Numbers and dates in the style of the page's language (see core.numerals)."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe

from core.numerals import local_digits, local_number

register = template.Library()


@register.filter
def digits(value):
    """A number (or text the portal made, like "3 of 10") in the page language's digits.

    Integers stay integers (see core.numerals.KhmerNumeral), so the filter also serves
    ``{% blocktranslate count n=x|digits %}``, where the plural form needs the number.
    """
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return local_number(value)
    shown = local_digits(value)
    return mark_safe(shown) if isinstance(value, SafeString) else shown


@register.filter
def when(value, format_name="DATETIME_FORMAT"):
    """A date or time in the page language's one style (portal/formats) and digits.

    Use the format names (DATETIME_FORMAT, DATE_FORMAT, SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT, TIME_FORMAT), never a literal pattern, so that every
    page writes dates the same way; ``|date:"c"`` stays for machine-readable
    attributes.
    """
    if value in (None, ""):
        return ""
    return local_digits(date_filter(value, format_name))
