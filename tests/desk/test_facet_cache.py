"""The review desk's counts from the cache (each filter's options, and the matches the pages are
cut from): after every change, the counts made without it.

Each case has the drafter read the desk (so the counts are kept), changes something
through a service, then checks the counts now shown are the counts made afresh.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services as comment_services
from desk import services as desk_services
from stakeholders import services as people_services

from .test_triage import REVIEW_QUERIES, _post


def _url(c):
    return reverse("desk:review", kwargs={"slug": c.draft.slug, "number": c.version.number})


def _facets(client, c, query=None):
    response = client.get(_url(c), query or {})
    assert response.status_code == 200
    # What each option counts, and the links drawn for it (kept beside the counts).
    facets = [
        (f["name"], [(o["value"], o["label"], o["count"]) for o in f["options"]], f["options_html"])
        for f in response.context["facets"]
    ]
    return facets, response.context["page"].paginator.count


def _fresh(client, c, query=None):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "get_many", lambda keys: {})
        patch.setattr(cache, "set_many", lambda mapping, timeout=None: [])
        return _facets(client, c, query)


@pytest.fixture
def desk(client, consultation):
    c = consultation
    comments = _post(c, 6)
    client.force_login(c.drafter)
    return c, comments, client


def _post_one(c, comments):
    _post(c, 1, start=50)


def _reply(c, comments):
    comment_services.comment_reply(by=c.stakeholder_b, parent=comments[0], body="A reply.")


def _withdraw(c, comments):
    comment_services.comment_withdraw(comment=comments[1], by=comments[1].author)


def _hide(c, comments):
    comment_services.comment_hide(comment=comments[2], by=c.moderator, reason="Off topic")


def _decide(c, comments):
    comment_services.disposition_record(
        comment=comments[3], by=c.drafter, status="rejected", response="No."
    )


def _tag(c, comments):
    tag = desk_services.tag_create(draft=c.draft, by=c.drafter, name="Privacy")
    desk_services.comments_tag(
        draft=c.draft, by=c.drafter, comment_ids=[comments[0].pk, comments[4].pk], tag=tag
    )


def _new_tag(c, comments):
    desk_services.tag_create(draft=c.draft, by=c.drafter, name="Unused so far")


def _assign(c, comments):
    desk_services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[comments[5].pk], assignee=c.drafter
    )


def _cluster(c, comments):
    for index in range(3):
        comment_services.comment_create(
            by=c.stakeholder_b,
            version=c.version,
            provision=comments[0].provision,
            body="We, the undersigned, ask that the article on searches require a judge's "
            f"warrant in every case without exception. Signed {index}.",
            posted_at=c.version.opens_at,
        )
    desk_services.clusters_recompute(version_id=c.version.pk)


def _verify(c, comments):
    people_services.organisation_verify(organisation=c.org_a, by=c.admin, verified=True)


# The changes a count shows (the desk lists first comments; a withdrawn or hidden one
# stays in the record, and an unused tag has nothing to count).
SHOWN = {"post", "decision", "tag", "assign", "clusters"}

CHANGES = {
    "post": _post_one,
    "reply": _reply,
    "withdraw": _withdraw,
    "hide": _hide,
    "decision": _decide,
    "tag": _tag,
    "new tag": _new_tag,
    "assign": _assign,
    "clusters": _cluster,
    "organisation verified": _verify,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_counts_after_a_change_are_the_counts_made_afresh(desk, change):
    c, comments, client = desk
    queries = [{}, {"kind": "comment"}, {"assignee": "me"}]
    before = [_facets(client, c, q) for q in queries]
    assert before == [_fresh(client, c, q) for q in queries]
    CHANGES[change](c, comments)
    after = [_facets(client, c, q) for q in queries]
    assert after == [_fresh(client, c, q) for q in queries]
    if change in SHOWN:
        assert after != before, "the change should show in the counts"


def test_kept_counts_run_no_count_query(desk):
    c, _comments, client = desk
    url = _url(c)
    client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    counted = [
        q["sql"]
        for q in warm.captured_queries
        if ("GROUP BY" in q["sql"] or "COUNT(" in q["sql"])
        and 'FROM "comments_comment"' in q["sql"]
    ]
    assert counted == []
    # The eight facet counts and the pages' total are skipped.
    assert len(warm.captured_queries) == REVIEW_QUERIES - 9


def test_each_drafter_has_their_own_counts(desk, second_drafter):
    c, comments, client = desk
    desk_services.comments_assign(
        draft=c.draft, by=c.drafter, comment_ids=[comments[0].pk], assignee=c.drafter
    )
    mine = {name: options for name, options, _html in _facets(client, c)[0]}["assignee"]
    client.force_login(second_drafter)
    theirs = {name: options for name, options, _html in _facets(client, c)[0]}["assignee"]
    assert theirs == {name: options for name, options, _html in _fresh(client, c)[0]}["assignee"]
    assert mine != theirs  # "me" is someone else


def test_kept_facet_links_follow_the_query_they_were_drawn_for(desk):
    """The links are kept per query (without its page): another query, or the same
    filters in another order, draws its own; another page of the same query reuses them."""
    c, _comments, client = desk
    first = _facets(client, c, {"kind": "comment", "disposition": "pending"})[0]
    assert first == _fresh(client, c, {"kind": "comment", "disposition": "pending"})[0]
    reordered = _facets(client, c, {"disposition": "pending", "kind": "comment"})[0]
    assert reordered == _fresh(client, c, {"disposition": "pending", "kind": "comment"})[0]
    assert [html for *_rest, html in reordered] != [html for *_rest, html in first]
    paged = _facets(client, c, {"kind": "comment", "disposition": "pending", "page": "2"})[0]
    assert paged == first  # the page is never part of a facet's link
