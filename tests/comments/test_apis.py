"""Comments through the API: reading with the visibility rules, and every write."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments import services
from comments.models import Comment, Endorsement
from drafts.models import DraftVersion

URL = "/api/v1/comments/"


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_list_shows_public_comments_to_anonymous_readers(consultation, api_client_for, post):
    public = post(consultation.stakeholder_a, "Public words.")
    post(consultation.stakeholder_a, "Members only.", visibility="participants")
    response = api_client_for(None).get(URL)
    assert response.status_code == 200
    assert ids(response) == [public.pk]
    row = response.json()["results"][0]
    assert row["body"] == "Public words."
    assert row["organisation"]["slug"] == "rights"
    assert row["provision"]["stable_id"] == consultation.article.stable_id
    assert row["permissions"] == {
        "reply": False,
        "edit": False,
        "withdraw": False,
        "endorse": False,
        "report": False,
        "answer": False,
    }


def test_restricted_comment_never_leaks_to_another_organisation(consultation, api_client_for, post):
    c = consultation
    note = post(c.stakeholder_a, "Private note to the ministry.", visibility="restricted")
    public = post(c.stakeholder_a, "Public thread.")
    # A restricted reply by the ministry inside a public thread, and an endorsement.
    hidden_reply = services.comment_reply(
        by=c.drafter, parent=public, body="Private answer.", visibility="restricted"
    )
    services.comment_reply(by=c.drafter, parent=note, body="Private answer to the note.")
    services.endorsement_create(comment=public, by=c.stakeholder_b)
    bob = api_client_for(c.stakeholder_b)

    rows = bob.get(URL).json()
    assert [r["id"] for r in rows["results"]] == [public.pk]
    assert rows["count"] == 1
    assert rows["results"][0]["reply_count"] == 0  # the restricted reply is not counted
    assert rows["results"][0]["endorsement_count"] == 1
    assert rows["results"][0]["endorsed_by_my_organisation"] is True
    # Not through a filter, a detail, a reply list, a thread or a count either.
    for query in (
        "?visibility=restricted",
        f"?parent={note.pk}",
        f"?parent={public.pk}",
        "?organisation=rights&visibility=restricted",
    ):
        response = bob.get(URL + query)
        assert response.status_code == 200, query
        assert response.json()["count"] == 0 or ids(response) == [public.pk], query
        assert note.pk not in ids(response)
        assert hidden_reply.pk not in ids(response)
    assert bob.get(f"{URL}{note.pk}/").status_code == 404
    assert bob.get(f"{URL}{hidden_reply.pk}/").status_code == 404
    threads = bob.get("/api/v1/threads/").json()
    assert [t["id"] for t in threads["results"]] == [public.pk]
    assert threads["results"][0]["replies"] == []
    version = bob.get(f"/api/v1/versions/{c.version.pk}/").json()
    assert version["comment_count"] == 1
    provisions = bob.get(f"/api/v1/versions/{c.version.pk}/provisions/").json()["results"]
    assert sum(p["comment_count"] for p in provisions) == 1
    drafts = bob.get(f"/api/v1/drafts/{c.draft.slug}/versions/").json()["results"]
    assert drafts[0]["comment_count"] == 1
    matrix = bob.get(f"/api/v1/versions/{c.version.pk}/matrix/").json()
    assert [row["comment_id"] for row in matrix["results"]] == [public.pk]
    # Replying to, endorsing or editing it is refused as if it did not exist.
    assert bob.post(f"{URL}{note.pk}/replies/", {"body": "x"}, format="json").status_code == 404
    assert bob.post(f"{URL}{note.pk}/endorsement/").status_code == 404

    # Its own organisation and the drafters see it, with the replies.
    alice_rows = api_client_for(c.stakeholder_a).get(URL).json()["results"]
    assert note.pk in [r["id"] for r in alice_rows]
    drafter_threads = api_client_for(c.drafter).get("/api/v1/threads/").json()["results"]
    by_id = {t["id"]: t for t in drafter_threads}
    assert [r["id"] for r in by_id[public.pk]["replies"]] == [hidden_reply.pk]
    assert by_id[public.pk]["reply_count"] == 1


def test_hidden_comment_words_are_replaced_for_others(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a, "Something rude.", quote_exact="without right")
    services.comment_hide(comment=comment, by=c.moderator, reason="Insulting")
    other = api_client_for(c.stakeholder_b).get(f"{URL}{comment.pk}/").json()
    assert other["state"] == "hidden"
    assert other["text_hidden"] is True
    assert "rude" not in other["body"]
    assert "rude" not in other["body_html"]
    assert other["quote"] is None
    assert other["hidden_reason"] is None
    author = api_client_for(c.stakeholder_a).get(f"{URL}{comment.pk}/").json()
    assert author["body"] == "Something rude."
    assert author["hidden_reason"] == "Insulting"
    drafter = api_client_for(c.drafter).get(f"{URL}{comment.pk}/").json()
    assert drafter["body"] == "Something rude."
    assert drafter["text_hidden"] is False


def test_post_comment_speaks_for_the_acting_organisation(consultation, api_client_for):
    c = consultation
    response = api_client_for(c.stakeholder_a).post(
        URL,
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "Please define *computer system*.",
            "kind": "question",
            "quote_exact": "computer systems",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["organisation"]["slug"] == "rights"
    assert data["kind"] == "question"
    assert data["quote"]["exact"] == "computer systems"
    assert "<em>computer system</em>" in data["body_html"]
    assert data["permissions"]["edit"] is True
    assert data["permissions"]["endorse"] is False
    assert Comment.objects.get(pk=data["id"]).author == c.stakeholder_a


@pytest.mark.parametrize("key", ["organisation", "organisation_id"])
def test_forged_organisation_is_refused(consultation, api_client_for, key):
    c = consultation
    response = api_client_for(c.stakeholder_a).post(
        URL,
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "Speaking for somebody else.",
            key: c.org_b.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "organisation" in response.json()["error"]["fields"]
    assert not Comment.objects.exists()
    # Naming one's own organisation is harmless.
    response = api_client_for(c.stakeholder_a).post(
        URL,
        {
            "version": c.version.pk,
            "provision": c.article.stable_id,
            "body": "Speaking for us.",
            key: c.org_a.slug,
        },
        format="json",
    )
    assert response.status_code == 201
    assert Comment.objects.get().organisation == c.org_a


def test_post_after_the_consultation_closed_is_refused(consultation, api_client_for):
    c = consultation
    c.version.closes_at = timezone.now() - timedelta(minutes=1)
    c.version.status = DraftVersion.Status.CLOSED
    c.version.save()
    response = api_client_for(c.stakeholder_a).post(
        URL,
        {"version": c.version.pk, "provision": c.article.stable_id, "body": "Too late?"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert "not open" in response.json()["error"]["message"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "x" * 10_001}, "body"),
        ({"body": "   "}, "body"),
        ({"provision": "chp_9__art_99"}, "provision"),
        ({"version": 999_999}, "version"),
        ({"version": "abc"}, "version"),
        ({"kind": "petition"}, "kind"),
        ({"kind": "amendment"}, "proposed_text"),
        ({"quote_exact": "words that are not there"}, "quote_exact"),
        ({"body": "nul \x00 byte"}, "body"),
    ],
)
def test_invalid_comments_get_field_errors(consultation, api_client_for, payload, field):
    c = consultation
    data = {"version": c.version.pk, "provision": c.article.stable_id, "body": "Fine."}
    data.update(payload)
    response = api_client_for(c.stakeholder_a).post(URL, data, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert field in error["fields"], error
    assert error["message"]


def test_client_mistakes_are_4xx_in_one_format(consultation, api_client_for, post):
    c = consultation
    alice = api_client_for(c.stakeholder_a)
    comment = post(c.stakeholder_a)
    cases = [
        (alice.get("/api/v1/comments/abc/"), 404),
        (alice.get("/api/v1/comments/99999999999999999999999/"), 404),
        (alice.get(f"{URL}?version=abc"), 400),
        (alice.get(f"{URL}?version=99999999999999999999999"), 400),
        (alice.get(f"{URL}?kind=petition"), 400),
        (alice.get(f"{URL}?page=99"), 404),
        (alice.get("/api/v1/no-such-thing/"), 404),
        (alice.post(URL, "body=hello", content_type="text/plain"), 415),
        (alice.post(URL, "{not json", content_type="application/json"), 400),
        (alice.post(URL, [1, 2], format="json"), 400),
        (alice.put(f"{URL}{comment.pk}/"), 405),
        (api_client_for(None).post(URL, {"body": "x"}, format="json"), 401),
        (
            api_client_for(None).get(URL, HTTP_AUTHORIZATION="Token not-a-real-token"),
            401,
        ),
    ]
    for response, expected in cases:
        assert response.status_code == expected, (response.request["PATH_INFO"], response.content)
        error = response.json()["error"]
        assert set(error) >= {"code", "message"}
        assert error["message"]


def test_reply(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a, "Too broad.", visibility="participants")
    response = api_client_for(c.drafter).post(
        f"{URL}{comment.pk}/replies/", {"body": "We will narrow it."}, format="json"
    )
    assert response.status_code == 201
    reply = response.json()
    assert reply["parent"] == comment.pk
    assert reply["root"] == comment.pk
    assert reply["depth"] == 1
    assert reply["visibility"] == "participants"  # never less restricted than its parent
    assert reply["organisation"]["slug"] == "moi"
    assert reply["disposition"] is None


def test_edit_within_the_window_with_revision(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a, "Frist draft.")
    alice = api_client_for(c.stakeholder_a)
    response = alice.patch(
        f"{URL}{comment.pk}/", {"body": "First draft.", "revision": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["body"] == "First draft."
    assert response.json()["revision"] == 2
    assert response.json()["edited_at"]
    # A stale revision is a conflict that carries the current comment.
    stale = alice.patch(f"{URL}{comment.pk}/", {"body": "Again.", "revision": 1}, format="json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict"
    assert error["current"]["revision"] == 2
    assert error["current"]["body"] == "First draft."
    # After the window it is refused.
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=2))
    late = alice.patch(f"{URL}{comment.pk}/", {"body": "Late.", "revision": 2}, format="json")
    assert late.status_code == 403
    assert "minutes" in late.json()["error"]["message"]


def test_editing_someone_elses_comment_is_refused(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a, "Mine.")
    for user in (c.stakeholder_b, c.drafter, c.moderator):
        response = api_client_for(user).patch(
            f"{URL}{comment.pk}/", {"body": "Yours now.", "revision": 1}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "Only the author may edit a comment."
        withdraw = api_client_for(user).post(f"{URL}{comment.pk}/withdraw/", {}, format="json")
        assert withdraw.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine."
    assert comment.state == "active"


def test_withdraw(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a)
    response = api_client_for(c.stakeholder_a).post(
        f"{URL}{comment.pk}/withdraw/", {"reason": "Covered elsewhere."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert response.json()["withdrawn_at"]
    again = api_client_for(c.stakeholder_a).post(f"{URL}{comment.pk}/withdraw/", format="json")
    assert again.status_code == 403


def test_endorse_and_unendorse(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a)
    bob = api_client_for(c.stakeholder_b)
    response = bob.post(f"{URL}{comment.pk}/endorsement/")
    assert response.status_code == 200
    assert response.json()["endorsement_count"] == 1
    assert response.json()["endorsed_by_my_organisation"] is True
    assert bob.post(f"{URL}{comment.pk}/endorsement/").json()["endorsement_count"] == 1
    own = api_client_for(c.stakeholder_a).post(f"{URL}{comment.pk}/endorsement/")
    assert own.status_code == 403
    response = bob.delete(f"{URL}{comment.pk}/endorsement/")
    assert response.status_code == 200
    assert response.json()["endorsement_count"] == 0
    assert Endorsement.objects.get().withdrawn_at is not None
    # Nobody without an organisation can touch endorsements.
    from tests.factories import UserFactory

    loner = UserFactory(username="loner")
    assert api_client_for(loner).delete(f"{URL}{comment.pk}/endorsement/").status_code == 403


def test_disposition_by_drafters_only(consultation, api_client_for, post):
    c = consultation
    comment = post(c.stakeholder_a, "Delete article 2.")
    url = f"{URL}{comment.pk}/disposition/"
    payload = {"status": "accepted", "response": "Done in version 2.", "revision": 1}
    for user in (c.stakeholder_a, c.stakeholder_b, c.other_drafter, c.official):
        assert api_client_for(user).put(url, payload, format="json").status_code == 403
    response = api_client_for(c.drafter).put(url, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["revision"] == 2
    stale = api_client_for(c.drafter).put(url, payload, format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["revision"] == 2
    missing = api_client_for(c.drafter).put(url, {"status": "rejected"}, format="json")
    assert missing.status_code == 400
    assert "response" in missing.json()["error"]["fields"]
    shown = api_client_for(None).get(f"{URL}{comment.pk}/").json()
    assert shown["disposition"]["status"] == "accepted"
    assert api_client_for(None).get(f"{URL}?disposition=accepted").json()["count"] == 1


def test_filters_and_orderings(consultation, api_client_for, post):
    c = consultation
    first = post(c.stakeholder_a, "First.", kind="question")
    second = post(c.stakeholder_b, "Second.")
    third = post(c.drafter, "Third.", provision=list(c.articles.values())[1])
    services.endorsement_create(comment=second, by=c.stakeholder_a)
    services.endorsement_create(comment=second, by=c.drafter)
    services.endorsement_create(comment=first, by=c.stakeholder_b)
    anon = api_client_for(None)
    assert ids(anon.get(f"{URL}?ordering=newest")) == [third.pk, second.pk, first.pk]
    assert ids(anon.get(f"{URL}?ordering=oldest")) == [first.pk, second.pk, third.pk]
    assert ids(anon.get(f"{URL}?ordering=most_endorsed")) == [second.pk, first.pk, third.pk]
    assert ids(anon.get(f"{URL}?kind=question")) == [first.pk]
    assert ids(anon.get(f"{URL}?organisation_kind=private_sector")) == [second.pk]
    assert ids(anon.get(f"{URL}?organisation=moi")) == [third.pk]
    stable_id = list(c.articles)[1]
    assert ids(anon.get(f"{URL}?provision={stable_id}")) == [third.pk]
    assert ids(anon.get(f"{URL}?version={c.version.pk}&page_size=2")) == [first.pk, second.pk]
    assert ids(anon.get(f"{URL}?draft=no-such-draft")) == []
