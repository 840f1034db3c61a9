"""Settings for the test suite: whatever database DATABASE_URL names, fast hashing."""

import os
import uuid
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import CACHES, DATA_DIR, DATABASES, PORTAL, STATIC_ROOT, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client's login() authenticates without a request, which django-axes
# refuses; tests/security/ turns axes back on to prove the lockout.
AXES_ENABLED = False
# Posting limits count in a cache shared by every test in the process; the
# tests of the limits (tests/security/) switch them on with their own values.
PORTAL = {**PORTAL, "POST_RATE_PER_USER": "", "POST_RATE_PER_ORGANISATION": ""}
# pytest swaps in locmem for the test process itself; a worker process started
# by a test may be pointed at a file backend to let the test read what it sent.
EMAIL_BACKEND = env.str(
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", default=str(DATA_DIR / "test-outbox"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One media folder per test process, removed at the end of the run.
MEDIA_ROOT = env.str("TEST_MEDIA_ROOT", default=str(DATA_DIR / f"test-media-{os.getpid()}"))

# A queue of this test run's own: a real worker started by the tests listens
# only to it, so parallel runs and a running demo never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str(
    "CELERY_TASK_DEFAULT_QUEUE", default=f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a real Celery worker process started by a
    # test can open the same test database; one file per test process.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-portal-{os.getpid()}.sqlite3")}

# Static files come from the finders in tests; no collectstatic run is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    # Without Redis each test process keeps its own cache in memory (the demo's shared
    # folder would mix parallel test processes).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHES["default"]["BACKEND"] == "core.cache.RedisCache":
    # The cache gets a Redis database of its own, one per test process: a test that
    # clears the cache (FLUSHDB) must not wipe the Celery queues on the broker's database,
    # nor another pytest-xdist process's cached pages and posting windows. A Celery worker
    # started by a test inherits PYTEST_XDIST_WORKER, so it lands on the same database.
    _redis = urlsplit(CACHES["default"]["LOCATION"])
    _broker_db = int(_redis.path.lstrip("/") or 0)
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    _offset = 1 + (int(_worker[2:]) if _worker[2:].isdigit() else 0)
    CACHES["default"]["LOCATION"] = _redis._replace(path=f"/{(_broker_db + _offset) % 16}").geturl()
