"""Numbers as each language writes them: Khmer digits in Khmer, Latin digits in English.

Cambodian laws number their articles with Khmer digits (មាត្រា ១៩), and Khmer-language
government pages write dates and counts with them too; the Khmer interface follows that
convention. Only numbers the portal itself prints are converted: identifiers a person may
type or quote back (tracking numbers, fingerprints, ids in addresses, e-mail addresses) and
everything people wrote (comments, the law's text as drafted) keep their own digits.
"""

from __future__ import annotations

from core.i18n import current_language

_TO_KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_TO_LATIN = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def khmer_digits(text) -> str:
    return str(text).translate(_TO_KHMER)


def latin_digits(text) -> str:
    """Khmer digits read back as Latin ones (for search, and for numbers typed in Khmer)."""
    return str(text).translate(_TO_LATIN)


class KhmerNumeral(int):
    """An integer that prints with Khmer digits but still counts as a number.

    ``{% blocktranslate count n=x|digits %}`` needs a number to choose the plural form and
    prints that same value; this type lets one value serve both, so the catalogue's
    messages stay as they are.
    """

    def __str__(self) -> str:
        return khmer_digits(int.__str__(self))

    def __format__(self, spec: str) -> str:
        return khmer_digits(int.__format__(self, spec))

    __repr__ = int.__repr__


def local_number(value, language: str | None = None):
    """An int in ``language``'s digits that is still an int (other values as local_digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if (language or current_language()) == "km":
            return KhmerNumeral(value)
        return value
    return local_digits(value, language)


def local_digits(value, language: str | None = None) -> str:
    """``value`` as text, with the digits of ``language`` (the active one by default)."""
    text = "" if value is None else str(value)
    return khmer_digits(text) if (language or current_language()) == "km" else text
