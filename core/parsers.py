"""The API's request parsers."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with input nested too deeply answered as a parse error (400).

    Python's json module recurses once per level of nesting: ten kilobytes of
    nested brackets raise RecursionError, which DRF does not catch (it catches
    ValueError), and the client would get a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
