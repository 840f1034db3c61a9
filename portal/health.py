"""What the readiness probe checks: each dependency the portal needs to serve a page.

Every check runs in its own daemon thread with a short deadline, so a database or
broker that hangs (a half-open TCP connection) makes the probe answer "down" within
seconds instead of hanging the load balancer's request.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    connection = connections.create_connection("default")  # this thread's own, closed after
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def check_cache() -> None:
    key, value = f"ready-probe:{uuid.uuid4().hex}", "1"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    elif url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
        if folder:
            os.makedirs(folder, exist_ok=True)  # as the Celery app does on start
        if folder and not os.access(folder, os.W_OK):
            raise RuntimeError("the queue folder is not writable")
    else:
        from kombu import Connection

        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=1)


def check_storage() -> None:
    # By class, not by attributes: S3Storage has ``location`` and ``path`` too.
    if isinstance(default_storage, FileSystemStorage):
        location = default_storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise RuntimeError("the media folder is not writable")
    else:
        # S3 and the like: one listing of an empty prefix. Not a HEAD of a missing key:
        # S3 answers that with the same bare 404 whether or not the bucket exists.
        default_storage.listdir("ready-probe")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def _run(check, results: dict, name: str) -> None:
    try:
        check()
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        logger.warning("readiness: %s is down: %r", name, exc)
        results[name] = "down"
    else:
        results[name] = "ok"


def readiness(timeout: float = TIMEOUT_SECONDS) -> dict[str, str]:
    """{dependency: "ok" | "down"} for every dependency, checked in parallel (why: in the log)."""
    results: dict[str, str] = {}
    threads = []
    for name, check in CHECKS.items():
        thread = threading.Thread(target=_run, args=(check, results, name), daemon=True)
        thread.start()
        threads.append((name, thread))
    deadline = time.monotonic() + timeout
    for name, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        if name not in results:
            logger.warning("readiness: %s did not answer within %ss", name, timeout)
            results[name] = "down"
    return {name: results[name] for name in CHECKS}
