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
from comments.models import Comment
from packets.models import Packet
from packets.selectors import threads_for
from stakeholders.policies import can

from .test_permission_matrix import MATRIX, ROLES

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
    question = post(c.individual, "An individual's restricted question.", visibility="restricted")
    services.comment_reply(
        by=c.drafter, parent=question, body="The ministry answers the individual."
    )
    post(c.individual, "An individual's public point.")
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


PACKET_READERS = [role for role in ROLES if MATRIX["packet.download"][role]]


@pytest.mark.parametrize("role", PACKET_READERS)
def test_a_packet_carries_the_active_comments_its_reader_sees_on_the_page(
    role, mixed_threads, client
):
    """A packet with restricted comments is for those who may download it: it carries the
    comments they see on the page, in thread order, less withdrawn and hidden ones (which
    are not part of the record sent to the Assembly)."""
    c = mixed_threads
    user = getattr(c, role)
    client.force_login(user)
    url = reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])
    page = client.get(url, {"sort": "thread"}).content.decode()
    on_the_page = [int(pk) for pk in COMMENT_ID.findall(page)]
    active = set(
        Comment.objects.filter(pk__in=on_the_page, state=Comment.State.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    packet = Packet(version=c.version, language="en", include_restricted=True)
    assert can(user, "packet.include_restricted", c.version)
    in_the_packet = [
        comment.pk for comment in threads_for(packet=packet, provision_ids=[c.article.pk])
    ]
    assert in_the_packet == [pk for pk in on_the_page if pk in active]
    assert api_order(user, c) == web_order(client, c)
