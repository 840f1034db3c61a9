"""Production settings pass Django's deployment checklist, and the headers are on every page."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_settings(tmp_path, django_db_blocker):
    from tests.conftest import _database_url_for_subprocess

    with django_db_blocker.unblock():
        database_url = _database_url_for_subprocess()  # migrated, as in production
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "consultation.example.gov.kh",
        "PORTAL_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
    }
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS" not in output, output


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "ALLOWED_HOSTS": "consultation.example.gov.kh",
        "PORTAL_DATA_DIR": str(tmp_path),
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def parse_policy(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    policy = parse_policy(response["Content-Security-Policy"])
    for name, value in EXPECTED_POLICY.items():
        assert policy.get(name) == value, (name, policy.get(name))
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_api_explorer_works_under_its_own_policy(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = parse_policy(response["Content-Security-Policy"])
    # Scripts stay 'self': the page loads its start-up code as a file, none inline.
    assert policy["script-src"] == "'self'"
    assert "<script>" not in html.replace(" ", "")
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script_url = html.split('<script src="')[-1].split('"')[0].replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert script["Content-Type"].startswith("application/javascript")
    # Only styles are relaxed, and only here.
    assert "'unsafe-inline'" in policy["style-src"]
    other = parse_policy(client.get(reverse("accounts:login"))["Content-Security-Policy"])
    assert other["style-src"] == "'self'"


@override_settings(
    SECURE_SSL_REDIRECT=False,
    SECURE_HSTS_SECONDS=31_536_000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_REFERRER_POLICY="same-origin",
)
@pytest.mark.django_db
def test_hsts_and_referrer_policy_over_https(client):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["Referrer-Policy"] == "same-origin"


def test_production_cookie_and_transport_settings(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT', 'DEBUG', 'AXES_ENABLED')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "consultation.example.gov.kh",
        "PORTAL_DATA_DIR": str(tmp_path),
    }
    for name in ("DEBUG", "AXES_ENABLED", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": True,
        "DEBUG": False,
        "AXES_ENABLED": True,
    }
