"""Idempotency keys: a write sent twice with the same key is made once.

A client that did not hear the answer (a timeout, a dropped connection, a 503)
sends the request again with the same key; the second request gets the first
one's answer instead of making a duplicate. The API reads the key from the
``Idempotency-Key`` header, the web forms from a hidden field.

``run_once`` runs the write and stores its answer (``IdempotencyRecord``) in
one transaction, so either both exist or neither does; a refused write (a
``DomainError``) stores nothing, and the same key may be used again. The same
key with a different request (another endpoint, or another body) is refused
with ``IdempotencyKeyReused`` (422). Two requests with one key at the same
moment: the second waits for the first's row lock, or loses the unique
constraint and replays the first's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter

from .errors import DomainError, IdempotencyKeyReused
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Outcome:
    """The answer to a write: its status, body and the id of what it made."""

    status: int
    body: Any = None
    object_id: int | None = None
    replayed: bool = False


def fingerprint(endpoint: str, data) -> str:
    """A stable digest of what was asked: the endpoint and the request's data."""
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{endpoint}\n{canonical}".encode()).hexdigest()


def clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(
            _("The idempotency key is too long (at most %(n)s characters).")
            % {"n": MAX_KEY_LENGTH},
            field=FORM_FIELD,
        )
    return key


def _replay(record: IdempotencyRecord, endpoint: str, digest: str) -> Outcome:
    if record.endpoint != endpoint or record.fingerprint != digest:
        raise IdempotencyKeyReused(
            _("This idempotency key was already used for a different request.")
        )
    return Outcome(record.response_status, record.response_body, record.object_id, replayed=True)


def run_once(
    *, user, key: str | None, endpoint: str, data, perform: Callable[[], Outcome]
) -> Outcome:
    """Run ``perform`` once per (user, key); later calls return its first ``Outcome``.

    Without a key (or for an anonymous user) ``perform`` simply runs.
    """
    key = clean_key(key)
    if not key or not getattr(user, "is_authenticated", False):
        return perform()
    digest = fingerprint(endpoint, data)
    try:
        with transaction.atomic():
            record = (
                IdempotencyRecord.objects.select_for_update().filter(user=user, key=key).first()
            )
            if record is not None:
                return _replay(record, endpoint, digest)
            outcome = perform()
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                endpoint=endpoint,
                fingerprint=digest,
                response_status=outcome.status,
                response_body=outcome.body,
                object_id=outcome.object_id,
            )
            return outcome
    except IntegrityError:
        # Another request with this key committed first; this one's write was rolled back.
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            raise
        return _replay(record, endpoint, digest)


def api_once(request, perform: Callable[[], Outcome]) -> Outcome:
    """``run_once`` for an API request: the key from the ``Idempotency-Key`` header, the
    endpoint from the path, the request's data as what was asked."""
    return run_once(
        user=request.user,
        key=request.headers.get(HEADER),
        endpoint=request.path,
        data=request.data,
        perform=perform,
    )


def header_parameter():
    """The ``Idempotency-Key`` header as drf-spectacular documents it, for each write that takes it."""
    return OpenApiParameter(
        name=HEADER,
        location=OpenApiParameter.HEADER,
        required=False,
        type=str,
        description=(
            "A key of your choosing (at most 255 characters), unique per request you mean to "
            "make once. Sending the same request again with the same key returns the first "
            "answer instead of repeating the write; the same key with a different request is "
            "refused (422)."
        ),
    )
