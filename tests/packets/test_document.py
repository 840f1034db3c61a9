"""The packet as a working document: links, tags, language, metadata, sources, digits, marks.

Checked on the PDF itself, with pypdf and poppler's pdfinfo/pdftotext.
"""

import csv
import io
import re
import unicodedata
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from packets import rendering, services

from .conftest import KHMER_TEXT
from .poppler import available, pdfinfo, pdftotext

pytestmark = pytest.mark.django_db

poppler = available


@pytest.fixture
def many_parts(settings):
    settings.PORTAL = {**settings.PORTAL, "PACKET_ARTICLES_PER_PART": 1}


def packet_for(story, language, include_restricted=False):
    return services.packet_request(
        version=story.version,
        by=story.consultation.official,
        language=language,
        include_restricted=include_restricted,
    )


def contents_links(reader: PdfReader) -> list[int]:
    """Target page of every link on the contents page (page 2)."""
    targets = []
    for annotation in reader.pages[1].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        dest = annotation.get("/Dest")
        if dest is None and "/A" in annotation:
            dest = annotation["/A"].get("/D")
        if isinstance(dest, str):
            targets.append(reader.named_destinations[dest].page)
        else:
            targets.append(reader.get_page_number(dest[0].get_object()) if dest else None)
    return targets


@poppler
def test_a_multi_part_build_is_a_tagged_linked_document_marked_restricted(
    story, many_parts, tmp_path
):
    packet = packet_for(story, "both", include_restricted=True)
    pdf, pages = rendering.render_chunked(packet)
    reader = PdfReader(io.BytesIO(pdf))

    targets = contents_links(reader)
    assert len(targets) >= 6
    assert all(target is not None and 1 < target < pages for target in targets)
    assert targets == sorted(targets)  # the contents are in document order

    info = pdfinfo(pdf, tmp_path)
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == "Draft Law on Information Technology Crimes"
    assert info["Author"].strip() == "Ministry of Interior"
    assert info["CreationDate"].strip()
    assert reader.trailer["/Root"]["/Lang"] == "en"
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    document = tree["/K"].get_object()
    assert document["/S"] == "/Document"
    # Every page's marked content is found from the one parent tree, each page its own entry.
    keys = tree["/ParentTree"].get_object()["/Nums"][::2]
    page_keys = [page["/StructParents"] for page in reader.pages]
    assert len(set(page_keys)) == pages
    assert set(page_keys) <= set(keys)
    assert len(document["/K"]) >= len(rendering.PacketDocument(packet).parts) + 1

    page_texts = pdftotext(pdf, tmp_path).split("\f")[:pages]
    notice = "Restricted — for the drafters of Ministry of Interior"
    assert all(notice in text.replace("\n", " ") for text in page_texts)


def normalised(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", unicodedata.normalize("NFC", text))


KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"


@poppler
def test_a_khmer_packet_has_its_title_language_digits_and_exact_sources(
    story, many_parts, tmp_path
):
    packet = packet_for(story, "km")
    pdf, pages = rendering.render_chunked(packet)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "km"
    assert reader.metadata.title == story.consultation.draft.title_km

    # Page numbers in Khmer digits: the footer of every page, the contents' page column.
    page_texts = pdftotext(pdf, tmp_path).split("\f")[:pages]

    def khmer(n):
        return str(n).translate(str.maketrans("0123456789", KHMER_DIGITS))

    for number, text in enumerate(page_texts[1:], start=2):
        assert re.search(rf"{khmer(number)}\s+\S+\s+{khmer(pages)}", text), (number, text)
    contents_lines = reader.pages[1].extract_text().splitlines()[1:]
    assert contents_lines
    assert all(line.split()[-1].strip(KHMER_DIGITS) == "" for line in contents_lines), (
        contents_lines
    )

    # The Khmer text layer is not reliable (reordered glyphs): the exact sources are attached.
    files = reader.attachments
    xml_name = next(name for name in files if name.endswith("consolidated-text.xml"))
    csv_name = next(name for name in files if name.endswith("comment-response-matrix.csv"))
    root = ElementTree.fromstring(files[xml_name][0])  # noqa: S314 - the packet's own XML
    khmer = [el.text for el in root.iter("text") if el.get("lang") == "km"]
    assert khmer
    assert all(normalised(t) == normalised(KHMER_TEXT) for t in khmer)
    rows = list(csv.reader(io.StringIO(files[csv_name][0].decode("utf-8-sig"))))
    assert any("We narrowed the definition" in cell for row in rows for cell in row)


@poppler
def test_a_public_packet_links_threads_online_and_keeps_internal_ids_off_the_cover(
    story, many_parts, tmp_path
):
    from packets.fingerprint import TEMPLATE_VERSION

    packet = packet_for(story, "en")
    pdf, _pages = rendering.render_chunked(packet)
    reader = PdfReader(io.BytesIO(pdf))
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]
    assert any(uri.endswith(f"/comments/{story.public_comment.pk}/") for uri in uris)
    assert not any(uri.startswith(rendering.CONTENTS_SCHEME) for uri in uris)

    assert "Restricted —" not in pdftotext(pdf, tmp_path)
    cover = reader.pages[0].extract_text()
    assert TEMPLATE_VERSION not in cover
    assert f"packet-{packet.pk}" not in cover
    assert packet.fingerprint in cover.replace("\n", "")
