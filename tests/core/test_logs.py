"""Production logs are JSON lines carrying the request id."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

from core.logs import JsonFormatter, RequestIdFilter, request_id

ROOT = Path(__file__).resolve().parents[2]


def _record(msg, *args, **extra):
    record = logging.makeLogRecord(
        {"name": "packets.tasks", "levelname": "ERROR", "msg": msg, "args": args, **extra}
    )
    RequestIdFilter().filter(record)
    return record


def test_a_record_is_one_json_line_with_its_request_id_and_extras():
    token = request_id.set("abc123")
    try:
        line = JsonFormatter().format(_record("packet %s failed", 7, packet_id=7))
    finally:
        request_id.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "packet 7 failed"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "packets.tasks"
    assert entry["request_id"] == "abc123"
    assert entry["packet_id"] == 7


def test_an_exception_stays_inside_the_line():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        record = _record("boom", exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: bad" in entry["exception"]


def test_responses_echo_a_safe_request_id_or_make_one(client):
    assert client.get("/ping", HTTP_X_REQUEST_ID="lb-42")["X-Request-ID"] == "lb-42"
    made = client.get("/ping", HTTP_X_REQUEST_ID="evil\nid")["X-Request-ID"]
    assert made != "evil\nid"
    assert len(made) == 32


def test_production_logs_json_to_stdout(tmp_path):
    code = "import django, logging; django.setup(); logging.getLogger('portal').warning('hello %s', 'ops')"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "consultation.example.gov.kh",
        "PORTAL_DATA_DIR": str(tmp_path),
    }
    env.pop("LOG_FORMAT", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert entry["message"] == "hello ops"
    assert entry["level"] == "WARNING"
