"""The database, Redis or the broker unreachable: 503 with Retry-After, never Django's 500 page."""

import pytest
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerDown
from redis.exceptions import ConnectionError as RedisDown

pytestmark = pytest.mark.django_db


def _down(exc):
    def raiser(*args, **kwargs):
        raise exc

    return raiser


@pytest.mark.parametrize(
    "exc",
    [OperationalError("server closed the connection"), RedisDown("refused"), BrokerDown("down")],
)
def test_the_api_answers_503_json_with_retry_after(consultation, api_client_for, monkeypatch, exc):
    from comments import apis

    monkeypatch.setattr(apis.CommentListApi, "list", _down(exc))
    response = api_client_for(consultation.stakeholder_a).get("/api/v1/comments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"


def test_retry_after_is_configurable(consultation, api_client_for, monkeypatch, settings):
    from comments import apis

    settings.PORTAL = {**settings.PORTAL, "RETRY_AFTER_SECONDS": 12}
    monkeypatch.setattr(apis.CommentListApi, "list", _down(OperationalError("gone")))
    response = api_client_for(None).get("/api/v1/comments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "12"


def test_a_web_page_answers_a_translated_503_page(client, monkeypatch, consultation):
    from drafts import selectors

    monkeypatch.setattr(selectors, "drafts_with_readable_versions", _down(OperationalError("gone")))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Briefly unavailable" in response.content.decode()

    client.cookies["django_language"] = "km"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 503
    assert "Briefly unavailable" not in response.content.decode()


def test_a_parser_error_is_still_a_400(consultation, api_client_for):
    response = api_client_for(consultation.stakeholder_a).post(
        "/api/v1/comments/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
