"""Recording that a packet went to the National Assembly submits its version."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, PolicyDenied
from drafts import services as draft_services
from drafts.models import DraftVersion
from packets import services
from packets.models import Packet, Transmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_closed_packet(story):
    """A ready packet (its file is not needed here) of a version whose consultation closed."""
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    Packet.objects.filter(pk=packet.pk).update(status=Packet.Status.READY, page_count=12)
    draft_services.version_close(version=story.version)
    packet.refresh_from_db()
    return packet


def test_an_official_records_the_transmission_and_the_version_is_submitted(
    story, ready_closed_packet, client, django_assert_max_num_queries
):
    c = story.consultation
    when = timezone.now() - timedelta(days=1)
    record = services.packet_transmit(
        packet=ready_closed_packet, by=c.official, transmitted_at=when, reference="NA-2026/117"
    )
    story.version.refresh_from_db()
    assert story.version.status == DraftVersion.Status.SUBMITTED
    assert record.fingerprint == ready_closed_packet.fingerprint
    assert story.version.history.first().history_change_reason == (
        "Submitted to the National Assembly"
    )

    # The public version page says when and which packet; the record page says it all.
    page = client.get(reverse("comments:read_version", args=[c.draft.slug, 1]))
    assert ready_closed_packet.fingerprint[:12] in page.content.decode()
    with django_assert_max_num_queries(8):
        response = client.get(reverse("packets:transmission", args=[c.draft.slug, 1]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ready_closed_packet.fingerprint in body
    assert "NA-2026/117" in body
    assert reverse("packets:download", args=[ready_closed_packet.pk]) not in body  # anonymous


def test_a_version_is_transmitted_once_and_never_before_its_consultation_closes(
    story, ready_closed_packet
):
    c = story.consultation
    services.packet_transmit(packet=ready_closed_packet, by=c.official)
    with pytest.raises(DomainError):
        services.packet_transmit(packet=ready_closed_packet, by=c.official)
    assert Transmission.objects.count() == 1


def test_an_open_consultation_cannot_be_submitted(story):
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    Packet.objects.filter(pk=packet.pk).update(status=Packet.Status.READY)
    packet.refresh_from_db()
    with pytest.raises(DomainError):
        services.packet_transmit(packet=packet, by=c.official)
    story.version.refresh_from_db()
    assert story.version.status == DraftVersion.Status.IN_CONSULTATION
    assert not Transmission.objects.exists()


def test_only_officials_record_it_and_not_in_the_future(story, ready_closed_packet, client):
    c = story.consultation
    with pytest.raises(PolicyDenied):
        services.packet_transmit(packet=ready_closed_packet, by=c.drafter)
    with pytest.raises(DomainError):
        services.packet_transmit(
            packet=ready_closed_packet,
            by=c.official,
            transmitted_at=timezone.now() + timedelta(days=1),
        )
    client.force_login(c.official)
    url = reverse("packets:transmit", args=[ready_closed_packet.pk])
    bad = client.post(url, {"transmitted_at": "not a date"})
    assert bad.status_code == 400
    done = client.post(url, {"transmitted_at": "2026-01-05 10:00", "reference": "letter 12"})
    assert done.status_code == 302
    assert Transmission.objects.get().reference == "letter 12"
