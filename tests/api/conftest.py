"""Fixtures for the API tests: token clients for each person of the consultation."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments import services


@pytest.fixture
def client_for():
    """``client_for(user)``: an APIClient sending that user's token (anonymous for None)."""

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
