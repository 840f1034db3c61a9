"""Filtering, sorting and paging threads, and the fixed number of queries per page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from core import revisions
from stakeholders.models import Organisation
from tests.factories import OrganisationFactory, member

from .conftest import post_comment, reply_to

HTMX = {"HTTP_HX_REQUEST": "true"}


def shown_ids(page: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<article class="comment [^"]*depth-0" id="comment-(\d+)"', page)
    ]


@pytest.fixture
def mixed(consultation):
    c = consultation
    ngo_question = post_comment(c, body="NGO question", kind="question", minutes_ago=30)
    telco_comment = post_comment(c, c.stakeholder_b, body="Telco comment", minutes_ago=20)
    amendment = post_comment(
        c,
        c.stakeholder_b,
        body="Telco amendment",
        kind="amendment",
        proposed_text=c.article.text_en + " More.",
        minutes_ago=10,
    )
    services.disposition_record(
        comment=telco_comment, by=c.drafter, status="rejected", response="No."
    )
    services.endorsement_create(comment=ngo_question, by=c.stakeholder_b)
    return ngo_question, telco_comment, amendment


def test_filter_by_organisation_kind_kind_and_disposition(
    consultation, mixed, client_for, article_url
):
    ngo_question, telco_comment, amendment = mixed
    client = client_for(None)
    page = client.get(article_url, {"organisation_kind": "private_sector"}).content.decode()
    assert shown_ids(page) == [amendment.pk, telco_comment.pk]
    page = client.get(article_url, {"kind": "question"}).content.decode()
    assert shown_ids(page) == [ngo_question.pk]
    page = client.get(article_url, {"disposition": "rejected"}).content.decode()
    assert shown_ids(page) == [telco_comment.pk]
    page = client.get(article_url, {"kind": "nonsense"}).content.decode()
    assert len(shown_ids(page)) == 3


def test_sort_newest_oldest_and_most_endorsed(consultation, mixed, client_for, article_url):
    ngo_question, telco_comment, amendment = mixed
    client = client_for(None)
    assert shown_ids(client.get(article_url).content.decode()) == [
        amendment.pk,
        telco_comment.pk,
        ngo_question.pk,
    ]
    assert shown_ids(client.get(article_url, {"sort": "oldest"}).content.decode()) == [
        ngo_question.pk,
        telco_comment.pk,
        amendment.pk,
    ]
    assert shown_ids(client.get(article_url, {"sort": "most_endorsed"}).content.decode())[0] == (
        ngo_question.pk
    )


def test_withdrawn_endorsements_do_not_count_for_sorting(
    consultation, mixed, client_for, article_url
):
    ngo_question, _telco, amendment = mixed
    services.endorsement_withdraw(comment=ngo_question, by=consultation.stakeholder_b)
    services.endorsement_create(comment=amendment, by=consultation.stakeholder_a)
    page = client_for(None).get(article_url, {"sort": "most_endorsed"}).content.decode()
    assert shown_ids(page)[0] == amendment.pk


def test_whole_draft_page_filters_and_names_the_article(consultation, mixed, client_for):
    c = consultation
    other_article = list(c.articles.values())[1]
    elsewhere = post_comment(c, provision=other_article, body="On article two")
    url = reverse("comments:version", args=[c.draft.slug, 1])
    page = client_for(None).get(url).content.decode()
    assert len(shown_ids(page)) == 4
    assert "On <a href=" in page
    assert other_article.label in page
    page = (
        client_for(None).get(url, {"organisation_kind": "ngo", "sort": "oldest"}).content.decode()
    )
    assert shown_ids(page) == [mixed[0].pk, elsewhere.pk]


def test_threads_are_paged_with_a_more_link_and_an_htmx_fragment(
    consultation, client_for, article_url, settings
):
    settings.PORTAL = {**settings.PORTAL, "COMMENTS_PER_PAGE": 3}
    comments = [post_comment(consultation, body=f"n{i}", minutes_ago=100 - i) for i in range(7)]
    client = client_for(None)
    page = client.get(article_url).content.decode()
    assert shown_ids(page) == [c.pk for c in comments[::-1][:3]]
    assert "Show more comments" in page
    assert "?page=2" in page
    assert "Page 1 of 3" in page
    fragment = client.get(article_url, {"page": 2, "fragment": "threads"}, **HTMX).content.decode()
    assert "<html" not in fragment
    assert shown_ids(fragment) == [c.pk for c in comments[::-1][3:6]]
    assert "page=3" in fragment
    page = client.get(article_url, {"page": 3}).content.decode()
    assert shown_ids(page) == [comments[0].pk]
    assert "Previous page" in page
    assert "Show more comments" not in page


def _many_comments(consultation, count):
    """``count`` comments on one article: threads with replies, quotes, amendments, endorsements."""
    c = consultation
    extra_orgs = [
        member(organisation=OrganisationFactory(kind=Organisation.Kind.EMBASSY)) for _ in range(3)
    ]
    made = 0
    roots = []
    while made < count:
        author = [c.stakeholder_a, c.stakeholder_b, *extra_orgs][made % 5]
        if made % 4 == 3 and roots:
            reply_to(roots[-1], author, body=f"reply {made}")
        else:
            kind = "amendment" if made % 7 == 0 else "comment"
            root = post_comment(
                c,
                author,
                body=f"comment {made}",
                kind=kind,
                proposed_text=c.article.text_en + " extra" if kind == "amendment" else "",
                quote_exact="without right" if made % 3 == 0 else "",
                visibility="participants" if made % 5 == 4 else "public",
            )
            roots.append(root)
            if made % 2 == 0:
                other = c.stakeholder_b if author != c.stakeholder_b else c.stakeholder_a
                services.endorsement_create(comment=root, by=other)
        made += 1
    services.comment_hide(comment=roots[0], by=c.moderator, reason="Spam")


def _count_queries(client, url):
    # With the thread fragments cold, as the first reader after a change finds them
    # (a page served from them runs fewer: tests/comments/test_thread_fragment_cache.py).
    revisions.touch(revisions.PEOPLE)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("viewer", ["anonymous", "stakeholder", "moderator"])
def test_article_and_reading_view_run_a_fixed_number_of_queries(
    consultation, client_for, article_url, viewer, django_assert_max_num_queries
):
    c = consultation
    user = {"anonymous": None, "stakeholder": c.stakeholder_a, "moderator": c.moderator}[viewer]
    read_url = reverse("comments:read", args=[c.draft.slug])
    all_url = reverse("comments:version", args=[c.draft.slug, 1])
    list_url = reverse("comments:draft_list")
    _many_comments(c, 10)
    client = client_for(user)
    small = {u: _count_queries(client, u) for u in (article_url, read_url, all_url, list_url)}
    _many_comments(c, 490)
    revisions.touch(revisions.PEOPLE)
    with django_assert_max_num_queries(small[article_url]):
        assert client.get(article_url).status_code == 200
    large = {u: _count_queries(client, u) for u in (article_url, read_url, all_url, list_url)}
    assert large == small
    # Session, user, memberships, the bell, the draft, versions, the page of threads and
    # its prefetches (endorsements, passage checks, attached files; for the first comments
    # and again for their replies), counts, the quotes of this version and those of
    # earlier versions found again in it: a fixed budget.
    assert small[article_url] <= 20
