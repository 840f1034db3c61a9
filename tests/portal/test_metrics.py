"""/metrics: who may read it, and the portal's own metrics in it."""

import uuid

import pytest
from django.test import override_settings

from portal import metrics

pytestmark = pytest.mark.django_db


def test_a_scraper_on_the_private_network_reads_metrics(client):
    client.get("/ping")
    response = client.get("/metrics", REMOTE_ADDR="10.0.3.7", HTTP_HOST="web:8000")
    assert response.status_code == 200
    body = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in body
    assert "portal_packet_build_seconds" in body
    assert "portal_packet_failures_total" in body


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "93.184.216.34"},  # a public address
        # Through the reverse proxy: the source is the proxy's private address.
        {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": "93.184.216.34"},
    ],
)
def test_the_public_may_not_read_metrics(client, extra):
    assert client.get("/metrics", **extra).status_code == 403


@override_settings(METRICS_TOKEN="s3cret-scrape-token")
def test_a_bearer_token_opens_metrics_from_anywhere(client):
    public = {"REMOTE_ADDR": "93.184.216.34", "HTTP_X_FORWARDED_FOR": "93.184.216.34"}
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **public)
    assert ok.status_code == 200
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess", **public)
    assert wrong.status_code == 403
    # A wrong token is refused even from a private address.
    private = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess", REMOTE_ADDR="10.0.0.2")
    assert private.status_code == 403


def test_no_token_configured_means_no_token_works(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="93.184.216.34")
    assert response.status_code == 403


def test_queue_depth_unknown_gives_no_sample(settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    assert list(metrics.QueueDepthCollector().collect()) == []
    # Nothing listens on port 1: no answer within the timeout, no sample, no error.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert list(metrics.QueueDepthCollector().collect()) == []


def test_queue_depth_reads_the_redis_list(settings, redis_url):
    import redis

    queue = f"metrics-test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = redis_url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    client = redis.Redis.from_url(redis_url)
    try:
        client.rpush(queue, "a", "b")
        client.rpush(f"{queue}\x06\x163", "c")
        (family,) = metrics.QueueDepthCollector().collect()
        assert family.samples[0].labels == {"queue": queue}
        assert family.samples[0].value == 3
    finally:
        client.delete(queue, f"{queue}\x06\x163")


def test_metrics_add_up_every_process_sharing_the_folder(tmp_path):
    """gunicorn's workers (and Celery's pool) each write their own; one scrape sums them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    setup = "import django; django.setup(); from django.test import Client; c = Client(); "
    for _ in range(2):  # two "workers", one request each
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", setup + "c.get('/ping')"], cwd=root, env=env, check=True
        )
    scrape = subprocess.run(  # noqa: S603
        [sys.executable, "-c", setup + "print(c.get('/metrics').content.decode())"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(
        line
        for line in scrape.splitlines()
        if line.startswith("django_http_requests_total_by_view_transport_method_total")
        and 'view="ping"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 2.0


def test_a_worker_serves_its_metrics_on_its_port(monkeypatch):
    import socket
    import urllib.request

    from portal.celery import _serve_worker_metrics

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CELERY_METRICS_PORT", str(port))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    _serve_worker_metrics()
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
    assert "portal_packet_failures_total" in body
