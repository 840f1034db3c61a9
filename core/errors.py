"""Errors that services raise and that the web, the API and tasks all translate the same way."""

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A business rule refused the request; the message is shown to the user as is."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class ConflictError(DomainError):
    """Somebody else changed the record since the user loaded it (optimistic locking)."""

    def __init__(self, message, *, current=None):
        super().__init__(message, code="conflict")
        self.current = current


class PolicyDenied(PermissionDenied):
    """The permission module said no; the message says why in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RateLimited(DomainError):
    """An account or organisation has used its posting allowance for now.

    Web pages answer 429 and the API 429 with ``Retry-After: retry_after``.
    """

    def __init__(self, message, *, retry_after: int):
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after


def http_status_for(error: Exception) -> int:
    """The HTTP status every front end (web page, htmx fragment, API) gives a service error."""
    if isinstance(error, PermissionDenied):  # PolicyDenied included
        return 403
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, RateLimited):
        return 429
    return 400
