"""/health/ is liveness (no dependency), /ready/ (and /healthz) is readiness."""

import pytest
from django.test import override_settings

from portal import health


@pytest.mark.django_db
def test_liveness_touches_no_dependency(client, django_assert_num_queries, monkeypatch):
    def boom():
        raise AssertionError("liveness must not check dependencies")

    monkeypatch.setattr(health, "CHECKS", {"database": boom})
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ready/", "/healthz"])
def test_readiness_names_every_dependency_ok(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "ok",
    }
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db(transaction=True)
def test_readiness_is_503_naming_what_is_down(client, monkeypatch):
    def down():
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "broker", down)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["broker"] == "down"
    assert body["checks"]["database"] == "ok"


def test_a_hanging_dependency_is_down_within_the_timeout(monkeypatch):
    import threading
    import time

    release = threading.Event()
    monkeypatch.setattr(health, "CHECKS", {"database": lambda: release.wait(30)})
    started = time.monotonic()
    try:
        assert health.readiness(timeout=0.2) == {"database": "down"}
    finally:
        release.set()
    assert time.monotonic() - started < 2


@override_settings(ALLOWED_HOSTS=["consult.example.gov.kh"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_an_internal_host_over_plain_http(client, monkeypatch):
    """The compose health check and Prometheus say Host: web:8000, over HTTP."""
    monkeypatch.setattr(health, "CHECKS", {"database": lambda: None})
    assert client.get("/health/", HTTP_HOST="web:8000").status_code == 200
    assert client.get("/ready/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    # Everything else is still refused for an unknown host.
    assert client.get("/ping", HTTP_HOST="web:8000").status_code == 400
