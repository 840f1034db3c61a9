"""Whole pages of the comment API's lists kept for readers who are not signed in.

Freshness after every kind of change, for every role, is checked with the cached
thread rows (tests/comments/test_thread_fragment_cache.py: its API cases read the
same version's lists anonymously, and compare each answer with the answer made
without the cache). Here: that a kept page is served without reading comments, and
which pages are never kept.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import post_comment


def _sql(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content, " ".join(q["sql"] for q in queries.captured_queries)


@pytest.fixture
def lists(consultation):
    c = consultation
    post_comment(c, c.stakeholder_a, body="Public words.")
    post_comment(c, c.stakeholder_a, body="Our members only.", visibility="restricted")
    place = f"version={c.version.pk}&provision={c.article.stable_id}"
    return [f"/api/v1/comments/?{place}&cursor=", f"/api/v1/threads/?{place}"]


def test_a_kept_page_is_answered_without_reading_comments(lists, api_client_for):
    client = api_client_for(None)
    for url in lists:
        first, cold = _sql(client, url)
        again, warm = _sql(client, url)
        assert '"comments_comment"' in cold
        assert '"comments_comment"' not in warm
        assert again == first
        assert b"Our members only." not in again


def test_a_new_comment_is_in_the_next_answer(consultation, lists, api_client_for):
    client = api_client_for(None)
    before = [client.get(url).content for url in lists]
    post_comment(consultation, consultation.stakeholder_b, body="Words posted later.")
    after = [client.get(url).content for url in lists]
    for old, new in zip(before, after, strict=True):
        assert b"Words posted later." not in old
        assert b"Words posted later." in new


def test_signed_in_readers_are_never_answered_from_a_kept_page(consultation, lists, api_client_for):
    anonymous = api_client_for(None)
    author = api_client_for(consultation.stakeholder_a)
    for url in lists:
        anonymous.get(url)
        answer, sql = _sql(author, url)
        assert '"comments_comment"' in sql
        assert b"Our members only." in answer  # their own restricted words


def test_a_filter_on_the_organisation_is_never_kept(consultation, lists, api_client_for):
    """The organisation's kind can change with no comment touched: such pages are read anew."""
    c = consultation
    client = api_client_for(None)
    url = f"/api/v1/comments/?version={c.version.pk}&organisation_kind={c.org_a.kind}"
    first, _sql_first = _sql(client, url)
    assert b"Public words." in first
    # Changed in the admin: nothing touches the comments' tokens.
    c.org_a.kind = "academic" if c.org_a.kind != "academic" else "embassy"
    c.org_a.save()
    again, sql = _sql(client, url)
    assert '"comments_comment"' in sql
    assert b"Public words." not in again


def test_a_page_of_every_version_is_never_kept(lists, api_client_for):
    client = api_client_for(None)
    _sql(client, "/api/v1/comments/?ordering=newest")
    _answer, sql = _sql(client, "/api/v1/comments/?ordering=newest")
    assert '"comments_comment"' in sql
