"""Shared fixtures: a small consultation with one person per role, and real services."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments import services
from core import revisions
from stakeholders.models import Membership, Organisation

from .factories import (
    DraftFactory,
    OrganisationFactory,
    UserFactory,
    VersionFactory,
    build_articles,
    member,
    open_version,
)

ROOT = Path(__file__).resolve().parent.parent
SERVICES_REQUIRED = os.environ.get("PORTAL_REQUIRE_SERVICES", "") not in ("", "0", "false")


def missing_service(reason: str):
    """Skip, or fail when the environment says the real services are required (CI)."""
    if SERVICES_REQUIRED:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Consultation:
    draft: object
    version: object
    articles: dict
    lead_ministry: object
    org_a: object
    org_b: object
    other_ministry: object
    assembly: object
    anonymous: object
    stakeholder_a: object
    stakeholder_b: object
    drafter: object
    other_drafter: object
    moderator: object
    official: object
    admin: object
    # A signed-in person with no organisation: takes part as an individual.
    individual: object = None

    @property
    def article(self):
        return next(iter(self.articles.values()))


@pytest.fixture
def consultation(db):
    """A published version open for comments, and one person for each role in the matrix."""
    from django.contrib.auth.models import AnonymousUser

    lead = OrganisationFactory(
        slug="moi", name_en="Ministry of Interior", kind=Organisation.Kind.MINISTRY
    )
    other_ministry = OrganisationFactory(
        slug="moj", name_en="Ministry of Justice", kind=Organisation.Kind.MINISTRY
    )
    org_a = OrganisationFactory(
        slug="rights", name_en="Digital Rights Forum", kind=Organisation.Kind.NGO
    )
    org_b = OrganisationFactory(
        slug="telco", name_en="Mekong Telecom", kind=Organisation.Kind.PRIVATE_SECTOR
    )
    assembly = OrganisationFactory(
        slug="na", name_en="National Assembly", kind=Organisation.Kind.NATIONAL_ASSEMBLY
    )
    draft = DraftFactory(lead_ministry=lead, slug="it-crimes", short_title_en="IT Crimes Law")
    version = VersionFactory(draft=draft)
    articles = build_articles(version)
    open_version(version)
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    return Consultation(
        draft=draft,
        version=version,
        articles=articles,
        lead_ministry=lead,
        org_a=org_a,
        org_b=org_b,
        other_ministry=other_ministry,
        assembly=assembly,
        anonymous=AnonymousUser(),
        stakeholder_a=member(organisation=org_a, username="alice"),
        stakeholder_b=member(organisation=org_b, username="bob"),
        drafter=member(Membership.Role.DRAFTER, organisation=lead, username="drafter"),
        other_drafter=member(
            Membership.Role.DRAFTER, organisation=other_ministry, username="otherdrafter"
        ),
        moderator=member(Membership.Role.MODERATOR, organisation=lead, username="moderator"),
        official=member(Membership.Role.OFFICIAL, organisation=assembly, username="official"),
        admin=admin,
        individual=UserFactory(username="citizen", display_name="Sokha Chan"),
    )


# --- the API -------------------------------------------------------------------------


@pytest.fixture
def api_client_for():
    """``api_client_for(user)``: an APIClient sending that user's token (anonymous for None)."""

    def make(user=None):
        client = APIClient()
        if user is not None and user.is_authenticated:
            token, _created = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def post(consultation):
    """``post(user, body, **kwargs)``: a comment posted through the service."""

    def make(user, body="A comment.", provision=None, **kwargs):
        return services.comment_create(
            by=user,
            version=consultation.version,
            provision=provision or consultation.article,
            body=body,
            **kwargs,
        )

    return make


# --- real services ------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing_service("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} does not answer: {exc}")
    return url


def _database_url_for_subprocess() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker, redis_url, tmp_path_factory):
    """A real ``celery worker`` process on the real Redis, reading the test database.

    It listens on a queue of its own, so parallel test runs and a running demo
    never take each other's tasks. Tests using it need ``transactional_db`` so
    that what they write is committed and visible to the worker.
    """
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with django_db_blocker.unblock():
        database_url = _database_url_for_subprocess()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log_path.read_text()}")
        if "ready." in log_path.read_text():
            break
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"celery worker did not start:\n{log_path.read_text()}")
    yield {"queue": queue, "log": log_path, "process": process}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever the one before it activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_thread_fragments():
    """Thread fragments cached by an earlier test may name ids this test's database reuses."""
    revisions.touch(revisions.PEOPLE)


@pytest.fixture(scope="session", autouse=True)
def _clean_test_media():
    yield
    media = Path(settings.MEDIA_ROOT)
    if media.name == f"test-media-{os.getpid()}" and media.exists():
        shutil.rmtree(media, ignore_errors=True)


def _wait_until_worker_idle(app, worker: dict, timeout: float = 120) -> None:
    """Wait until the worker has nothing queued, reserved or running.

    A task still running when the test's data is flushed (a packet build set
    off by a closing consultation, say) holds locks that deadlock the flush.
    """
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    inspector = app.control.inspect(timeout=2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queued = client.llen(worker["queue"])
        busy = [
            task
            for listing in (inspector.active() or {}, inspector.reserved() or {})
            for tasks in listing.values()
            for task in tasks
        ]
        if not queued and not busy:
            return
        time.sleep(0.5)
    pytest.fail(f"the worker was still busy after {timeout}s:\n{worker['log'].read_text()[-3000:]}")


@pytest.fixture
def celery_worker_process(_celery_worker_session, transactional_db):
    """The real worker, for one test: its writes are committed, and it is idle afterwards."""
    from portal.celery import app

    yield _celery_worker_session
    _wait_until_worker_idle(app, _celery_worker_session)
