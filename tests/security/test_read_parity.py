"""The web pages, the API and the review packets show the same comments, in the same order,
to the same person: they all read through comments.selectors under the one policy module.

Checked for every role of docs/permissions.md, on a thread mixing every visibility, a
hidden comment and replies a reader may or may not see.
"""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from comments import services

from .test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db

COMMENT_ID = re.compile(r'<article class="comment [^"]*" id="comment-(\d+)"')


@pytest.fixture
def mixed_threads(consultation):
    c = consultation

    def post(by, body, **kwargs):
        return services.comment_create(
            by=by, version=c.version, provision=c.article, body=body, **kwargs
        )

    public = post(c.stakeholder_a, "Public point of A.")
    services.comment_reply(by=c.stakeholder_b, parent=public, body="B agrees in public.")
    restricted_reply = services.comment_reply(
        by=c.stakeholder_b,
        parent=public,
        body="B's note for the ministry.",
        visibility="restricted",
    )
    services.comment_reply(by=c.drafter, parent=restricted_reply, body="The ministry answers B.")
    post(c.stakeholder_b, "For participants only.", visibility="participants")
    restricted = post(c.stakeholder_a, "A's restricted point.", visibility="restricted")
    services.comment_reply(by=c.drafter, parent=restricted, body="The ministry answers A.")
    hidden = post(c.stakeholder_b, "Words a moderator hid.")
    services.comment_hide(comment=hidden, by=c.moderator, reason="Off topic")
    post(c.stakeholder_a, "A later public point.")
    return c


def web_order(client, c) -> list[int]:
    url = reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])
    page = client.get(url, {"sort": "oldest"}).content.decode()
    return [int(pk) for pk in COMMENT_ID.findall(page)]


def api_order(user, c) -> list[int]:
    client = APIClient()
    if user.is_authenticated:
        client.force_authenticate(user)
    response = client.get(
        reverse("api:thread-list"),
        {"version": c.version.pk, "provision": c.article.stable_id, "ordering": "oldest"},
    )
    assert response.status_code == 200

    def walk(rows):
        for row in rows:
            yield row["id"]
            yield from walk(row["replies"])

    return list(walk(response.json()["results"]))


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_and_the_api_show_the_same_comments_in_the_same_order(
    role, mixed_threads, client
):
    c = mixed_threads
    user = getattr(c, role)
    if user.is_authenticated:
        client.force_login(user)
    on_the_page = web_order(client, c)
    assert on_the_page, "every reader sees at least the public comments"
    assert on_the_page == api_order(user, c)
