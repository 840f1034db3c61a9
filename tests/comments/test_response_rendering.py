"""One rendering of the ministry's response: Markdown made safe, the same on the thread page, on
the desk's pages and in the packet (where it is only made print-safe), never raw Markdown."""

import re

import pytest
from django.urls import reverse

from comments import services
from packets.models import Packet
from packets.rendering import PacketDocument

pytestmark = pytest.mark.django_db

RESPONSE = "A **major** improvement; see <script>x()</script> the definition."
RENDERED = "<strong>major</strong>"


@pytest.fixture
def answered(consultation):
    c = consultation
    comment = services.comment_create(
        by=c.stakeholder_a, version=c.version, provision=c.article, body="Define 'data'."
    )
    services.disposition_record(comment=comment, by=c.drafter, status="accepted", response=RESPONSE)
    return c, comment


def test_the_desk_pages_render_the_response_as_the_thread_page(answered, client):
    c, _comment = answered
    client.force_login(c.drafter)
    for url in (
        reverse("comments:article", args=[c.draft.slug, c.version.number, c.article.stable_id]),
        reverse("desk:review", args=[c.draft.slug, c.version.number]),
        reverse("desk:matrix", args=[c.draft.slug, c.version.number]),
    ):
        page = client.get(url).content.decode()
        # The answer forms hold the words as typed, to edit them; what is shown is rendered.
        page = re.sub(r"<textarea[^>]*>.*?</textarea>", "", page, flags=re.S)
        assert RENDERED in page, url
        assert "**major**" not in page, url
        assert "<script>x()" not in page, url


def test_the_packet_prints_the_same_rendering(answered):
    c, _comment = answered
    document = PacketDocument(
        Packet(version=c.version, language="en", include_restricted=True, fingerprint="r" * 64)
    )
    for section in ("comments", "matrix"):
        part = next(p for p in document.parts if p.get("section") == section)
        html = document.part_html(part, first_in_section=True)
        assert RENDERED in html, section
        assert "**major**" not in html, section
        assert "<script>" not in html, section
