"""Fixtures for the notification tests.

A Celery worker started by a test (``celery_worker_process``) is a separate
process whose locmem outbox the test cannot read, so every worker of this test
session writes its emails to files in a directory of its own, set here before
any worker starts. The test process itself always uses locmem (pytest-django).
"""

import atexit
import email
import email.policy
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

if "TEST_EMAIL_FILE_PATH" not in os.environ:
    _outbox = tempfile.mkdtemp(prefix="portal-worker-outbox-")
    atexit.register(shutil.rmtree, _outbox, ignore_errors=True)
    os.environ["TEST_EMAIL_FILE_PATH"] = _outbox
os.environ.setdefault("TEST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
WORKER_OUTBOX = Path(os.environ["TEST_EMAIL_FILE_PATH"])


def worker_emails() -> list:
    """Every notification email the worker has written, parsed.

    Receipts of submissions (comments.receipts, marked ``X-Portal-Receipt``) go out for
    every comment and reply these tests post; they are not what these tests count.
    """
    messages = []
    if not WORKER_OUTBOX.exists():
        return messages
    separator = b"\n" + b"-" * 79 + b"\n"
    for path in sorted(WORKER_OUTBOX.iterdir()):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                if message["X-Portal-Receipt"] is None:
                    messages.append(message)
    return messages


@pytest.fixture
def worker_outbox():
    """The worker's outbox, emptied for this test."""
    WORKER_OUTBOX.mkdir(parents=True, exist_ok=True)
    for path in WORKER_OUTBOX.iterdir():
        path.unlink()
    return worker_emails


def wait_for(predicate, timeout=30.0, interval=0.2, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    detail = log.read_text()[-4000:] if log is not None else ""
    raise AssertionError(f"condition not met within {timeout}s\n{detail}")


@pytest.fixture
def run_events(django_capture_on_commit_callbacks, monkeypatch):
    """Run what this app's listeners and tasks would do after commit, in this process.

    Celery runs tasks eagerly here, and on-commit callbacks (the outbox's
    immediate delivery to the listeners, and the email tasks they queue) run when
    the block ends, as after a commit; then the outbox relay runs synchronously
    for anything left undispatched, as beat would.
    Other apps' listeners (the packet builder's) are left out: the tests with a
    real worker run everything together.
    """
    from collections import defaultdict

    from core import events
    from portal.celery import app

    ours = defaultdict(list)
    for event, listeners in events._listeners.items():
        ours[event] = [fn for fn in listeners if fn.__module__ == "notifications.listeners"]
    monkeypatch.setattr(events, "_listeners", ours)

    @contextmanager
    def runner():
        saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
            with django_capture_on_commit_callbacks(execute=True):
                events.relay_pending()
        finally:
            app.conf.task_always_eager, app.conf.task_eager_propagates = saved

    return runner


@pytest.fixture
def follow():
    from notifications.services import follow_draft

    def make(user, draft):
        return follow_draft(user=user, draft=draft)

    return make


from tests.browser.conftest import browser, page  # noqa: E402, F401 - shared browser fixtures
