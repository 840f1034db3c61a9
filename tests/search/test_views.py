"""The search page and ``/api/v1/search/``: without JavaScript, in both languages, in a fixed
number of queries, with clear errors for bad input."""

import pytest
from django.urls import reverse
from django.utils import translation

from .conftest import WORDS

URL = "/search/"
API = "/api/v1/search/"


def test_the_header_and_each_draft_offer_a_search_box(client, corpus):
    c = corpus.c
    page = client.get(reverse("comments:read", args=[c.draft.slug])).content.decode()
    assert f'action="{URL}"' in page
    assert 'id="header-search-q"' in page
    assert f'name="draft" value="{c.draft.slug}"' in page


def test_the_page_shows_results_snippets_and_facets_without_javascript(client, corpus):
    response = client.get(URL, {"q": "lighthouse"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 result" in page
    assert "<mark>lighthouse</mark>" in page
    assert reverse("comments:permalink", args=[corpus.public.pk]) in page
    # Facets are plain links that keep the words and reset the page.
    assert "?q=lighthouse&amp;type=comment" in page


def test_a_facet_link_narrows_and_can_be_removed(client, corpus):
    page = client.get(URL, {"q": "computer", "type": "provision"}).content.decode()
    assert "Remove the filters" in page
    assert 'aria-current="true" href="?q=computer"' in page


def test_the_draft_box_searches_only_that_draft(client, corpus):
    page = client.get(URL, {"q": "computer", "draft": "another-draft"}).content.decode()
    assert "0 results" in page
    page = client.get(URL, {"q": "computer", "draft": corpus.c.draft.slug}).content.decode()
    assert "0 results" not in page
    assert 'name="draft" value="it-crimes"' in page  # kept when the words change


def test_the_page_in_khmer(client, corpus):
    client.cookies["django_language"] = "km"
    with translation.override("km"):
        response = client.get(URL, {"q": "ទិន្នន័យផ្ទាល់ខ្លួន"}, HTTP_ACCEPT_LANGUAGE="km")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="km">' in page
    assert "<mark>ទិន្នន័យ</mark>" in page
    assert "Search the law" not in page


def test_htmx_gets_only_the_results(client, corpus):
    response = client.get(URL, {"q": "lighthouse"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<div id="search-results"')
    assert "<html" not in page


def test_bad_input_is_explained_not_a_500(client, corpus):
    response = client.get(URL, {"q": "x" * 500, "date_from": "not a date", "sort": "loudest"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please correct the search" in page
    assert "Enter a valid date." in page


def test_the_empty_form_searches_nothing(client, corpus, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert response.status_code == 200
    assert "search-count" not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "stakeholder_a", "drafter", "official"])
def test_the_page_runs_a_fixed_number_of_queries(client, corpus, role, django_assert_num_queries):
    """Facets with the total and the page's ids, the page's rows with their snippets, the
    versions' labels."""
    user = getattr(corpus.c, role)
    if user.is_authenticated:
        client.force_login(user)
    # signed in: the session, the user, their memberships and their unread notifications
    expected = 3 if role == "anonymous" else 7
    with django_assert_num_queries(expected):
        response = client.get(URL, {"type": "comment"})
    assert response.status_code == 200
    with django_assert_num_queries(expected):
        response = client.get(URL, {"q": "computer lighthouse -x", "sort": "relevance"})
    assert "<mark>" in response.content.decode()


# --- the API -------------------------------------------------------------------------------------


def test_the_api_answers_the_same_search(api_client_for, corpus):
    c = corpus.c
    body = api_client_for(c.stakeholder_a).get(API, {"q": WORDS["restricted"]}).json()
    assert body["count"] == 1
    (hit,) = body["results"]
    assert hit["type"] == "comment"
    assert hit["comment"] == corpus.restricted.pk
    assert f"<mark>{WORDS['restricted']}</mark>" in hit["snippet"]
    assert hit["organisation"]["slug"] == c.org_a.slug
    assert hit["url"].endswith(reverse("comments:permalink", args=[corpus.restricted.pk]))
    assert {f["name"] for f in body["facets"]} >= {"type", "draft", "version", "kind"}


def test_the_api_hides_what_the_reader_may_not_read(api_client_for, corpus):
    for word in (WORDS["restricted"], WORDS["hidden"], WORDS["participants"]):
        body = api_client_for(None).get(API, {"q": word}).json()
        assert body == {"count": 0, "page": 1, "pages": 1, "results": [], "facets": []}


def test_the_api_refuses_bad_input_with_its_error_shape(api_client_for, corpus):
    response = api_client_for(None).get(API, {"type": "everything", "date_to": "yesterday"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error["fields"]) == {"type", "date_to"}


def test_the_api_is_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "draft", "version", "sort"}


def test_the_api_runs_a_fixed_number_of_queries(api_client_for, corpus, django_assert_num_queries):
    client = api_client_for(corpus.c.official)
    # the token, the memberships, then the search's three
    with django_assert_num_queries(5):
        assert client.get(API, {"type": "comment"}).json()["count"] == 8


def test_the_api_gives_every_kind_of_result_its_links(api_client_for, corpus):
    body = api_client_for(corpus.c.drafter).get(API, {"q": "interception"}).json()
    kinds = {hit["type"]: hit for hit in body["results"]}
    assert set(kinds) == {"comment", "response"}
    organisation = api_client_for(None).get(API, {"q": "Mekong", "type": "organisation"}).json()
    (hit,) = organisation["results"]
    assert hit["draft"] is None and hit["version"] is None
    assert hit["url"].endswith("/search/?organisation=telco")
    assert hit["api_url"].endswith("/api/v1/organisations/telco/")
    law = api_client_for(None).get(API, {"q": "computer", "type": "provision"}).json()
    assert law["results"][0]["url"].endswith(
        reverse(
            "comments:article",
            args=[corpus.c.draft.slug, corpus.c.version.number, law["results"][0]["article"]],
        )
    )
