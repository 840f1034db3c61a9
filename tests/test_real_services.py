"""The real services, for real: PostgreSQL when DATABASE_URL is set, Redis and a worker process."""

import os
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from drafts.models import DraftVersion
from drafts.tasks import consultations_close_due

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_database_is_the_one_configured():
    wanted = os.environ.get("DATABASE_URL", "sqlite")
    vendor = "postgresql" if wanted.startswith(("postgres", "psql")) else "sqlite"
    assert connection.vendor == vendor


def test_worker_closes_a_due_consultation_through_redis(
    consultation, celery_worker_process, transactional_db
):
    version = consultation.version
    version.closes_at = timezone.now() - timedelta(seconds=1)
    version.opens_at = timezone.now() - timedelta(days=1)
    version.save()
    result = consultations_close_due.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.status == DraftVersion.Status.CLOSED:
            break
        time.sleep(0.2)
    assert version.status == DraftVersion.Status.CLOSED, celery_worker_process["log"].read_text()
    assert result.get(timeout=10) == [version.pk]
    assert version.history.filter(history_change_reason="Consultation closed").exists()
