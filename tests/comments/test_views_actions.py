"""Replying, editing, withdrawing, endorsing, reporting and moderating, with and without htmx."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment, Endorsement, Report

from .conftest import post_comment, reply_to

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, comment):
    return reverse(f"comments:{name}", args=[comment.pk])


def test_reply_form_page_and_reply_at_depth(consultation, client_for):
    c = consultation
    first = post_comment(c)
    second = reply_to(first, c.stakeholder_b)
    client = client_for(c.stakeholder_a)
    page = client.get(url("reply", second)).content.decode()
    assert "<h1>Reply</h1>" in page
    assert 'name="body"' in page
    response = client.post(url("reply", second), {"body": "Third level", "visibility": "public"})
    reply = Comment.objects.get(body="Third level")
    assert reply.parent == second
    assert reply.depth == 2
    assert reply.root == first
    assert response["Location"] == url("permalink", reply)
    page = client.get(response["Location"], follow=True).content.decode()
    assert f'id="comment-{reply.pk}"' in page
    assert "2 replies" in page


def test_htmx_reply_form_and_post_return_fragments(consultation, client_for):
    c = consultation
    first = post_comment(c)
    client = client_for(c.stakeholder_b)
    form = client.get(url("reply", first), **HTMX)
    assert form["HX-Retarget"] == f"#actions-{first.pk}"
    assert b"<html" not in form.content
    assert b'hx-post="' in form.content
    response = client.post(url("reply", first), {"body": "Inline", "visibility": "public"}, **HTMX)
    page = response.content.decode()
    assert page.startswith(
        f'<article class="comment kind-comment state-active depth-0" id="comment-{first.pk}"'
    )
    assert "Inline" in page
    assert "Your reply was posted." in page


def test_reply_to_restricted_comment_is_never_less_restricted(consultation, client_for):
    c = consultation
    first = post_comment(c, visibility="restricted")
    client_for(c.drafter).post(url("reply", first), {"body": "Answer", "visibility": "public"})
    assert Comment.objects.get(body="Answer").visibility == "restricted"
    assert b"Answer" not in client_for(None).get(url("permalink", first), follow=True).content


def test_edit_within_window_keeps_history_and_marks_edited(consultation, client_for):
    c = consultation
    comment = post_comment(c, body="Frist words")
    client = client_for(c.stakeholder_a)
    page = client.get(url("edit", comment)).content.decode()
    assert "Frist words" in page
    assert 'name="revision"' in page
    client.post(url("edit", comment), {"body": "First words", "revision": comment.revision})
    comment.refresh_from_db()
    assert comment.body == "First words"
    assert comment.is_edited
    assert list(comment.history.values_list("body", flat=True).order_by("history_date")) == [
        "Frist words",
        "First words",
    ]
    page = client.get(url("permalink", comment), follow=True).content.decode()
    assert ">edited<" in page


def test_article_page_shows_the_time_left_to_edit(consultation, client_for, article_url):
    post_comment(consultation, minutes_ago=10)
    page = client_for(consultation.stakeholder_a).get(article_url).content.decode()
    assert "Edit (19 minutes left)" in page or "Edit (20 minutes left)" in page


def test_edit_after_the_window_is_refused_with_the_text_kept(consultation, client_for):
    c = consultation
    comment = post_comment(c, minutes_ago=60)
    client = client_for(c.stakeholder_a)
    assert client.get(url("edit", comment)).status_code == 403
    response = client.post(url("edit", comment), {"body": "Too late edit", "revision": 1})
    assert response.status_code == 403
    assert b"within 30 minutes" in response.content
    assert b"Too late edit" in response.content


def test_stale_edit_is_a_conflict(consultation, client_for):
    c = consultation
    comment = post_comment(c)
    services.comment_edit(comment=comment, by=c.stakeholder_a, body="Elsewhere", revision=1)
    response = client_for(c.stakeholder_a).post(
        url("edit", comment), {"body": "Mine", "revision": 1}
    )
    assert response.status_code == 409
    assert b"changed since you opened it" in response.content
    assert b"Mine" in response.content


def test_only_the_author_can_edit_or_withdraw(consultation, client_for):
    c = consultation
    comment = post_comment(c)
    client = client_for(c.stakeholder_b)
    assert client.post(url("withdraw", comment), {"reason": ""}).status_code == 403
    assert client.post(url("edit", comment), {"body": "x", "revision": 1}).status_code == 403
    comment.refresh_from_db()
    assert comment.state == "active"


def test_withdraw_with_reason(consultation, client_for):
    c = consultation
    comment = post_comment(c, body="Still here")
    client = client_for(c.stakeholder_a)
    client.post(url("withdraw", comment), {"reason": "Covered by article 3"})
    comment.refresh_from_db()
    assert comment.state == Comment.State.WITHDRAWN
    page = client_for(None).get(url("permalink", comment), follow=True).content.decode()
    assert "Withdrawn by its author: Covered by article 3" in page
    assert "Still here" in page


def test_endorse_and_withdraw_endorsement(consultation, client_for):
    c = consultation
    comment = post_comment(c)
    client = client_for(c.stakeholder_b)
    response = client.post(url("endorse", comment), **HTMX)
    page = response.content.decode()
    assert "Endorsed by 1 organisation:" in page
    assert "Mekong Telecom" in page
    assert "Withdraw endorsement" in page
    assert Endorsement.objects.filter(comment=comment, withdrawn_at__isnull=True).count() == 1
    response = client.post(url("unendorse", comment))
    assert response.status_code == 302
    assert not Endorsement.objects.filter(comment=comment, withdrawn_at__isnull=True).exists()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Endorsed by" not in page


def test_own_organisation_cannot_endorse(consultation, client_for):
    comment = post_comment(consultation)
    client = client_for(consultation.stakeholder_a)
    response = client.post(url("endorse", comment))
    assert response.status_code == 403
    assert b"cannot endorse its own comment" in response.content
    response = client.post(url("endorse", comment), **HTMX)
    assert b"cannot endorse its own comment" in response.content
    assert not Endorsement.objects.exists()


def test_anonymous_cannot_unendorse(consultation, client_for):
    comment = post_comment(consultation)
    response = client_for(None).post(url("unendorse", comment))
    assert response.status_code == 403


def test_report(consultation, client_for):
    comment = post_comment(consultation)
    client = client_for(consultation.stakeholder_b)
    response = client.post(url("report", comment), {"reason": "Off topic"})
    assert response.status_code == 302
    assert Report.objects.get().reason == "Off topic"
    response = client.post(url("report", comment), {"reason": ""})
    assert response.status_code == 400
    assert Report.objects.count() == 1
    assert client_for(None).post(url("report", comment), {"reason": "x"}).status_code == 403


def test_moderator_hides_with_reason_and_restores(consultation, client_for):
    c = consultation
    comment = post_comment(c, body="Rude words")
    moderator = client_for(c.moderator)
    response = moderator.post(url("hide", comment), {"reason": ""})
    assert response.status_code == 400
    moderator.post(url("hide", comment), {"reason": "Personal attack"})
    comment.refresh_from_db()
    assert comment.is_hidden
    page = client_for(c.stakeholder_b).get(url("permalink", comment), follow=True).content.decode()
    assert "Hidden by a moderator: Personal attack" in page
    assert "Rude words" not in page
    page = client_for(c.stakeholder_a).get(url("permalink", comment), follow=True).content.decode()
    assert "Hidden by a moderator: Personal attack" in page
    assert "Rude words" in page
    page = client_for(c.moderator).get(url("permalink", comment), follow=True).content.decode()
    assert "Rude words" in page
    assert url("restore", comment) in page
    moderator.post(url("restore", comment), {"reason": "Appeal"}, **HTMX)
    comment.refresh_from_db()
    assert comment.state == Comment.State.ACTIVE


def test_stakeholder_cannot_hide(consultation, client_for):
    comment = post_comment(consultation)
    client = client_for(consultation.stakeholder_b)
    assert client.get(url("hide", comment)).status_code == 403
    assert client.post(url("hide", comment), {"reason": "Mine"}).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_restricted_comment_is_404_for_others(consultation, client_for):
    comment = post_comment(consultation, visibility="restricted")
    assert client_for(consultation.stakeholder_b).get(url("permalink", comment)).status_code == 404
    assert client_for(consultation.official).get(url("permalink", comment)).status_code == 302


def test_permalink_goes_to_the_thread_on_the_article(consultation, client_for, article_url):
    first = post_comment(consultation)
    reply = reply_to(first, consultation.stakeholder_b)
    response = client_for(None).get(url("permalink", reply))
    assert response["Location"] == f"{article_url}?thread={first.pk}#comment-{reply.pk}"
    page = client_for(None).get(response["Location"]).content.decode()
    assert "Showing one thread." in page


def test_disposition_and_response_are_shown_on_the_first_comment(consultation, client_for):
    c = consultation
    comment = post_comment(c)
    services.disposition_record(
        comment=comment, by=c.drafter, status="accepted", response="We <b>agree</b>."
    )
    page = client_for(None).get(url("permalink", comment), follow=True).content.decode()
    assert "Ministry’s response:" in page
    assert "Accepted" in page
    assert "We &lt;b&gt;agree&lt;/b&gt;." in page


@pytest.mark.parametrize("action", ["reply", "edit", "withdraw", "report", "hide", "restore"])
def test_every_action_page_renders_for_someone(consultation, client_for, action):
    c = consultation
    comment = post_comment(c)
    if action == "restore":
        services.comment_hide(comment=comment, by=c.moderator, reason="x")
    user = {"edit": c.stakeholder_a, "withdraw": c.stakeholder_a, "hide": c.moderator}.get(
        action, c.moderator if action == "restore" else c.stakeholder_b
    )
    response = client_for(user).get(url(action, comment))
    assert response.status_code == 200
    assert b'<form class="form action-form"' in response.content


def test_old_comment_edit_link_is_not_offered(consultation, client_for, article_url):
    comment = post_comment(consultation, minutes_ago=45)
    page = client_for(consultation.stakeholder_a).get(article_url).content.decode()
    assert url("edit", comment) not in page
    assert timezone.now() - comment.created_at > timedelta(minutes=30)


def test_anonymous_reply_page_explains_and_offers_sign_in(consultation, client_for):
    comment = post_comment(consultation)
    response = client_for(None).get(url("reply", comment))
    assert response.status_code == 403
    assert b"Please sign in first." in response.content
    assert b"/accounts/login/?next=" in response.content


def test_no_report_link_on_ones_own_comment(consultation, client_for, article_url):
    c = consultation
    mine = post_comment(c, user=c.stakeholder_a, body="My own words.")
    page = client_for(c.stakeholder_a).get(article_url).content.decode()
    assert url("report", mine) not in page
    page = client_for(c.stakeholder_b).get(article_url).content.decode()
    assert url("report", mine) in page
