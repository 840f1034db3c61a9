"""Posting a comment on an article: the form, quotes, amendments, previews and refusals."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from comments.models import Comment

from .conftest import post_comment

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_reader_sees_public_comments_and_a_sign_in_link(
    consultation, client_for, article_url
):
    post_comment(consultation, body="Public words")
    post_comment(consultation, body="Participants only", visibility="participants")
    page = client_for(None).get(article_url).content.decode()
    assert "Public words" in page
    assert "Participants only" not in page
    assert "Sign in to comment" in page
    assert 'id="comment-form"' in page
    assert '<form id="comment-form"' not in page
    page = client_for(consultation.stakeholder_b).get(article_url).content.decode()
    assert "Participants only" in page


def test_form_says_who_the_stakeholder_comments_as(consultation, client_for, article_url):
    page = client_for(consultation.stakeholder_a).get(article_url).content.decode()
    assert "Commenting as <strong>Digital Rights Forum</strong>" in page
    assert 'name="quote_exact"' in page
    assert "Quote a passage (optional)" in page
    assert "**bold**" in page  # the formatting help line
    # The amendment box starts with the article's current text.
    assert consultation.article.text_en in page


def test_posting_with_a_quote_stores_and_highlights_it(
    consultation, client_for, article_url, create_url
):
    client = client_for(consultation.stakeholder_a)
    response = client.post(
        create_url,
        {
            "kind": "question",
            "visibility": "public",
            "body": "What does *without right* mean?",
            "quote_exact": "without right",
            "quote_language": "en",
        },
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("comments:permalink", args=[comment.pk])
    assert comment.quote_exact == "without right"
    assert comment.kind == "question"
    assert comment.organisation == consultation.org_a
    page = client.get(response["Location"], follow=True).content.decode()
    assert f'href="#comment-{comment.pk}"' in page
    assert f'data-comment="{comment.pk}">without right</mark>' in page
    assert "<em>without right</em>" in page  # the sanitized Markdown body
    assert "Your comment was posted." in page


def test_a_quote_not_in_the_article_is_refused_next_to_the_field_keeping_the_text(
    consultation, client_for, create_url
):
    client = client_for(consultation.stakeholder_a)
    response = client.post(
        create_url,
        {
            "kind": "comment",
            "visibility": "public",
            "body": "My careful words",
            "quote_exact": "nope",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The quoted passage was not found" in page
    assert "My careful words" in page
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_with_the_form_kept(consultation, client_for, create_url):
    response = client_for(consultation.stakeholder_a).post(
        create_url, {"kind": "comment", "visibility": "public", "body": "   "}
    )
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not Comment.objects.exists()


def test_posting_through_htmx_returns_the_new_thread_and_a_fresh_form(
    consultation, client_for, create_url
):
    response = client_for(consultation.stakeholder_a).post(
        create_url, {"kind": "comment", "visibility": "public", "body": "Fast"}, **HTMX
    )
    page = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert page.startswith('<article class="comment')
    assert f'id="comment-{comment.pk}"' in page
    assert 'id="comment-form-wrap" class="comment-form-wrap" hx-swap-oob="true"' in page


def test_htmx_errors_come_back_in_the_form(consultation, client_for, create_url):
    response = client_for(consultation.stakeholder_a).post(
        create_url,
        {"kind": "amendment", "visibility": "public", "body": "Change it", "proposed_text": ""},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#comment-form-wrap"
    assert "A proposed amendment needs the proposed text." in response.content.decode()
    assert "Change it" in response.content.decode()


def test_amendment_preview_without_javascript_shows_the_word_diff(
    consultation, client_for, create_url
):
    text = consultation.article.text_en
    proposed = text.replace("without right", "without authorisation")
    response = client_for(consultation.stakeholder_a).post(
        create_url,
        {
            "kind": "amendment",
            "visibility": "public",
            "body": "Clearer",
            "proposed_text": proposed,
            "preview": "1",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<del><span class="visually-hidden">[removed: </span>right' in page
    assert "authorisation" in page
    assert "<ins>" in page
    assert not Comment.objects.exists()


def test_preview_endpoint_returns_the_diff_fragment(consultation, client_for):
    c = consultation
    url = reverse("comments:preview", args=[c.draft.slug, 1, c.article.stable_id])
    response = client_for(c.stakeholder_a).post(
        url, {"proposed_text": c.article.text_en + " Added <b>words</b>."}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in page
    assert "&lt;b&gt;words&lt;/b&gt;" in page
    assert "<html" not in page


def test_posted_amendment_shows_its_diff(consultation, client_for, article_url, create_url):
    client = client_for(consultation.stakeholder_a)
    proposed = consultation.article.text_en.replace("Nobody", "No person")
    client.post(
        create_url,
        {"kind": "amendment", "visibility": "public", "body": "Wording", "proposed_text": proposed},
    )
    page = client.get(article_url).content.decode()
    assert "Proposed text, compared with the article" in page
    assert "No person" in page
    assert "<del>" in page


def test_closed_consultation_hides_the_form_and_refuses_a_forged_post(
    consultation, client_for, article_url, create_url
):
    c = consultation
    first = post_comment(c)
    c.version.closes_at = timezone.now() - timedelta(minutes=1)
    c.version.save()
    client = client_for(c.stakeholder_b)
    page = client.get(article_url).content.decode()
    assert '<form id="comment-form"' not in page
    assert "not open" in page
    assert reverse("comments:reply", args=[first.pk]) not in page
    response = client.post(create_url, {"kind": "comment", "visibility": "public", "body": "Late"})
    assert response.status_code == 403
    assert "The consultation on this version is not open" in response.content.decode()
    response = client.post(
        reverse("comments:reply", args=[first.pk]), {"body": "Late reply", "visibility": "public"}
    )
    assert response.status_code == 403
    assert b"not open" in response.content
    assert b"Late reply" in response.content  # the text is kept
    response = client.post(reverse("comments:endorse", args=[first.pk]))
    assert response.status_code == 403
    assert b"not open" in response.content
    assert Comment.objects.count() == 1


def test_anonymous_forged_post_is_refused(consultation, client_for, create_url):
    response = client_for(None).post(
        create_url, {"kind": "comment", "visibility": "public", "body": "Hi"}
    )
    assert response.status_code == 403
    assert b"Please sign in first." in response.content


def test_user_text_is_escaped_everywhere_but_the_sanitized_body(
    consultation, client_for, article_url
):
    c = consultation
    c.org_a.name_en = "<b>Rights</b>"
    c.org_a.save()
    post_comment(
        c,
        body="<script>alert(1)</script> [x](javascript:alert(1)) **ok**",
        quote_exact="without right",
    )
    page = client_for(None).get(article_url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert 'href="javascript' not in page
    assert "&lt;b&gt;Rights&lt;/b&gt;" in page
    assert "<strong>ok</strong>" in page


def test_unknown_article_or_version_is_404(consultation, client_for):
    c = consultation
    client = client_for(None)
    assert (
        client.get(reverse("comments:article", args=[c.draft.slug, 1, "nope"])).status_code == 404
    )
    assert (
        client.get(reverse("comments:article", args=[c.draft.slug, 5, "chp_1__art_1"])).status_code
        == 404
    )
    # A chapter has a page of its own, for comments on the chapter.
    assert (
        client.get(reverse("comments:article", args=[c.draft.slug, 1, "chp_1"])).status_code == 200
    )


def test_preview_is_for_those_who_may_comment_and_refuses_oversized_text(
    consultation, client_for, settings
):
    c = consultation
    url = reverse("comments:preview", args=[c.draft.slug, 1, c.article.stable_id])
    assert client_for(None).post(url, {"proposed_text": "x"}).status_code == 403
    limit = settings.PORTAL["COMMENT_MAX_LENGTH"] * 3
    response = client_for(c.stakeholder_a).post(url, {"proposed_text": "x" * (limit + 1)})
    assert response.status_code == 200
    assert b"form-errors" in response.content
    assert b"<ins>" not in response.content
