"""The comment lists of the API: the same comments as the serializer shows, cursor pages, few queries.

The lists shape their rows without ``CommentSerializer`` (comments.api_rows); every
row must still be exactly what the serializer gives for the same comment, for
every kind of reader, with hidden, withdrawn, restricted, answered and attached
comments among them.
"""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comments import services
from core.renderers import ORJSONRenderer
from stakeholders.models import Membership
from tests.comments import sample_files
from tests.factories import member

URL = "/api/v1/comments/"
THREADS = "/api/v1/threads/"
READERS = (
    "anonymous",
    "stakeholder_a",
    "stakeholder_b",
    "individual",
    "drafter",
    "moderator",
    "official",
)


def _mixed(c):
    """Threads of every kind the lists show, on two articles."""
    first, second = list(c.articles.values())[:2]
    threads = []
    plain = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=first, body="Plain **words**."
    )
    threads.append(plain)
    amendment = services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=first,
        body="Change it.",
        kind="amendment",
        proposed_text="New wording.",
        quote_exact=first.text_en.split()[0],
        attachments=[SimpleUploadedFile("paper.pdf", sample_files.pdf(), "application/pdf")],
    )
    threads.append(amendment)
    restricted = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=second,
        body="Between us.",
        visibility="restricted",
    )
    threads.append(restricted)
    members = services.comment_create(
        by=c.individual,
        version=c.version,
        provision=second,
        body="As a citizen.",
        visibility="participants",
    )
    threads.append(members)
    reply = services.comment_reply(by=c.drafter, parent=plain, body="We will look at it.")
    services.comment_reply(
        by=c.stakeholder_b, parent=reply, body="Restricted answer.", visibility="restricted"
    )
    services.comment_reply(by=c.drafter, parent=restricted, body="A restricted answer.")
    services.endorsement_create(comment=plain, by=c.stakeholder_b)
    services.disposition_record(
        comment=amendment, by=c.drafter, status="accepted", response="Taken **in full**."
    )
    hidden = services.comment_create(
        by=c.stakeholder_b, version=c.version, provision=first, body="Off topic."
    )
    services.comment_hide(comment=hidden, by=c.moderator, reason="Not about the law.")
    withdrawn = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=second, body="Never mind."
    )
    services.comment_withdraw(comment=withdrawn, by=c.stakeholder_a, reason="Changed my mind.")
    old = services.comment_create(
        by=c.stakeholder_a,
        version=c.version,
        provision=first,
        body="Posted long ago.",
        posted_at=timezone.now() - timedelta(days=2),
    )
    return [*threads, hidden, withdrawn, old]


def _without_replies(row):
    return {k: v for k, v in row.items() if k != "replies"}


@pytest.mark.parametrize("reader", READERS)
def test_list_rows_are_what_the_serializer_shows(consultation, api_client_for, reader):
    c = consultation
    _mixed(c)
    client = api_client_for(getattr(c, reader))
    rows = client.get(f"{URL}?page_size=200").json()["results"]
    assert len(rows) >= 5
    for row in rows:
        assert row == client.get(f"{URL}{row['id']}/").json(), row["id"]


@pytest.mark.parametrize("reader", READERS)
def test_thread_rows_are_what_the_serializer_shows(consultation, api_client_for, reader):
    c = consultation
    _mixed(c)
    client = api_client_for(getattr(c, reader))
    threads = client.get(f"{THREADS}?page_size=200").json()["results"]
    seen = 0

    def check(row):
        nonlocal seen
        seen += 1
        assert _without_replies(row) == client.get(f"{URL}{row['id']}/").json(), row["id"]
        for reply in row["replies"]:
            check(reply)

    for thread in threads:
        check(thread)
    assert seen == client.get(f"{URL}?page_size=200").json()["count"]


