"""The import pages (upload, preview with what was not understood, confirm, discard), the
export links and downloads, and the same through the API."""

import io
import zipfile
from pathlib import Path

from django.urls import reverse

from drafts import services as draft_services
from drafts.models import Draft, DraftVersion
from interop.models import ImportUpload

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ministry_draft.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_new_draft_through_the_pages(client, consultation, django_assert_max_num_queries):
    client.force_login(consultation.drafter)
    page = client.get(reverse("interop:import_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("interop:import_new"), {"file": _file(FIXTURE.read_bytes(), "draft.docx")}
    )
    upload = ImportUpload.objects.get()
    assert response["Location"] == reverse("interop:import_preview", args=[upload.pk])
    with django_assert_max_num_queries(8):
        preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "Draft Law on Electronic Signatures" in html
    assert html.count('class="import-problem"') >= 3  # the motto twice, the footnote, the table
    assert "KINGDOM OF CAMBODIA" in html
    assert "As defined in the Law on Electronic Commerce of 2019." in html
    assert "ហត្ថលេខាអេឡិចត្រូនិកដែលអាចជឿទុកចិត្តបាន" in html
    assert not Draft.objects.filter(slug="e-signatures").exists()
    confirmed = client.post(
        response["Location"],
        {"title_en": "Draft Law on Electronic Signatures", "title_km": "", "slug": "e-signatures"},
    )
    draft = Draft.objects.get(slug="e-signatures")
    assert confirmed["Location"] == reverse("desk:version", args=["e-signatures", 1])
    assert draft.versions.get().provisions.filter(kind="article").count() == 5
    # Confirming again changes nothing.
    again = client.post(response["Location"], {"slug": "e-signatures-2"})
    assert again.status_code == 400
    assert Draft.objects.filter(slug__startswith="e-signatures").count() == 1


def test_next_version_through_the_pages_and_a_bad_file(client, consultation, demo_version):
    client.force_login(consultation.drafter)
    url = reverse("interop:import_version", args=["it-crimes-demo"])
    bad = client.post(url, {"file": _file(b"not a document", "law.docx")})
    assert bad.status_code == 400
    assert "damaged" in bad.content.decode()
    assert not ImportUpload.objects.exists()
    export = client.get(reverse("interop:export_word", args=["it-crimes-demo", 1]))
    assert export["Content-Type"] == DOCX
    response = client.post(url, {"file": _file(export.content, "law.docx")})
    preview = client.get(response["Location"])
    assert "kept: same number and heading" in preview.content.decode()
    client.post(response["Location"], {})
    version = DraftVersion.objects.get(draft=demo_version.draft, number=2)
    assert version.status == DraftVersion.Status.WORKING


def test_discard(client, consultation, demo_version):
    client.force_login(consultation.drafter)
    export = client.get(reverse("interop:export_akn", args=["it-crimes-demo", 1, "en"]))
    response = client.post(
        reverse("interop:import_version", args=["it-crimes-demo"]),
        {"file": _file(export.content, "law.xml")},
    )
    upload = ImportUpload.objects.get()
    client.post(reverse("interop:import_discard", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.DISCARDED
    assert client.post(response["Location"], {}).status_code == 400
    assert not DraftVersion.objects.filter(number=2, draft=demo_version.draft).exists()


def test_only_the_uploader_sees_the_preview(client, consultation, demo_version):
    client.force_login(consultation.drafter)
    client.post(reverse("interop:import_new"), {"file": _file(FIXTURE.read_bytes(), "draft.docx")})
    upload = ImportUpload.objects.get()
    client.force_login(consultation.other_drafter)
    assert client.get(reverse("interop:import_preview", args=[upload.pk])).status_code == 404
    assert client.post(reverse("interop:import_discard", args=[upload.pk])).status_code == 404


def test_the_public_version_page_links_the_exports(client, consultation, demo_version):
    page = client.get(reverse("comments:read_version", args=["it-crimes-demo", 1])).content.decode()
    for url in (
        reverse("interop:export_word", args=["it-crimes-demo", 1]),
        reverse("interop:export_akn", args=["it-crimes-demo", 1, "en"]),
        reverse("interop:export_akn", args=["it-crimes-demo", 1, "km"]),
        reverse("interop:export_akn_zip", args=["it-crimes-demo", 1]),
    ):
        assert url in page
        assert client.get(url).status_code == 200


def test_the_desk_links_imports_and_exports(client, consultation, demo_version):
    client.force_login(consultation.drafter)
    page = client.get(reverse("desk:home", args=["it-crimes-demo"])).content.decode()
    assert reverse("interop:import_version", args=["it-crimes-demo"]) in page
    assert reverse("interop:import_new") in page
    assert reverse("interop:export_word", args=["it-crimes-demo", 1]) in page


def test_a_working_version_is_exported_only_to_those_who_may_read_it(
    client, consultation, demo_version
):
    draft_services.version_start_next(draft=demo_version.draft, by=consultation.drafter)
    urls = [
        reverse("interop:export_word", args=["it-crimes-demo", 2]),
        reverse("interop:export_akn", args=["it-crimes-demo", 2, "km"]),
        reverse("interop:export_redline", args=["it-crimes-demo", 1, 2]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(consultation.stakeholder_a)
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(consultation.official)
    for url in urls:
        assert client.get(url).status_code == 200


def test_api_exports(api_client_for, consultation, demo_version):
    api = api_client_for(None)
    url = reverse("api:version-akn", args=[demo_version.pk])
    both = api.get(url)
    assert both["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(both.content)).namelist()) == 2
    khmer = api.get(url, {"language": "km"})
    assert khmer["Content-Type"] == "application/akn+xml"
    assert "គោលបំណង".encode() in khmer.content
    assert api.get(url, {"language": "fr"}).status_code == 400
    assert api.get(reverse("api:version-word", args=[demo_version.pk]))["Content-Type"] == DOCX
    working = draft_services.version_start_next(draft=demo_version.draft, by=consultation.drafter)
    assert api.get(reverse("api:version-word", args=[working.pk])).status_code == 404
    redline = reverse("api:version-redline-word", args=[working.pk])
    drafter = api_client_for(consultation.drafter)
    assert drafter.get(redline, {"compare_to": demo_version.pk}).status_code == 200
    assert drafter.get(redline, {"compare_to": consultation.version.pk}).status_code == 404


def test_api_import_in_two_steps(api_client_for, consultation, demo_version):
    drafter = api_client_for(consultation.drafter)
    exported = drafter.get(reverse("api:version-akn", args=[demo_version.pk])).content
    response = drafter.post(
        reverse("api:import-list"),
        {"file": _file(exported, "law.zip"), "draft": "it-crimes-demo"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["languages"] == ["en", "km"]
    assert body["provisions"][0]["stable_id"] == "chp_1"
    assert drafter.get(reverse("api:import-detail", args=[body["id"]])).json()["id"] == body["id"]
    assert (
        api_client_for(consultation.other_drafter)
        .get(reverse("api:import-detail", args=[body["id"]]))
        .status_code
        == 404
    )
    applied = drafter.post(reverse("api:import-apply", args=[body["id"]]), {}, format="json")
    assert applied.status_code == 201, applied.content
    assert applied.json()["number"] == 2
    again = drafter.post(reverse("api:import-apply", args=[body["id"]]), {}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid"


def test_api_refuses_bad_files_with_the_error_shape(api_client_for, consultation, demo_version):
    drafter = api_client_for(consultation.drafter)
    response = drafter.post(
        reverse("api:import-list"),
        {"file": _file(b"<not-akn/>", "law.xml"), "draft": "it-crimes-demo"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "Akoma Ntoso" in response.json()["error"]["message"]
    assert response.json()["error"]["fields"]["file"]
    stakeholder = api_client_for(consultation.stakeholder_a)
    refused = stakeholder.post(
        reverse("api:import-list"),
        {"file": _file(FIXTURE.read_bytes(), "draft.docx")},
        format="multipart",
    )
    assert refused.status_code == 403
    assert not ImportUpload.objects.exists()


def test_the_schema_documents_the_endpoints(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path in (
        "/api/v1/versions/{id}/akn/",
        "/api/v1/versions/{id}/word/",
        "/api/v1/versions/{id}/redline/word/",
        "/api/v1/imports/",
        "/api/v1/imports/{id}/apply/",
    ):
        assert any(p.replace("{pk}", "{id}") == path for p in schema["paths"]), path


def test_exports_run_a_fixed_number_of_queries(
    client, consultation, demo_version, django_assert_max_num_queries
):
    """55 provisions, and still a handful of queries: nothing is read per provision."""
    for name, args in (
        ("interop:export_word", ["it-crimes-demo", 1]),
        ("interop:export_akn_zip", ["it-crimes-demo", 1]),
        ("interop:export_akn", ["it-crimes-demo", 1, "km"]),
    ):
        with django_assert_max_num_queries(6):
            assert client.get(reverse(name, args=args)).status_code == 200
