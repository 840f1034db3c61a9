"""Word: a version and a redline written for ministry lawyers; drafts read back, including a
ministry-style document; bad files refused with nothing saved."""

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from core.errors import DomainError
from drafts import services as draft_services
from drafts.models import DraftVersion, Provision
from drafts.redline import version_redline
from interop import services, word
from interop.models import ImportUpload
from interop.selectors import exportable_version
from tests.fixtures.make_ministry_draft import build

from .conftest import provision_tree

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ministry_draft.docx"


def _docx(user, number=1):
    version = exportable_version(user=user, slug="it-crimes-demo", number=number)
    return word.version_docx(version, version.provisions_live)


def test_the_export_has_both_languages_as_headings_and_numbered_points(consultation, demo_version):
    document = Document(io.BytesIO(_docx(consultation.anonymous)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Chapter 1: General Provisions and Scope" in headings
    assert "Article 2: Objectives" in headings
    assert "ជំពូកទី ១៖ បទប្បញ្ញត្តិទូទៅ និងវិសាលភាព" in headings
    assert "មាត្រា ២៖ គោលដៅ" in headings
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [demo_version.draft.title_en, demo_version.draft.title_km]
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("This Law has the following objectives:\n1. to ensure") for t in texts)
    assert any(t.startswith("ច្បាប់នេះមានគោលដៅដូចខាងក្រោម៖\n១. ") for t in texts)


def test_round_trip_as_a_new_working_version(consultation, demo_version):
    upload = services.import_upload(
        by=consultation.drafter,
        filename="law.docx",
        data=_docx(consultation.drafter),
        draft=demo_version.draft,
    )
    assert upload.parsed["problems"] == []
    assert {p["matched"] for p in upload.parsed["provisions"]} == {"number_heading"}
    imported = services.import_apply(upload=upload, by=consultation.drafter)
    assert imported.number == 2
    assert provision_tree(imported) == provision_tree(demo_version)


def test_an_edited_document_keeps_ids_of_renumbered_and_retitled_articles(
    consultation, demo_version
):
    """Article 4 retitled in both languages, article 45 renumbered 47, a new article 46."""
    renamed = {
        "Article 4: Competent Authorities": "Article 4: The Competent Authority",
        "មាត្រា ៤៖ អាជ្ញាធរមានសមត្ថកិច្ច": "មាត្រា ៤៖ អាជ្ញាធរ",
        "Article 45: Entry into Force": "Article 47: Entry into Force",
        "មាត្រា ៤៥៖ ការចូលជាធរមាន": "មាត្រា ៤៧៖ ការចូលជាធរមាន",
    }
    document = Document(io.BytesIO(_docx(consultation.drafter)))
    for paragraph in document.paragraphs:
        if paragraph.text == "Article 45: Entry into Force":
            paragraph.insert_paragraph_before("Article 46: Review").style = paragraph.style
            paragraph.insert_paragraph_before("This Law shall be reviewed after five years.")
        if paragraph.text in renamed:
            paragraph.text = renamed[paragraph.text]
    out = io.BytesIO()
    document.save(out)
    upload = services.import_upload(
        by=consultation.drafter,
        filename="edited.docx",
        data=out.getvalue(),
        draft=demo_version.draft,
    )
    by_number = {
        p["number"]: p for chapter in upload.parsed["provisions"] for p in chapter["children"]
    }
    assert (by_number["4"]["stable_id"], by_number["4"]["matched"]) == (
        "chp_1__art_4",
        "number_text",
    )
    assert (by_number["47"]["stable_id"], by_number["47"]["matched"]) == (
        "chp_10__art_45",
        "heading",
    )
    assert (by_number["46"]["stable_id"], by_number["46"]["matched"]) == ("chp_10__art_46", "")
    assert by_number["1"]["matched"] == "number_heading"
    imported = services.import_apply(upload=upload, by=consultation.drafter)
    assert imported.provisions.get(stable_id="chp_1__art_4").heading_en == "The Competent Authority"
    assert imported.provisions.get(stable_id="chp_10__art_46").text_en.startswith("This Law shall")


def test_redline_has_tracked_insertions_and_deletions(consultation, demo_version):
    working = draft_services.version_start_next(draft=demo_version.draft, by=consultation.drafter)
    article = working.provisions.get(stable_id="chp_1__art_1")
    draft_services.provision_edit(
        provision=article,
        by=consultation.drafter,
        revision=article.revision,
        text_en=article.text_en.replace("preventing", "deterring"),
        text_km=article.text_km.replace("បង្ការ", "ទប់ស្កាត់"),
    )
    redline = version_redline(old_version=demo_version, new_version=working)
    data = word.redline_docx(redline)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "<w:del " in xml and "<w:ins " in xml
    assert '<w:delText xml:space="preserve">preventing</w:delText>' in xml
    assert '<w:t xml:space="preserve">deterring</w:t>' in xml
    assert "ទប់ស្កាត់" in xml
    # Word opens it.
    Document(io.BytesIO(data))


def test_the_fixture_script_writes_the_committed_fixture(tmp_path):
    """The committed .docx is what the script writes (so it can be changed and rebuilt)."""
    rebuilt = Document(str(build(tmp_path / "draft.docx")))
    committed = Document(str(FIXTURE))
    assert [p.text for p in rebuilt.paragraphs] == [p.text for p in committed.paragraphs]


def test_a_ministry_style_draft_imports_with_every_article_found(consultation):
    upload = services.import_upload(
        by=consultation.drafter, filename="ministry_draft.docx", data=FIXTURE.read_bytes()
    )
    parsed = upload.parsed
    assert parsed["languages"] == ["en", "km"]
    assert parsed["title_en"] == "Draft Law on Electronic Signatures"
    assert parsed["title_km"] == "សេចក្តីព្រាងច្បាប់ស្តីពីហត្ថលេខាអេឡិចត្រូនិក"
    chapters = parsed["provisions"]
    assert [(c["number"], c["heading_en"], c["heading_km"]) for c in chapters] == [
        ("1", "GENERAL PROVISIONS", "បទប្បញ្ញត្តិទូទៅ"),
        ("2", "DEFINITIONS", "និយមន័យ"),
    ]
    articles = [a for c in chapters for a in c["children"]]
    assert [a["number"] for a in articles] == ["1", "2", "3", "4", "5"]
    assert all(
        a["heading_en"] and a["heading_km"] and a["text_en"] and a["text_km"] for a in articles
    )
    by_number = {a["number"]: a for a in articles}
    # Word's automatic numbering, and points numbered by hand in Khmer, become points.
    assert (
        "This Law applies to:\n1. electronic transactions between persons;\n2. "
        in by_number["2"]["text_en"]
    )
    assert "ច្បាប់នេះត្រូវអនុវត្តចំពោះ៖\n១. ប្រតិបត្តិការ" in by_number["2"]["text_km"]
    assert "\n(a) it is linked to the signatory alone;\n(b) " in by_number["4"]["text_en"]
    # The table of definitions is kept as lines; the footnote and the motto are reported.
    assert "Signatory — a person who creates an electronic signature" in by_number["3"]["text_en"]
    assert "ហត្ថលេខី — បុគ្គលដែលបង្កើតហត្ថលេខាអេឡិចត្រូនិក" in by_number["3"]["text_km"]
    problems = {(p["where"], p["message"].split(":")[0]) for p in parsed["problems"]}
    assert ("article 1", "A footnote was not imported") in problems
    excerpts = {p["excerpt"] for p in parsed["problems"]}
    assert {"KINGDOM OF CAMBODIA", "ជាតិ សាសនា ព្រះមហាក្សត្រ"} <= excerpts
    assert "ព្រះរាជាណាចក្រកម្ពុជា" not in by_number["5"]["text_en"]
    # Applied as a new draft led by the drafter's ministry.
    version = services.import_apply(upload=upload, by=consultation.drafter)
    assert version.draft.lead_ministry == consultation.lead_ministry
    assert Provision.objects.for_reading(version).articles().count() == 5
    assert version.provisions.get(stable_id="chp_2__art_3").heading_km == "និយមន័យ"


def _docx_with(paragraphs):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("law.docx", b"PK\x03\x04 this is not really a zip", "damaged"),
        ("law.docx", b"plain text pretending", "damaged"),
        (
            "law.docx",
            _docx_with(["A memo about the budget.", "Nothing else."]),
            "No chapter or article",
        ),
        ("law.pdf", b"%PDF-1.4", "Upload a Word document"),
        ("law.docx", b"", "empty"),
    ],
)
def test_bad_word_files_are_refused_and_nothing_is_saved(
    consultation, demo_version, filename, data, message
):
    before = (ImportUpload.objects.count(), DraftVersion.objects.count())
    with pytest.raises(DomainError) as refused:
        services.import_upload(
            by=consultation.drafter, filename=filename, data=data, draft=demo_version.draft
        )
    assert message in refused.value.message
    assert (ImportUpload.objects.count(), DraftVersion.objects.count()) == before


def test_a_zip_bomb_is_refused_before_unpacking(consultation, demo_version):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b" " * (word.MAX_UNPACKED_BYTES + 1))
    with pytest.raises(DomainError, match="too large once unpacked"):
        services.import_upload(
            by=consultation.drafter,
            filename="law.docx",
            data=out.getvalue(),
            draft=demo_version.draft,
        )


def test_nothing_is_half_imported(consultation, demo_version, monkeypatch):
    """A failure while writing the provisions leaves no version behind."""
    upload = services.import_upload(
        by=consultation.drafter,
        filename="law.docx",
        data=_docx(consultation.drafter),
        draft=demo_version.draft,
    )
    calls = {"n": 0}
    real_save = Provision.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 30:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Provision, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.import_apply(upload=upload, by=consultation.drafter)
    assert not DraftVersion.objects.filter(draft=demo_version.draft, number=2).exists()
    upload.refresh_from_db()
    assert upload.status == ImportUpload.Status.PENDING