def test_a_closed_account_and_khmer_names_read_the_same(consultation, api_client_for):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Before leaving."
    )
    c.org_a.name_km = "វេទិកាសិទ្ធិឌីជីថល"
    c.org_a.save()
    c.stakeholder_a.closed_at = timezone.now()
    c.stakeholder_a.save()
    client = api_client_for(c.drafter)
    for language in ("en", "km"):
        listed = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).json()["results"][0]
        single = client.get(f"{URL}{comment.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        assert listed == single


def test_the_list_renders_the_same_json_as_drf(consultation, api_client_for):
    from rest_framework.renderers import JSONRenderer

    c = consultation
    _mixed(c)
    response = api_client_for(c.drafter).get(f"{URL}?page_size=200")
    data = response.json()
    assert json.loads(ORJSONRenderer().render(data)) == json.loads(JSONRenderer().render(data))
    assert response["Content-Type"] == "application/json"


def test_cursor_pages_walk_the_thread_order_without_counting(consultation, api_client_for):
    c = consultation
    for i in range(7):
        parent = services.comment_create(
            by=c.stakeholder_a, version=c.version, provision=c.article, body=f"Thread {i}"
        )
        services.comment_reply(by=c.stakeholder_b, parent=parent, body=f"Reply {i}")
    client = api_client_for(None)
    numbered = client.get(f"{URL}?page_size=200&provision={c.article.stable_id}").json()
    expected = [row["id"] for row in numbered["results"]]
    assert len(expected) == 14

    seen, url, pages = [], f"{URL}?cursor=&page_size=4&provision={c.article.stable_id}", []
    while url:
        page = client.get(url).json()
        assert "count" not in page
        pages.append(page)
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == expected
    assert len(pages) == 4
    back = client.get(pages[2]["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[4:8]

    # Numbered pages still work as they did; another ordering is numbered too.
    assert client.get(f"{URL}?page=2&page_size=4").json()["count"] == 14
    newest = client.get(f"{URL}?cursor=&ordering=newest&page_size=4").json()
    assert newest["count"] == 14

    threads = client.get(f"{THREADS}?cursor=&page_size=5").json()
    assert len(threads["results"]) == 5 and "count" not in threads
    rest = client.get(threads["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None


def test_a_bad_cursor_is_a_404_in_the_one_error_format(consultation, api_client_for):
    response = api_client_for(None).get(f"{URL}?cursor=not-a-cursor!")
    assert response.status_code == 404
    assert "error" in response.json()


def test_the_schema_documents_the_cursor(consultation, api_client_for):
    schema = api_client_for(None).get("/api/schema/?format=json").json()
    for path in ("/api/v1/comments/", "/api/v1/threads/"):
        names = [p["name"] for p in schema["paths"][path]["get"]["parameters"]]
        assert {"page", "page_size", "cursor"} <= set(names), path


# Read a second time, so each thread's rows come from the cache (comments.thread_rows):
# the article's ids; the count (numbered pages only); the page of comments; their
# versions. No comment, reply or file rows. A signed-in reader adds the token, their
# memberships and the threads' ties to them (their audience), a drafter the draft's
# drafting partners.
LIST_QUERIES = {
    f"{URL}?provision={{stable_id}}&version={{version}}": 4,
    f"{URL}?provision={{stable_id}}&version={{version}}&cursor=": 3,
    f"{THREADS}?provision={{stable_id}}&version={{version}}": 4,
    f"{THREADS}?provision={{stable_id}}&version={{version}}&cursor=": 3,
}
READER_QUERIES = {"anonymous": 0, "stakeholder_b": 3, "drafter": 4}


@pytest.mark.parametrize("url", sorted(LIST_QUERIES))
@pytest.mark.parametrize("reader", sorted(READER_QUERIES))
def test_list_queries_are_pinned(
    consultation, api_client_for, url, reader, django_assert_max_num_queries
):
    c = consultation
    _mixed(c)
    c.draft.drafting_partners.add(c.other_ministry)
    member(Membership.Role.DRAFTER, organisation=c.other_ministry, username="partner")
    client = api_client_for(getattr(c, reader))
    path = url.format(stable_id=c.article.stable_id, version=c.version.pk)
    client.get(path)
    with django_assert_max_num_queries(LIST_QUERIES[url] + READER_QUERIES[reader]):
        response = client.get(path)
    assert response.status_code == 200
    assert response.json()["results"]
