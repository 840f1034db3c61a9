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


class IdempotencyKeyReused(DomainError):
    """An idempotency key sent again with a different request: refused (422), never replayed."""

    def __init__(self, message):
        super().__init__(message, code="idempotency_key_reused")


def http_status_for(error: Exception) -> int:
    """The HTTP status every front end (web page, htmx fragment, API) gives a service error."""
    if isinstance(error, PermissionDenied):  # PolicyDenied included
        return 403
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, RateLimited):
        return 429
    if isinstance(error, IdempotencyKeyReused):
        return 422
    return 400


def _infrastructure_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (
        OperationalError,
        InterfaceError,
        BrokerError,
        RedisConnectionError,
        RedisTimeoutError,
    )


# The database, Redis or the broker is unreachable: not the client's fault and not a bug,
# so the web and the API answer 503 with Retry-After (``PORTAL["RETRY_AFTER_SECONDS"]``).
INFRASTRUCTURE_ERRORS = _infrastructure_errors()


def retry_after_seconds() -> int:
    from django.conf import settings

    return int(settings.PORTAL.get("RETRY_AFTER_SECONDS", 5))
