"""The Khmer text layer: text extracted from a packet is the database's text (packets.textlayer).

Checked with poppler's pdftotext, as a reader copying or searching the PDF would get it.
"""

import io
import re
import unicodedata

import pikepdf
import pytest

from drafts.models import DraftVersion
from packets import rendering, services, textlayer

from .poppler import available, pdfinfo, pdftotext

pytestmark = pytest.mark.django_db

# Sentences with what Khmer shaping reorders and stacks: pre-base vowels (េ ែ ៃ),
# split vowels (ើ ៀ ោ), subscript consonants (្ត ្រ ្ញ ្ទ ្ស), the pre-base coeng RO
# (ក្រ, ព្រ), and diacritics (៉ ់ ះ).
SAMPLES = [
    "ក្រសួងមហាផ្ទៃត្រូវរៀបចំនីតិវិធីសម្រាប់ការស៊ើបអង្កេតបទល្មើសបច្ចេកវិទ្យាព័ត៌មាន។",
    "ជនណាដែលលួចចូលប្រព័ន្ធកុំព្យូទ័រដោយគ្មានការអនុញ្ញាត ត្រូវផ្តន្ទាទោសដាក់ពន្ធនាគារពីមួយខែទៅមួយឆ្នាំ។",
    "ភស្តុតាងអេឡិចត្រូនិកត្រូវរក្សាទុកយ៉ាងហោចណាស់ប្រាំឆ្នាំ ដោយក្រសួងនិងស្ថាប័នពាក់ព័ន្ធ។",
    "ព្រះរាជាណាចក្រកម្ពុជា ជាតិ សាសនា ព្រះមហាក្សត្រ",
]


def normalised(text: str) -> str:
    """NFC, and no whitespace or break opportunities (where lines wrap is the layout's choice)."""
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFC", text))


@pytest.fixture
def khmer_articles(story, settings):
    """Each article a different Khmer sentence, written straight to the rows (a fixture)."""
    settings.PORTAL = {**settings.PORTAL, "PACKET_ARTICLES_PER_PART": 1}
    version = story.version
    status = version.status
    DraftVersion.objects.filter(pk=version.pk).update(status=DraftVersion.Status.WORKING)
    articles = list(story.consultation.articles.values())
    for article, text in zip(articles, SAMPLES, strict=False):
        article.refresh_from_db()
        article.text_km = text
        article.save()
    DraftVersion.objects.filter(pk=version.pk).update(status=status)
    version.refresh_from_db()
    return [article.text_km for article in articles]


@available
@pytest.mark.parametrize("language", ["km", "both"])
def test_pdftotext_gives_the_khmer_of_the_database(story, khmer_articles, language, tmp_path):
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language=language
    )
    pdf, pages = rendering.render_chunked(packet)
    extracted = normalised(pdftotext(pdf, tmp_path))
    assert len(khmer_articles) >= 3
    for text in khmer_articles:
        assert normalised(text) in extracted, text
    # The title too, in the running header of every page but the cover.
    assert extracted.count(normalised(story.consultation.draft.short_title_km)) >= pages - 1

    # Still a tagged PDF that a strict reader opens without complaint.
    assert pdfinfo(pdf, tmp_path)["Tagged"].strip() == "yes"
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.check_pdf_syntax() == []  # qpdf --check, through pikepdf
        assert len(document.pages) == pages


@available
def test_the_one_piece_render_has_the_same_text_layer(story, khmer_articles, tmp_path):
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="km"
    )
    pdf, _pages = rendering.render_single(packet)
    extracted = normalised(pdftotext(pdf, tmp_path))
    for text in khmer_articles:
        assert normalised(text) in extracted, text


def test_the_hook_refuses_a_weasyprint_it_was_not_checked_against(monkeypatch):
    import weasyprint

    monkeypatch.setattr(textlayer, "_installed", False)
    monkeypatch.setattr(weasyprint, "__version__", "99.0")
    with pytest.raises(textlayer.UnsupportedWeasyPrint):
        textlayer.install()


def test_actual_text_drops_only_the_added_break_opportunities():
    assert textlayer.actual_text(rendering.km(SAMPLES[1])) == SAMPLES[1]
