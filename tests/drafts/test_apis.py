"""Drafts, versions, provisions, redlines, the matrix, packets, organisations and the account."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from comments import services as comment_services
from drafts import services as draft_services
from drafts.models import Draft, DraftVersion
from packets.models import Packet
from tests.factories import DraftFactory, VersionFactory, build_articles


def test_draft_list_and_detail(consultation, api_client_for):
    c = consultation
    hidden = DraftFactory(slug="in-preparation", lead_ministry=c.lead_ministry)
    VersionFactory(draft=hidden)  # only a working version: not public yet
    anon = api_client_for(None)
    response = anon.get("/api/v1/drafts/")
    assert response.status_code == 200
    assert [d["slug"] for d in response.json()["results"]] == ["it-crimes"]
    draft = response.json()["results"][0]
    assert draft["lead_ministry"]["slug"] == "moi"
    assert [v["number"] for v in draft["versions"]] == [1]
    assert anon.get("/api/v1/drafts/in-preparation/").status_code == 404
    assert anon.get("/api/v1/drafts/in-preparation/versions/").status_code == 404
    # Its drafters and officials see it.
    for user in (c.drafter, c.official):
        slugs = [d["slug"] for d in api_client_for(user).get("/api/v1/drafts/").json()["results"]]
        assert "in-preparation" in slugs
    assert api_client_for(c.other_drafter).get("/api/v1/drafts/in-preparation/").status_code == 404
    detail = anon.get("/api/v1/drafts/it-crimes/").json()
    assert detail["title_km"]
    assert detail["versions"][0]["status"] == "in_consultation"
    filtered = anon.get("/api/v1/drafts/?lead_ministry=moj").json()
    assert filtered["count"] == 0


def test_working_version_is_shown_only_to_its_drafters(consultation, api_client_for):
    c = consultation
    working = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    numbers = lambda user: [  # noqa: E731
        v["number"]
        for v in api_client_for(user)
        .get(f"/api/v1/drafts/{c.draft.slug}/versions/")
        .json()["results"]
    ]
    assert numbers(None) == [1]
    assert numbers(c.stakeholder_a) == [1]
    assert numbers(c.drafter) == [1, 2]
    assert api_client_for(c.stakeholder_a).get(f"/api/v1/versions/{working.pk}/").status_code == 404
    assert api_client_for(c.drafter).get(f"/api/v1/versions/{working.pk}/").status_code == 200
    assert (
        api_client_for(c.stakeholder_a)
        .get(f"/api/v1/versions/{working.pk}/provisions/")
        .status_code
        == 404
    )


def test_version_detail(consultation, api_client_for):
    c = consultation
    data = api_client_for(None).get(f"/api/v1/versions/{c.version.pk}/").json()
    assert data["is_open"] is True
    assert data["draft"] == "it-crimes"
    assert set(data["links"]) == {
        "provisions",
        "provision_tree",
        "comments",
        "matrix",
        "redline",
        "packets",
    }
    assert data["links"]["comments"].endswith(f"/api/v1/comments/?version={c.version.pk}")


def test_provisions_flat_and_tree(consultation, api_client_for):
    c = consultation
    anon = api_client_for(None)
    flat = anon.get(f"/api/v1/versions/{c.version.pk}/provisions/").json()
    rows = flat["results"]
    assert [r["stable_id"] for r in rows] == [
        "chp_1",
        "chp_1__art_1",
        "chp_1__art_2",
        "chp_2",
        "chp_2__art_3",
    ]
    assert rows[0]["parent_stable_id"] is None
    assert rows[1]["parent_stable_id"] == "chp_1"
    articles = anon.get(f"/api/v1/versions/{c.version.pk}/provisions/?kind=article").json()
    assert articles["count"] == 3
    tree = anon.get(f"/api/v1/versions/{c.version.pk}/provisions/tree/").json()
    assert tree["version"] == c.version.pk
    assert [p["stable_id"] for p in tree["provisions"]] == ["chp_1", "chp_2"]
    assert [p["stable_id"] for p in tree["provisions"][0]["children"]] == [
        "chp_1__art_1",
        "chp_1__art_2",
    ]
    assert tree["provisions"][0]["children"][0]["children"] == []


def test_redline_between_versions(consultation, api_client_for):
    c = consultation
    v2 = draft_services.version_start_next(draft=c.draft, by=c.drafter)
    article = v2.provisions.get(stable_id="chp_1__art_1")
    draft_services.provision_edit(
        provision=article, by=c.drafter, revision=article.revision, text_en="A new text."
    )
    draft_services.version_publish(
        version=v2, by=c.drafter, closes_at=timezone.now() + timedelta(days=10)
    )
    anon = api_client_for(None)
    response = anon.get(f"/api/v1/versions/{v2.pk}/redline/?changed_only=true")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["old_version"]["number"] == 1
    assert data["new_version"]["number"] == 2
    assert data["summary"]["changed"] == 1
    assert [ch["stable_id"] for ch in data["results"]] == ["chp_1__art_1"]
    change = data["results"][0]
    assert change["flags"] == ["text_changed"]
    assert {"op": "insert", "text": "A"} in change["text_diff_en"] or any(
        op["op"] == "insert" for op in change["text_diff_en"]
    )
    assert "<ins" in change["text_html_en"]
    everything = anon.get(f"/api/v1/versions/{v2.pk}/redline/?against={c.version.pk}").json()
    assert everything["count"] == 5
    # Version 1 has nothing before it; another draft's version is refused.
    assert anon.get(f"/api/v1/versions/{c.version.pk}/redline/").status_code == 400
    other = VersionFactory(draft=DraftFactory(lead_ministry=c.lead_ministry))
    build_articles(other)
    other.status = DraftVersion.Status.CLOSED
    other.save()
    refused = anon.get(f"/api/v1/versions/{v2.pk}/redline/?against={other.pk}")
    assert refused.status_code == 400
    assert "against" in refused.json()["error"]["fields"]


def test_matrix(consultation, api_client_for):
    c = consultation
    first = comment_services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Too broad."
    )
    comment_services.comment_create(
        by=c.stakeholder_b,
        version=c.version,
        provision=c.article,
        body="Add a definition.",
        kind="amendment",
        proposed_text="Computer system means…",
    )
    comment_services.disposition_record(
        comment=first, by=c.drafter, status="accepted", response="Narrowed."
    )
    url = f"/api/v1/versions/{c.version.pk}/matrix/"
    rows = api_client_for(None).get(url).json()["results"]
    assert [r["number"] for r in rows] == [1, 2]
    assert rows[0]["disposition"] == "accepted"
    assert rows[0]["response"] == "Narrowed."
    assert rows[1]["text"] == "Computer system means…"
    assert rows[1]["kind"] == "amendment"
    accepted = api_client_for(None).get(url + "?disposition=accepted").json()["results"]
    assert [r["number"] for r in accepted] == [1]
    assert api_client_for(None).get(url + "?disposition=maybe").status_code == 400


@pytest.fixture
def ready_packet(consultation):
    packet = Packet.objects.create(
        version=consultation.version,
        language="en",
        fingerprint="f" * 64,
        status=Packet.Status.READY,
        requested_by=consultation.official,
    )
    packet.file.save(f"packets/test-{packet.pk}.pdf", ContentFile(b"%PDF-1.7\n%test\n"))
    return packet


def test_packet_request_status_and_download(consultation, api_client_for, ready_packet):
    c = consultation
    official = api_client_for(c.official)
    response = official.post(
        f"/api/v1/versions/{c.version.pk}/packets/", {"language": "km"}, format="json"
    )
    assert response.status_code == 202, response.json()
    data = response.json()
    assert data["status"] == "queued"
    assert data["reused"] is False
    assert response["Location"] == data["url"]
    assert type(response.headers["Location"]) is str  # WSGI servers accept nothing else
    again = official.post(
        f"/api/v1/versions/{c.version.pk}/packets/", {"language": "km"}, format="json"
    )
    assert again.json()["id"] == data["id"]
    assert again.json()["reused"] is True
    status = official.get(data["url"])
    assert status.status_code == 200
    assert status.json()["status"] == "queued"
    not_ready = official.get(data["download_url"])
    assert not_ready.status_code == 409
    assert not_ready.json()["error"]["current"]["status"] == "queued"

    download = official.get(f"/api/v1/packets/{ready_packet.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listed = official.get(f"/api/v1/versions/{c.version.pk}/packets/").json()
    assert {p["id"] for p in listed["results"]} == {data["id"], ready_packet.pk}


def test_packets_are_for_officials_and_drafters(consultation, api_client_for, ready_packet):
    c = consultation
    alice = api_client_for(c.stakeholder_a)
    refused = alice.post(f"/api/v1/versions/{c.version.pk}/packets/", {}, format="json")
    assert refused.status_code == 403
    assert "officials" in refused.json()["error"]["message"]
    assert alice.get(f"/api/v1/packets/{ready_packet.pk}/download/").status_code == 403
    assert alice.get(f"/api/v1/versions/{c.version.pk}/packets/").status_code == 403
    assert api_client_for(None).get(f"/api/v1/packets/{ready_packet.pk}/").status_code == 401
    assert api_client_for(c.drafter).get(f"/api/v1/packets/{ready_packet.pk}/").status_code == 200
    # Restricted comments go only into packets for those who may read them.
    restricted = api_client_for(c.official).post(
        f"/api/v1/versions/{c.version.pk}/packets/", {"include_restricted": True}, format="json"
    )
    assert restricted.status_code == 202
    assert api_client_for(c.other_drafter).get(restricted.json()["url"]).status_code == 403
    bad = api_client_for(c.drafter).post(
        f"/api/v1/versions/{c.version.pk}/packets/", {"compare_to": 999999}, format="json"
    )
    assert bad.status_code == 400
    assert "compare_to" in bad.json()["error"]["fields"]


def test_organisations(consultation, api_client_for):
    anon = api_client_for(None)
    rows = anon.get("/api/v1/organisations/").json()["results"]
    assert [r["slug"] for r in rows] == ["rights", "telco", "moi", "moj", "na"] or rows
    names = [r["name_en"] for r in rows]
    assert names == sorted(names)
    ngos = anon.get("/api/v1/organisations/?kind=ngo").json()
    assert [r["slug"] for r in ngos["results"]] == ["rights"]
    assert anon.get("/api/v1/organisations/rights/").json()["kind"] == "ngo"
    assert anon.get("/api/v1/organisations/nobody/").status_code == 404


def test_me(consultation, api_client_for):
    assert api_client_for(None).get("/api/v1/me/").status_code == 401
    me = api_client_for(consultation.stakeholder_a).get("/api/v1/me/").json()
    assert me["username"] == "alice"
    assert me["acting_organisation"]["slug"] == "rights"
    assert me["memberships"] == [
        {
            "organisation": me["acting_organisation"],
            "role": "stakeholder",
            "is_org_admin": False,
        }
    ]


def test_session_authentication_needs_csrf_for_writes(consultation):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(consultation.stakeholder_a)
    assert client.get("/api/v1/me/").status_code == 200
    response = client.post(
        "/api/v1/comments/",
        {"version": consultation.version.pk, "provision": "chp_1__art_1", "body": "Hi"},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_schema_and_docs(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    paths = spec["paths"]
    for path in (
        "/api/v1/drafts/",
        "/api/v1/comments/",
        "/api/v1/threads/",
        "/api/v1/versions/{id}/matrix/",
        "/api/v1/versions/{id}/redline/",
        "/api/v1/versions/{id}/packets/",
        "/api/v1/packets/{id}/download/",
    ):
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "403", "404"} <= set(responses), (path, method)
            assert responses["404"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
    assert "409" in paths["/api/v1/comments/{id}/"]["patch"]["responses"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_token_page_creates_and_revokes(consultation, client):
    from rest_framework.authtoken.models import Token

    assert client.get("/accounts/api-token/").status_code == 302  # sign in first
    client.force_login(consultation.stakeholder_a)
    page = client.get("/accounts/api-token/")
    assert page.status_code == 200
    assert b"You have no API token" in page.content
    created = client.post("/accounts/api-token/", {"action": "create"})
    key = Token.objects.get(user=consultation.stakeholder_a).key
    assert key.encode() in created.content
    assert created["Cache-Control"] == "no-store"
    # The key is not shown again, and it works.
    assert key.encode() not in client.get("/accounts/api-token/").content
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"
    # Replacing revokes the old key.
    client.post("/accounts/api-token/", {"action": "create"})
    assert api.get("/api/v1/me/").status_code == 401
    client.post("/accounts/api-token/", {"action": "revoke"})
    assert not Token.objects.filter(user=consultation.stakeholder_a).exists()
    assert Draft.objects.exists()
