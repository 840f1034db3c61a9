"""Idempotency keys: a retried write answers the first result instead of making a duplicate."""

import pytest
from django.urls import reverse

from comments.models import Comment
from core.models import IdempotencyRecord
from tests.comments.conftest import post_comment

pytestmark = pytest.mark.django_db

URL = "/api/v1/comments/"


def _create_body(c, body="Please define 'computer system'."):
    return {
        "version": c.version.pk,
        "provision": c.article.stable_id,
        "body": body,
        "kind": "comment",
        "visibility": "public",
    }


def test_the_same_key_twice_creates_one_comment_and_the_same_answer(consultation, api_client_for):
    c = consultation
    api = api_client_for(c.stakeholder_a)
    first = api.post(URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201, first.content
    assert first.json() == again.json()
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 1
    assert IdempotencyRecord.objects.get().object_id == first.json()["id"]


def test_the_answer_is_the_one_a_read_gives(consultation, api_client_for):
    c = consultation
    api = api_client_for(c.stakeholder_a)
    made = api.post(URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="k-2").json()
    read = api.get(f"{URL}{made['id']}/").json()
    assert made == read


def test_the_same_key_with_another_body_is_refused(consultation, api_client_for):
    c = consultation
    api = api_client_for(c.stakeholder_a)
    api.post(URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    other = api.post(
        URL, _create_body(c, "Something else."), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 1


def test_keys_belong_to_their_user_and_no_key_means_no_dedupe(consultation, api_client_for):
    c = consultation
    a = api_client_for(c.stakeholder_a).post(
        URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    b = api_client_for(c.stakeholder_b).post(
        URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert a.json()["id"] != b.json()["id"]
    api = api_client_for(c.stakeholder_a)
    api.post(URL, _create_body(c), format="json")
    api.post(URL, _create_body(c), format="json")
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 3


def test_a_refused_write_keeps_the_key_free(consultation, api_client_for):
    c = consultation
    api = api_client_for(c.stakeholder_a)
    bad = {**_create_body(c), "provision": "no-such-article"}
    assert api.post(URL, bad, format="json", HTTP_IDEMPOTENCY_KEY="k-4").status_code == 400
    ok = api.post(URL, _create_body(c), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert ok.status_code == 201


def test_a_reply_retried_with_its_key_is_made_once(consultation, api_client_for):
    c = consultation
    parent = post_comment(c, user=c.stakeholder_a)
    api = api_client_for(c.stakeholder_b)
    url = f"{URL}{parent.pk}/replies/"
    first = api.post(url, {"body": "Agreed."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = api.post(url, {"body": "Agreed."}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert parent.replies.count() == 1


def test_the_web_form_sent_twice_posts_once_and_redirects_to_the_same_comment(consultation, client):
    c = consultation
    client.force_login(c.stakeholder_a)
    url = reverse(
        "comments:create",
        kwargs={"slug": c.draft.slug, "number": c.version.number, "stable_id": c.article.stable_id},
    )
    page = client.get(
        reverse(
            "comments:article",
            kwargs={
                "slug": c.draft.slug,
                "number": c.version.number,
                "stable_id": c.article.stable_id,
            },
        )
    )
    assert 'name="idempotency_key"' in page.content.decode()
    form = {
        "kind": "comment",
        "visibility": "public",
        "body": "Sent twice by a double click.",
        "idempotency_key": "web-1",
    }
    first = client.post(url, form)
    again = client.post(url, form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 1
    changed = client.post(url, {**form, "body": "Another text."})
    assert changed.status_code == 422
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 1


def test_the_web_reply_form_sent_twice_replies_once(consultation, client):
    c = consultation
    parent = post_comment(c, user=c.stakeholder_a)
    client.force_login(c.stakeholder_b)
    url = reverse("comments:reply", args=[parent.pk])
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    form = {"body": "Once only.", "visibility": "public", "idempotency_key": "web-r"}
    first = client.post(url, form)
    again = client.post(url, form)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert parent.replies.count() == 1


def test_an_answer_retried_with_its_key_gets_the_first_answer_not_a_conflict(
    consultation, api_client_for
):
    """The first PUT moved the disposition's revision on; without the key, the retry of the
    very same answer would be told 409 (somebody else answered) though it was saved."""
    c = consultation
    comment = post_comment(c, user=c.stakeholder_a)
    client = api_client_for(c.drafter)
    url = reverse("api:comment-disposition", args=[comment.pk])
    answer = {"status": "accepted", "response": "We will define it.", "revision": 1}
    first = client.put(url, answer, format="json", HTTP_IDEMPOTENCY_KEY="answer-1")
    again = client.put(url, answer, format="json", HTTP_IDEMPOTENCY_KEY="answer-1")
    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json() == first.json()
    unkeyed = client.put(url, answer, format="json")
    assert unkeyed.status_code == 409


def test_a_packet_request_retried_with_its_key_names_the_same_packet(
    consultation, api_client_for, django_capture_on_commit_callbacks
):
    from packets.models import Packet

    c = consultation
    client = api_client_for(c.official)
    url = reverse("api:version-packets", args=[c.version.pk])
    with django_capture_on_commit_callbacks():
        first = client.post(url, {"language": "en"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
        again = client.post(url, {"language": "en"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
        other = client.post(url, {"language": "km"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert first.status_code == 202
    assert again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert Packet.objects.count() == 1


def test_the_schema_documents_the_header_on_every_write_that_takes_it(client):
    import yaml

    schema = yaml.safe_load(client.get(reverse("api-schema")).content)
    writes = [
        ("/api/v1/comments/", "post"),
        ("/api/v1/comments/{id}/replies/", "post"),
        ("/api/v1/comments/{id}/disposition/", "put"),
        ("/api/v1/versions/{id}/packets/", "post"),
    ]
    for path, method in writes:
        names = [p["name"] for p in schema["paths"][path][method].get("parameters", [])]
        assert "Idempotency-Key" in names, (path, method)
