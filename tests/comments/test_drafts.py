"""Private drafts of comments: saved by their author, seen by nobody else, posted later
under every rule of posting."""

import pytest
from django.urls import reverse

from comments import services
from comments.models import Comment, CommentDraft
from core.errors import DomainError, PolicyDenied

pytestmark = pytest.mark.django_db


def create_url(c):
    return reverse("comments:create", args=[c.draft.slug, c.version.number, c.article.stable_id])


def article_url(c):
    return reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id])


def test_save_continue_and_post_a_draft_on_the_web(consultation, client):
    c = consultation
    client.force_login(c.individual)
    response = client.post(
        create_url(c),
        {"kind": "question", "visibility": "public", "body": "Half-written", "save_draft": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("comments:drafts")
    assert not Comment.objects.exists()
    saved = CommentDraft.objects.get(author=c.individual)
    assert saved.kind == "question"
    assert "Half-written" in client.get(reverse("comments:drafts")).content.decode()

    # Continue: the form starts from the draft; posting from it removes the draft.
    page = client.get(article_url(c), {"draft": saved.pk}).content.decode()
    assert "Half-written" in page
    posted = client.post(
        create_url(c),
        {
            "kind": "question",
            "visibility": "public",
            "body": "Fully written",
            "comment_draft": saved.pk,
        },
    )
    assert posted.status_code == 302
    assert Comment.objects.get().body == "Fully written"
    assert not CommentDraft.objects.exists()


def test_nobody_else_sees_or_posts_a_draft(consultation, client):
    c = consultation
    saved = services.comment_draft_save(
        by=c.individual, version=c.version, provision=c.article, body="Private thoughts"
    )
    client.force_login(c.stakeholder_a)
    assert "Private thoughts" not in client.get(reverse("comments:drafts")).content.decode()
    assert (
        "Private thoughts" not in client.get(article_url(c), {"draft": saved.pk}).content.decode()
    )
    assert client.post(reverse("comments:draft_submit", args=[saved.pk])).status_code == 404
    assert client.post(reverse("comments:draft_discard", args=[saved.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.comment_draft_submit(comment_draft=saved, by=c.stakeholder_a)
    client.logout()
    page = client.get(article_url(c)).content.decode()
    assert "Private thoughts" not in page
    assert CommentDraft.objects.filter(pk=saved.pk).exists()


def test_submitting_applies_the_rules_of_posting(consultation, client):
    c = consultation
    saved = services.comment_draft_save(
        by=c.individual, version=c.version, provision=c.article, body="", kind="comment"
    )
    with pytest.raises(DomainError):  # empty: "Please write something."
        services.comment_draft_submit(comment_draft=saved, by=c.individual)
    assert CommentDraft.objects.filter(pk=saved.pk).exists()
    saved = services.comment_draft_save(
        by=c.individual,
        version=c.version,
        provision=c.article,
        body="Ready now",
        comment_draft=saved,
    )
    client.force_login(c.individual)
    response = client.post(reverse("comments:draft_submit", args=[saved.pk]))
    comment = Comment.objects.get(body="Ready now")
    assert response["Location"] == reverse("comments:permalink", args=[comment.pk])
    assert comment.organisation_id is None
    assert not CommentDraft.objects.exists()


def test_only_those_who_may_post_keep_drafts(consultation):
    c = consultation
    with pytest.raises(PolicyDenied):
        services.comment_draft_save(
            by=c.admin, version=c.version, provision=c.article, body="Staff may not comment"
        )
