"""Open data: exactly what an anonymous reader sees, as JSON, NDJSON and CSV, served with ETags."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.urls import reverse

from comments.models import Comment
from public import services, tasks
from public.models import OpenDataRelease
from public.opendata import DICTIONARY
from stakeholders.policies import comment_visibility_filter


def _file(release, name):
    with default_storage.open(release.files[name]["path"], "rb") as handle:
        return handle.read()


def _anonymous_set(draft):
    """What an anonymous reader finds on the thread pages: public, neither hidden nor withdrawn."""
    return set(
        Comment.objects.filter(version__draft=draft, state=Comment.State.ACTIVE)
        .filter(comment_visibility_filter(AnonymousUser(), draft))
        .values_list("pk", flat=True)
    )


def test_json_export_round_trips_to_exactly_the_public_comments(answered_round):
    r = answered_round
    release = services.open_data_publish(draft=r.c.draft)
    data = json.loads(_file(release, f"{r.c.draft.slug}.json"))
    exported = {row["id"] for row in data["comments"]}
    assert exported == _anonymous_set(r.c.draft)
    assert {r.public.pk, r.reply.pk, r.amendment.pk} <= exported
    for kept_out in (r.participants, r.restricted, r.reply_in_restricted, r.hidden, r.withdrawn):
        assert kept_out.pk not in exported
    bodies = json.dumps(data, ensure_ascii=False)
    for words in ("Words for participants only", "Restricted words", "Words a moderator hid"):
        assert words not in bodies
    # Replies keep their thread; dispositions, endorsements and both versions are there.
    assert {row["id"]: row["parent"] for row in data["comments"]}[r.reply.pk] == r.public.pk
    assert {d["comment"] for d in data["dispositions"]} <= exported
    noted = next(d for d in data["dispositions"] if d["comment"] == r.public.pk)
    assert noted["status"] == "noted"
    applied = next(d for d in data["dispositions"] if d["comment"] == r.amendment.pk)
    assert applied["applied_in_version"] == 2
    assert [e["comment"] for e in data["endorsements"]] == [r.public.pk]
    assert [v["number"] for v in data["versions"]] == [1, 2]
    assert {p["version"] for p in data["provisions"]} == {1, 2}
    assert data["passage_checks"]
    assert {pc["comment"] for pc in data["passage_checks"]} <= exported
    assert "CC BY 4.0" in data["dataset"]["licence"]


def test_no_personal_names_in_the_files(answered_round):
    r = answered_round
    release = services.open_data_publish(draft=r.c.draft)
    everything = b"".join(_file(release, name) for name in release.files).decode("utf-8")
    for person in (r.c.stakeholder_a, r.c.stakeholder_b, r.c.drafter):
        assert person.username not in everything
        assert person.email not in everything


def test_ndjson_and_csv_hold_the_same_rows_as_the_json(answered_round):
    r = answered_round
    slug = r.c.draft.slug
    release = services.open_data_publish(draft=r.c.draft)
    data = json.loads(_file(release, f"{slug}.json"))
    lines = [json.loads(line) for line in _file(release, f"{slug}.ndjson").splitlines()]
    for table in DICTIONARY:
        ndjson_rows = [
            {k: v for k, v in row.items() if k != "table"} for row in lines if row["table"] == table
        ]
        assert ndjson_rows == data[table], table
        text = _file(release, f"{slug}-{table}.csv").decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        rows = list(reader)
        assert reader.fieldnames == [column.name for column in DICTIONARY[table][1]], table
        assert rows == [{k: str(v) for k, v in row.items()} for row in data[table]], table


def test_publishing_again_with_nothing_changed_writes_nothing(answered_round):
    r = answered_round
    first = services.open_data_publish(draft=r.c.draft)
    again = services.open_data_publish(draft=r.c.draft)
    assert again.digest == first.digest
    assert again.generated_at == first.generated_at
    assert OpenDataRelease.objects.count() == 1


def test_a_hidden_comment_leaves_the_next_release_and_old_files_go(
    answered_round, django_capture_on_commit_callbacks
):
    from comments import services as comment_services

    r = answered_round
    first = services.open_data_publish(draft=r.c.draft)
    comment_services.comment_hide(comment=r.public, by=r.c.moderator, reason="Abusive")
    # The listener's task, run in the test's process (the outbox called it after commit).
    with django_capture_on_commit_callbacks(execute=True):
        digest = tasks.open_data_build_for_comment(r.public.pk)
    release = OpenDataRelease.objects.get(draft=r.c.draft)
    assert release.digest == digest != first.digest
    data = json.loads(_file(release, f"{r.c.draft.slug}.json"))
    assert r.public.pk not in {row["id"] for row in data["comments"]}
    old_path = first.files[f"{r.c.draft.slug}.json"]["path"]
    assert not default_storage.exists(old_path)


def test_events_reach_the_task_through_the_outbox(
    consultation, monkeypatch, django_capture_on_commit_callbacks
):
    from drafts import services as draft_services

    sent = []
    monkeypatch.setattr(tasks.open_data_build_for_version, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        draft_services.version_close(version=consultation.version)
    assert sent == [consultation.version.pk]


@pytest.fixture
def published(answered_round):
    services.open_data_publish(draft=answered_round.c.draft)
    return answered_round


def test_files_are_served_with_an_etag_and_304_when_unchanged(published, client):
    slug = published.c.draft.slug
    url = reverse("public:open_data_file", args=[slug, f"{slug}.json"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    etag = response["ETag"]
    body = b"".join(response.streaming_content)
    assert json.loads(body)["dataset"]["draft"] == slug
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    stale = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200


def test_unknown_files_and_drafts_are_not_found(published, client):
    slug = published.c.draft.slug
    assert (
        client.get(reverse("public:open_data_file", args=[slug, "other.json"])).status_code == 404
    )
    assert (
        client.get(reverse("public:open_data_file", args=["nope", "nope.json"])).status_code == 404
    )


def test_the_api_lists_the_files_and_serves_them(published, client):
    slug = published.c.draft.slug
    listing = client.get(reverse("api:draft-open-data", args=[slug]))
    assert listing.status_code == 200
    files = {f["name"]: f for f in listing.json()["files"]}
    assert set(files) == {f"{slug}.json", f"{slug}.ndjson"} | {
        f"{slug}-{table}.csv" for table in DICTIONARY
    }
    csv_file = files[f"{slug}-comments.csv"]
    response = client.get(csv_file["url"])
    assert response.status_code == 200
    assert response["ETag"] == f'"{csv_file["etag"]}"'
    assert client.get(csv_file["url"], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get(reverse("api:draft-open-data", args=["nope"])).status_code == 404


def test_the_open_data_page_lists_the_files_and_the_dictionary(
    published, client, django_assert_max_num_queries
):
    slug = published.c.draft.slug
    with django_assert_max_num_queries(6):
        response = client.get(reverse("public:open_data", args=[slug]))
    page = response.content.decode()
    assert f"{slug}-comments.csv" in page
    assert "CC BY 4.0" in page
    for table, (_description, columns) in DICTIONARY.items():
        assert f"table-{table}" in page
        for column in columns:
            assert f"<code>{column.name}</code>" in page


def test_the_command_writes_every_draft(answered_round):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("open_data_build", stdout=out)
    assert OpenDataRelease.objects.filter(draft=answered_round.c.draft).exists()
    assert answered_round.c.draft.slug in out.getvalue()


def test_a_proposed_new_article_is_published_in_both_languages(round_):
    c = round_.c
    from comments import services as comment_services

    proposal = comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="An article on remedies is missing.",
        kind=Comment.Kind.NEW_ARTICLE,
        proposed_text="Anyone harmed may seek a remedy before a court.",
        proposed_text_km="ជនរងគ្រោះណាម្នាក់អាចស្នើសុំដំណោះស្រាយនៅចំពោះមុខតុលាការ។",
    )
    release = services.open_data_publish(draft=c.draft)
    rows = {
        row["id"]: row for row in json.loads(_file(release, f"{c.draft.slug}.json"))["comments"]
    }
    row = rows[proposal.pk]
    assert row["kind"] == "new_article"
    assert row["proposed_text"] == "Anyone harmed may seek a remedy before a court."
    assert row["proposed_text_km"] == "ជនរងគ្រោះណាម្នាក់អាចស្នើសុំដំណោះស្រាយនៅចំពោះមុខតុលាការ។"
    text = _file(release, f"{c.draft.slug}-comments.csv").decode("utf-8-sig")
    by_id = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert by_id[str(proposal.pk)]["proposed_text_km"] == row["proposed_text_km"]
