"""core.web: one way to show a refusal, whichever view refuses, and 429s that say when to retry."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_desk_refusal_and_a_comment_refusal_are_the_same_page(consultation, client):
    c = consultation
    client.force_login(c.stakeholder_b)
    desk = client.get(reverse("desk:home", args=[c.draft.slug]))
    assert desk.status_code == 403
    assert "refused.html" in [t.name for t in desk.templates]
    assert "drafting desk is for drafters" in desk.content.decode()

    from comments import services

    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Mine."
    )
    edit = client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Not mine", "revision": 1}
    )
    assert edit.status_code == 403
    assert "Only the author may edit a comment." in edit.content.decode()


def test_an_uncaught_refusal_is_shown_with_its_reason(consultation, client):
    """A PolicyDenied that no view catches reaches handler403, which shows its reason."""
    c = consultation
    client.force_login(c.stakeholder_b)
    response = client.get(reverse("comments:moderation"))
    assert response.status_code == 403
    assert "refused.html" in [t.name for t in response.templates]
    assert "Only moderators may hide or restore comments." in response.content.decode()


def test_a_rate_limited_post_on_the_web_says_when_to_retry(consultation, client, settings):
    from django.core.cache import cache

    # The counts live in Redis across runs; a fresh test database reuses user ids.
    cache.clear()
    c = consultation
    settings.PORTAL = {**settings.PORTAL, "POST_RATE_PER_USER": "1/h"}
    client.force_login(c.stakeholder_a)
    url = reverse("comments:create", args=[c.draft.slug, c.version.number, c.article.stable_id])
    form = {"kind": "comment", "visibility": "public", "body": "First post."}
    assert client.post(url, form).status_code == 302
    refused = client.post(url, {**form, "body": "Second post."})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Second post." in refused.content.decode()  # the text is kept to post later
