"""One packet, one download: the web page and the API answer with the same file and headers."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from packets import services
from packets.models import Packet

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stand-in for a built packet\n%%EOF\n"


@pytest.fixture
def ready_packet(story, monkeypatch):
    from packets import tasks

    monkeypatch.setattr(tasks.packet_build, "delay", lambda packet_id: None)
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="km"
    )
    packet.file.save(f"packets/{packet.fingerprint}.pdf", ContentFile(PDF), save=False)
    packet.status = Packet.Status.READY
    packet.save()
    return packet


def test_web_and_api_download_answer_alike(story, ready_packet):
    official = story.consultation.official
    web = Client()
    web.force_login(official)
    from_web = web.get(reverse("packets:download", args=[ready_packet.pk]))
    token, _ = Token.objects.get_or_create(user=official)
    from_api = Client().get(
        reverse("api:packet-download", args=[ready_packet.pk]),
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert from_web.status_code == from_api.status_code == 200
    assert b"".join(from_web.streaming_content) == b"".join(from_api.streaming_content) == PDF
    for header in ("Content-Type", "Content-Disposition", "X-Content-Type-Options"):
        assert from_web[header] == from_api[header], header
    assert from_web["Content-Type"] == "application/pdf"
    assert from_web["X-Content-Type-Options"] == "nosniff"
    version = ready_packet.version
    name = f"{version.draft.slug}-v{version.number}-km-{ready_packet.fingerprint[:8]}.pdf"
    assert from_web["Content-Disposition"] == f'attachment; filename="{name}"'
