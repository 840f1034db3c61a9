"""The pages for comments on the whole draft, on a chapter, and for proposing a new article."""

from django.urls import reverse
from django.utils import translation

from comments.models import Comment

from .conftest import post_comment


def _general_url(c):
    return reverse("comments:general", args=[c.draft.slug, c.version.number])


def _new_article_url(c, stable_id):
    return reverse("comments:new_article", args=[c.draft.slug, c.version.number, stable_id])


def test_the_reading_page_offers_the_whole_draft_and_chapters(consultation, client_for):
    c = consultation
    page = (
        client_for(c.individual)
        .get(reverse("comments:read_version", args=[c.draft.slug, c.version.number]))
        .content.decode()
    )
    assert _general_url(c) in page
    assert "Comment on the whole draft" in page
    assert reverse("comments:article", args=[c.draft.slug, c.version.number, "chp_1"]) in page
    assert _new_article_url(c, "chp_1") in page
    assert _new_article_url(c, "chp_1__art_1") in page


def test_an_individual_posts_a_general_comment(consultation, client_for):
    c = consultation
    client = client_for(c.individual)
    response = client.post(
        _general_url(c), {"kind": "question", "visibility": "public", "body": "Why now?"}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.provision_id is None and comment.kind == "question"
    assert comment.organisation_id is None
    # The permalink of a general comment leads to the general page, showing its thread.
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == _general_url(c)
    assert "Why now?" in page.content.decode()


def test_the_general_page_lists_only_general_threads_as_each_reader_may_see(
    consultation, client_for
):
    c = consultation
    post_comment(c, provision=None, body="On the whole law")
    post_comment(c, provision=None, body="Members only", visibility="participants")
    post_comment(c, body="On article one")
    page = client_for(None).get(_general_url(c)).content.decode()
    assert "On the whole law" in page
    assert "Members only" not in page and "On article one" not in page
    assert "Sign in to comment" in page


def test_a_general_comment_shows_on_the_version_page(consultation, client_for):
    c = consultation
    post_comment(c, provision=None, body="Broad view")
    page = (
        client_for(None)
        .get(reverse("comments:version", args=[c.draft.slug, c.version.number]))
        .content.decode()
    )
    assert "Broad view" in page
    assert f'On <a href="{_general_url(c)}">The whole draft</a>' in page


def test_an_empty_general_comment_is_refused_with_the_form_again(consultation, client_for):
    c = consultation
    response = client_for(c.stakeholder_a).post(
        _general_url(c), {"kind": "comment", "visibility": "public", "body": ""}
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_chapter_has_its_own_comment_page(consultation, client_for):
    c = consultation
    url = reverse("comments:article", args=[c.draft.slug, c.version.number, "chp_2"])
    page = client_for(c.stakeholder_a).get(url)
    assert page.status_code == 200
    response = client_for(c.stakeholder_a).post(
        reverse("comments:create", args=[c.draft.slug, c.version.number, "chp_2"]),
        {"kind": "comment", "visibility": "public", "body": "Chapter two is thin."},
    )
    assert response.status_code == 302
    assert Comment.objects.get().provision.stable_id == "chp_2"


def test_proposing_a_new_article_in_both_languages(consultation, client_for):
    c = consultation
    client = client_for(c.stakeholder_b)
    url = _new_article_url(c, "chp_1__art_2")
    assert "The new article would follow" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "visibility": "public",
            "body": "Define data.",
            "proposed_text": "Data means any representation of facts.",
            "proposed_text_km": "ទិន្នន័យ មានន័យថា ការតំណាងការពិតណាមួយ។",
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.kind == "new_article" and comment.provision.stable_id == "chp_1__art_2"
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Data means any representation of facts." in page
    assert "ទិន្នន័យ មានន័យថា" in page


def test_a_new_article_without_text_is_refused(consultation, client_for):
    c = consultation
    response = client_for(c.stakeholder_b).post(
        _new_article_url(c, "chp_1__art_2"), {"visibility": "public", "body": "Add one."}
    )
    assert response.status_code == 400
    assert "needs its text" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_new_article_page_in_khmer(consultation, client_for):
    c = consultation
    with translation.override("km"):
        url = _new_article_url(c, "chp_2")
    page = client_for(c.stakeholder_b).get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert 'lang="km"' in page
    assert "Propose a new article" not in page


def test_the_pager_asks_for_more_general_threads_as_a_fragment(consultation, client_for, settings):
    c = consultation
    settings.PORTAL = {**settings.PORTAL, "COMMENTS_PER_PAGE": 1}
    post_comment(c, provision=None, body="First general", minutes_ago=2)
    post_comment(c, provision=None, body="Second general", minutes_ago=1)
    response = client_for(None).get(
        _general_url(c), {"page": 2, "fragment": "threads"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    # One thread per page: the second page holds the one the first page did not.
    assert ("Second general" in html) != ("First general" in html)
    assert html.count('<article class="comment') == 1
