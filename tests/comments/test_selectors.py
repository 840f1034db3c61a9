"""comments.selectors: the one rule for an amendment's language, the one thread builder, one set
of sort names. Each of these was written twice before and the copies disagreed."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from comments import selectors, services
from comments.selectors import CommentFilters
from drafts.redline import word_diff
from tests.factories import VersionFactory, build_articles, open_version

pytestmark = pytest.mark.django_db

KHMER_TEXT = "គ្មាននរណាម្នាក់អាចចូលប្រើប្រព័ន្ធកុំព្យូទ័រដោយគ្មានសិទ្ធិបានឡើយ។"


@pytest.fixture
def bilingual(consultation):
    """The consultation's draft, with a second open version whose first article has Khmer text."""
    c = consultation
    version = VersionFactory(draft=c.draft, number=2)
    articles = build_articles(version)
    article = next(iter(articles.values()))
    article.text_km = KHMER_TEXT
    article.save()
    open_version(version)
    return c, version, article


def test_an_english_amendment_citing_a_khmer_term_is_diffed_against_the_english_text(
    bilingual,
):
    c, version, article = bilingual
    proposal = f"{article.text_en} This covers a computer system (ប្រព័ន្ធកុំព្យូទ័រ)."
    comment = services.comment_create(
        by=c.stakeholder_a,
        version=version,
        provision=article,
        body="Name the Khmer term too.",
        kind="amendment",
        proposed_text=proposal,
    )
    assert selectors.amendment_language(comment) == "en"
    # The thread page's diff is the desk's: against the English text the commenter saw.
    page = selectors.thread_page(user=c.drafter, version=version, filters=CommentFilters())
    node = next(n for n in page.threads if n.pk == comment.pk)
    assert node.proposed_diff == word_diff(article.text_en, proposal, "en")
    assert all(op != "delete" for op, _text in node.proposed_diff)


def test_a_khmer_amendment_without_a_quote_is_diffed_against_the_khmer_text(bilingual):
    c, version, article = bilingual
    proposal = KHMER_TEXT.replace("ដោយគ្មានសិទ្ធិ", "ដោយចេតនា និងគ្មានសិទ្ធិ")
    comment = services.comment_create(
        by=c.stakeholder_a,
        version=version,
        provision=article,
        body="ពាក្យ «ដោយចេតនា»",
        kind="amendment",
        proposed_text=proposal,
        quote_language="",
    )
    assert selectors.amendment_language(comment) == "km"
    assert selectors.amendment_diff(comment) == word_diff(KHMER_TEXT, proposal, "km")


def _api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_page_and_the_api_build_the_same_threads(consultation, client):
    """One builder: the same replies under the same comments, for a reader who may not see
    a restricted reply and for one who may."""
    c = consultation
    root = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Public question."
    )
    restricted = services.comment_reply(
        by=c.stakeholder_a, parent=root, body="Restricted detail.", visibility="restricted"
    )
    answer = services.comment_reply(
        by=c.drafter, parent=restricted, body="The ministry's public answer."
    )
    assert answer.visibility == "restricted"  # a reply is never less restricted than its parent
    public_answer = services.comment_reply(by=c.drafter, parent=root, body="Public follow-up.")
    deeper = services.comment_reply(by=c.stakeholder_b, parent=public_answer, body="Thanks.")

    page = selectors.thread_page(user=c.stakeholder_b, version=c.version, filters=CommentFilters())
    (thread,) = page.threads
    assert [n.pk for n in thread.children] == [public_answer.pk]
    assert [n.pk for n in thread.children[0].children] == [deeper.pk]

    response = _api(c.stakeholder_b).get(
        reverse("api:thread-list"), {"version": c.version.pk, "ordering": "thread"}
    )
    (api_thread,) = response.json()["results"]
    assert [r["id"] for r in api_thread["replies"]] == [public_answer.pk]
    assert [r["id"] for r in api_thread["replies"][0]["replies"]] == [deeper.pk]

    # Someone who may see the restricted reply sees the whole thread, in thread order.
    page = selectors.thread_page(user=c.stakeholder_a, version=c.version, filters=CommentFilters())
    (thread,) = page.threads
    assert [n.pk for n in thread.children] == [restricted.pk, public_answer.pk]
    assert [n.pk for n in thread.children[0].children] == [answer.pk]


def test_the_pages_and_the_api_share_one_set_of_sort_names(consultation):
    assert set(selectors.SORTS) == {"thread", "newest", "oldest", "most_endorsed"}
    assert CommentFilters.from_data({"sort": "most_endorsed"}).sort == "most_endorsed"
    # A link written with the page's old name still sorts by endorsements.
    assert CommentFilters.from_data({"sort": "endorsed"}).sort == "most_endorsed"
    assert CommentFilters.from_data({"sort": "bogus"}).sort == selectors.DEFAULT_SORT


def test_most_endorsed_orders_the_page_and_the_api_alike(consultation, client):
    c = consultation
    first = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="More endorsed (older)."
    )
    second = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Not endorsed (newer)."
    )
    services.endorsement_create(comment=first, by=c.stakeholder_b)
    page = selectors.thread_page(
        user=c.stakeholder_b,
        version=c.version,
        filters=CommentFilters.from_data({"sort": "most_endorsed"}),
    )
    response = _api(c.stakeholder_b).get(
        reverse("api:thread-list"), {"version": c.version.pk, "ordering": "most_endorsed"}
    )
    api_order = [row["id"] for row in response.json()["results"]]
    # Newest first would be the other way round.
    assert [n.pk for n in page.threads] == [first.pk, second.pk]
    assert api_order == [first.pk, second.pk]
