"""Posting through the API in few statements: the answer is the service's own comment,
the thread path goes in with the INSERT where the database allows, the limits take
one Redis round trip to check and one to count."""

import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from search.models import Entry

URL = "/api/v1/comments/"


def _payload(c, body="A point about scope."):
    return {"version": c.version.pk, "provision": c.article.stable_id, "body": body}


def test_post_answers_with_the_comment_as_the_list_shows_it(consultation, api_client_for):
    c = consultation
    client = api_client_for(c.stakeholder_a)
    client.post(URL, _payload(c, "Warm-up."), format="json")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, _payload(c), format="json")
    sql = [q["sql"] for q in queries.captured_queries]  # before the next request clears them
    assert response.status_code == 201, response.content
    created = response.json()
    assert created == client.get(f"{URL}{created['id']}/").json()
    # Nothing read back after the write: the comment, its files and its version
    # are the service's own.
    reads = [s.split(" WHERE ")[0] for s in sql if s.startswith("SELECT")]  # what each reads
    for table in ("comments_comment", "comments_attachment", "drafts_draftversion"):
        assert not any(f'FROM "{table}"' in s for s in reads), table
    # The acting organisation is read with the token (no query of its own), and the
    # provision with its version and draft in one query.
    token_reads = [s for s in sql if 'FROM "authtoken_token"' in s]
    assert len(token_reads) == 1 and 'JOIN "stakeholders_organisation"' in token_reads[0]
    assert not any('FROM "stakeholders_organisation"' in s for s in sql)
    assert sum('FROM "drafts_provision"' in s for s in sql) == 1


