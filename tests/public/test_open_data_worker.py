"""A closing consultation reaches a real worker through the outbox and Redis: the open data is written."""

import time

import pytest

from comments import services as comment_services
from drafts import services as draft_services
from public.models import OpenDataRelease

pytestmark = pytest.mark.services


def test_closing_a_consultation_writes_its_open_data_on_a_real_worker(
    consultation, celery_worker_process, transactional_db
):
    c = consultation
    comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="A public point"
    )
    draft_services.version_close(version=c.version)  # commits: the outbox delivers at once
    deadline = time.monotonic() + 60
    release = None
    while time.monotonic() < deadline:
        release = OpenDataRelease.objects.filter(draft=c.draft).first()
        if release is not None:
            break
        time.sleep(0.3)
    assert release is not None, celery_worker_process["log"].read_text()
    assert release.comment_count == 1
