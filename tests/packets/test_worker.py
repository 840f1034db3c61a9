"""A real Celery worker on the real Redis builds a packet; the PDF is checked with pypdf."""

import re
import time

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from packets import services
from packets.models import Packet

from .conftest import KHMER_TITLE, tell_story

pytestmark = pytest.mark.services


def _fonts(reader) -> dict[str, bool]:
    """Every font used on any page, and whether its file is embedded."""
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font.get("/BaseFont"))] = embedded
    return fonts


def test_worker_builds_a_bilingual_packet(consultation, celery_worker_process, transactional_db):
    story = tell_story(consultation)
    packet = services.packet_request(
        version=story.version,
        by=consultation.official,
        language="both",
        include_restricted=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        packet.refresh_from_db()
        if packet.status in (Packet.Status.READY, Packet.Status.FAILED):
            break
        time.sleep(0.5)
    log = celery_worker_process["log"].read_text()
    assert packet.status == Packet.Status.READY, f"{packet.status} {packet.error}\n{log[-4000:]}"
    assert packet.parts_done == packet.parts_total > 1

    with default_storage.open(packet.file.name, "rb") as handle:
        reader = PdfReader(handle)
        pages = [page.extract_text() for page in reader.pages]
        text = re.sub(r"\s+", " ", "\n".join(pages))  # lines wrap inside the two columns
        compact = text.replace("\u200b", "").replace(" ", "").replace("\n", "")
        assert len(reader.pages) == packet.page_count
        assert "Nobody shall access a computer system without right." in text  # article text
        assert KHMER_TITLE[:18] in compact  # the Khmer title
        assert "too broad for small businesses" in text  # a comment
        assert "Partly accepted" in text
        assert "We narrowed the definition" in text
        assert "Comment-response matrix" in text
        assert f"page 2 of {packet.page_count}" in pages[1]
        outline = [item.title for item in reader.outline if not isinstance(item, list)]
        chapters = [
            item.title
            for group in reader.outline
            if isinstance(group, list)
            for item in group
            if not isinstance(item, list)
        ]
        assert "Consolidated text" in outline
        assert any(title.startswith("Chapter 1") for title in chapters)
        assert any(title.startswith("Chapter 2") for title in chapters)
        fonts = _fonts(reader)
        assert fonts, fonts
        assert all(fonts.values()), fonts
        assert any("Khmer" in name for name in fonts), fonts

    # Asked again with nothing changed: the same packet, at once.
    again = services.packet_request(
        version=story.version, by=consultation.drafter, language="both", include_restricted=True
    )
    assert again.pk == packet.pk
    assert again.reused


def test_parts_lost_with_the_broker_are_sent_again_and_the_worker_finishes(
    consultation, celery_worker_process, transactional_db
):
    """Redis restarted empty after the build was planned: the recovery sends the parts."""
    from .test_packets import go_silent

    story = tell_story(consultation)
    packet = Packet.objects.create(
        version=story.version,
        language="en",
        fingerprint="0" * 64,
        requested_by=consultation.official,
        status=Packet.Status.QUEUED,
    )
    # Planned here, and no message sent: as if the broker lost them all.
    services.packet_build_start(packet_id=packet.pk)
    go_silent(packet)
    assert services.packets_recover() == packet.parts.count() > 1
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        packet.refresh_from_db()
        if packet.status in (Packet.Status.READY, Packet.Status.FAILED):
            break
        time.sleep(0.5)
    log = celery_worker_process["log"].read_text()
    assert packet.status == Packet.Status.READY, f"{packet.status} {packet.error}\n{log[-4000:]}"
    assert default_storage.exists(packet.file.name)
    assert packet.attempts == 1
