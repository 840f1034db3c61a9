"""Fixtures for the web pages: signed-in clients and a few comments made through the services."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user (anonymous with None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def article_url(consultation):
    c = consultation
    return reverse(
        "comments:article",
        kwargs={"slug": c.draft.slug, "number": c.version.number, "stable_id": c.article.stable_id},
    )


@pytest.fixture
def create_url(consultation):
    c = consultation
    return reverse(
        "comments:create",
        kwargs={"slug": c.draft.slug, "number": c.version.number, "stable_id": c.article.stable_id},
    )


def post_comment(consultation, user=None, body="A comment.", minutes_ago=1, **kwargs):
    """A comment through the service, back-dated a little (and so not rate limited)."""
    return services.comment_create(
        by=user or consultation.stakeholder_a,
        version=consultation.version,
        provision=kwargs.pop("provision", consultation.article),
        body=body,
        posted_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )


def reply_to(parent, user, body="A reply.", **kwargs):
    return services.comment_reply(
        by=user, parent=parent, body=body, posted_at=timezone.now(), **kwargs
    )


def published_version(draft, number=1, **fields):
    """A version with the usual articles, then given its published state (fixtures only)."""
    from tests.factories import VersionFactory, build_articles

    version = VersionFactory(draft=draft, number=number)
    build_articles(version)
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    return version