def _posts(c):
    """Posts of every shape the answer has: quoted, amended with a file, a new article,
    restricted, general (no provision), as an individual."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.comments import sample_files

    article = c.article
    return [
        (c.stakeholder_a, {**_payload(c), "quote_exact": article.text_en.split()[0]}, "json"),
        (
            c.stakeholder_b,
            {
                **_payload(c, "Change it."),
                "kind": "amendment",
                "proposed_text": "New wording.",
                "attachments": [
                    SimpleUploadedFile("paper.pdf", sample_files.pdf(), "application/pdf")
                ],
            },
            "multipart",
        ),
        (
            c.stakeholder_b,
            {
                "version": c.version.pk,
                "provision": "chp_2",
                "kind": "new_article",
                "body": "Add a purpose clause.",
                "proposed_text": "This chapter protects data.",
                "proposed_text_km": "ជំពូកនេះការពារទិន្នន័យ។",
            },
            "json",
        ),
        (c.stakeholder_a, {**_payload(c, "Between us."), "visibility": "restricted"}, "json"),
        (c.stakeholder_a, {"version": c.version.pk, "body": "On the whole draft."}, "json"),
        (c.individual, _payload(c, "As a citizen."), "json"),
    ]


def test_every_kind_of_post_and_reply_answers_as_the_comment_reads_afterwards(
    consultation, api_client_for
):
    """The answer to a post is shaped from the service's own comment, not read again: it
    must be what reading the comment gives its author, field for field."""
    c = consultation
    for author, payload, fmt in _posts(c):
        client = api_client_for(author)
        response = client.post(URL, payload, format=fmt)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created == client.get(f"{URL}{created['id']}/").json(), payload["body"]
    thread = created["id"]
    for author in (c.drafter, c.stakeholder_b):
        client = api_client_for(author)
        response = client.post(f"{URL}{thread}/replies/", {"body": "An answer."}, format="json")
        assert response.status_code == 201, response.content
        reply = response.json()
        assert reply == client.get(f"{URL}{reply['id']}/").json()
        thread = reply["id"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sequence is PostgreSQL's")
def test_on_postgresql_the_thread_path_goes_in_with_the_insert(consultation, api_client_for):
    c = consultation
    client = api_client_for(c.stakeholder_a)
    client.post(URL, _payload(c, "Warm-up."), format="json")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, _payload(c), format="json")
    sql = [q["sql"] for q in queries.captured_queries]
    assert response.status_code == 201
    assert not any(s.startswith('UPDATE "comments_comment"') for s in sql)
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.thread_path == f"{comment.pk:012d}"
    assert comment.tracking_number.split("-")[1] == f"{comment.pk:06d}"
    [posted] = comment.history.all()  # one history row, complete
    assert posted.thread_path == comment.thread_path
    assert posted.history_change_reason == "Posted"


def test_a_reply_gets_its_path_under_its_parent_and_one_history_row(consultation, post):
    from comments import services

    c = consultation
    first = post(c.stakeholder_a)
    reply = services.comment_reply(by=c.stakeholder_b, parent=first, body="An answer.")
    reply.refresh_from_db()
    assert reply.thread_path == f"{first.thread_path}.{reply.pk:012d}"
    assert reply.tracking_number
    assert reply.history.count() == 1
    # Indexed once, with the words, whatever the database.
    assert Entry.objects.filter(comment_id=reply.pk, source=Entry.Source.COMMENT).count() == 1


@pytest.mark.parametrize("reader", ["stakeholder_a", "individual"])
def test_post_queries_are_pinned(
    consultation, api_client_for, reader, django_assert_max_num_queries
):
    """Token and memberships; provision, version and draft; the organisation (not for an
    individual); the round's participation (only for an individual); the id (PostgreSQL)
    or the UPDATE of the path (SQLite); the comment, the disposition and their history
    rows; the search index (one INSERT for the new comment, written with its pending
    decision: nothing to replace or update afterwards); the two events (one INSERT; delivered
    together after commit, which a test's transaction never reaches); the savepoint around
    it all."""
    c = consultation
    client = api_client_for(getattr(c, reader))
    client.post(URL, _payload(c, "Warm-up."), format="json")
    most = 13
    with django_assert_max_num_queries(most):
        assert client.post(URL, _payload(c), format="json").status_code == 201


def test_web_post_through_htmx_renders_the_services_comment(consultation, client, create_url):
    from tests.comments.test_views_commenting import HTMX

    c = consultation
    client.force_login(c.stakeholder_a)
    data = {"body": "Posted from the page.", "kind": "comment", "visibility": "public"}
    client.post(create_url, {**data, "body": "Warm-up."}, **HTMX)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(create_url, data, **HTMX)
    sql = [q["sql"] for q in queries.captured_queries]
    assert response.status_code == 200
    assert "Posted from the page." in response.content.decode()
    # The new thread is drawn from the object the service returned, not read again.
    assert not any("comments_passagecheck" in s for s in sql)
    assert not any('FROM "comments_endorsement"' in s for s in sql)


# --- the posting limits in Redis -----------------------------------------------------


def _limits(user="3/10m", org="5/h"):
    return override_settings(
        PORTAL={**settings.PORTAL, "POST_RATE_PER_USER": user, "POST_RATE_PER_ORGANISATION": org}
    )


def _redis_cache(location, prefix):
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "core.cache.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": prefix,
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        }
    )


@pytest.mark.services
def test_limits_take_one_round_trip_to_check_and_one_to_count(
    consultation, post, redis_url, monkeypatch
):
    import uuid

    import redis
    from redis.client import Pipeline

    trips = []
    real_execute = redis.Redis.execute_command
    real_pipeline = Pipeline.execute

    def command(self, *args, **kwargs):
        trips.append(args[0])
        return real_execute(self, *args, **kwargs)

    def pipeline(self, *args, **kwargs):
        trips.append("pipeline")
        return real_pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", command)
    monkeypatch.setattr(Pipeline, "execute", pipeline)
    c = consultation
    with _redis_cache(redis_url, f"posting-test-{uuid.uuid4().hex}"), _limits(user="2/10m"):
        post(c.stakeholder_a)
        # The version's revision token is forgotten too (one DEL, core.revisions.touch);
        # the limits themselves are one read and one write.
        assert [trip for trip in trips if trip != "DEL"] == ["MGET", "pipeline"]
        assert trips.count("DEL") == 1
        post(c.stakeholder_a)
        with pytest.raises(Exception, match="limit of 2 posts"):
            post(c.stakeholder_a)


def test_with_redis_unreachable_the_limits_are_counted_in_the_database(consultation, post, caplog):
    """A real Redis cache whose server is not there: posting goes on, the limit holds."""
    c = consultation
    caplog.set_level(logging.WARNING, logger="comments.services")
    with _redis_cache("redis://127.0.0.1:9/0", "nowhere"), _limits(user="2/10m", org=""):
        post(c.stakeholder_a)
        post(c.stakeholder_a)
        with pytest.raises(Exception, match="limit of 2 posts"):
            post(c.stakeholder_a)
        post(c.stakeholder_b)
    assert Comment.objects.filter(author=c.stakeholder_a).count() == 2
    assert "cache unreachable" in caplog.text


def test_a_new_comment_and_its_file_are_indexed_with_the_pending_decision_at_once(
    consultation, api_client_for
):
    """The pending decision is made before the comment is saved, so its search rows are
    written with it: nothing is updated afterwards. A decision recorded later reaches them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comments import services
    from tests.comments import sample_files

    c = consultation
    client = api_client_for(c.stakeholder_a)
    payload = {
        **_payload(c, "With a file."),
        "attachments": [SimpleUploadedFile("paper.pdf", sample_files.pdf(), "application/pdf")],
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, payload, format="multipart")
    assert response.status_code == 201, response.content
    assert not any(q["sql"].startswith('UPDATE "search_entry"') for q in queries.captured_queries)
    rows = Entry.objects.filter(comment_id=response.json()["id"])
    assert sorted(rows.values_list("source", "disposition")) == [
        ("attachment", "pending"),
        ("comment", "pending"),
    ]
    services.disposition_record(
        comment=Comment.objects.get(pk=response.json()["id"]),
        by=c.drafter,
        status="accepted",
        response="Taken.",
    )
    assert set(rows.values_list("source", "disposition")) == {
        ("attachment", "accepted"),
        ("comment", "accepted"),
        ("response", "accepted"),
    }
