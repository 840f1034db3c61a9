"""A build's progress: stored as a code and counts, shown in the reader's language, only forward."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from packets import services
from packets.models import Packet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language_after():
    """A Khmer request leaves Khmer active in this thread (LocaleMiddleware does not reset it);
    later tests would then write their messages in Khmer."""
    yield
    translation.deactivate()


def record_stages(monkeypatch) -> list[tuple[str, int, int]]:
    """Every (stage, parts done, parts total) a reader polling the page could see, in order."""
    seen: list[tuple[str, int, int]] = []
    original = services._touch

    def touch(packet_id, token, **fields):
        done = original(packet_id, token, **fields)
        packet = Packet.objects.get(pk=packet_id)
        seen.append((packet.stage, packet.parts_done, packet.parts_total))
        return done

    monkeypatch.setattr(services, "_touch", touch)
    return seen


def test_progress_only_moves_forward_and_is_stored_as_a_code(
    story,
    enqueued,
    monkeypatch,
    settings,
):
    settings.PORTAL = {**settings.PORTAL, "PACKET_ARTICLES_PER_PART": 1}
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="both"
    )
    assert packet.stage == Packet.Stage.WAITING
    seen = record_stages(monkeypatch)
    token, count = services.packet_build_start(packet_id=packet.pk)
    assert count > 2
    # Parts finish in any order on several workers: render them backwards.
    for index in reversed(range(count)):
        services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    merge_token = Packet.objects.get(pk=packet.pk).merge_token
    services.packet_finish(packet_id=packet.pk, token=token, merge_token=merge_token)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY
    assert packet.stage == Packet.Stage.DONE

    order = [Packet.Stage.RENDERING, Packet.Stage.MERGING]
    stages = [order.index(stage) for stage, _done, _total in seen]
    done_counts = [done for stage, done, _total in seen if stage == Packet.Stage.RENDERING]
    assert stages == sorted(stages), seen
    assert done_counts == sorted(done_counts), seen
    assert {total for _stage, _done, total in seen} == {count}


@pytest.mark.parametrize(
    ("language", "rendering", "merging", "ready"),
    [
        (
            "en",
            "Rendering the parts: 3 of 12 done",
            "Putting the 12 parts together",
            "Built: 40 pages",
        ),
        ("km", "រួច ៣ ក្នុងចំណោម ១២", "ចំណែកទាំង ១២", "៤០"),
    ],
)
def test_progress_is_shown_in_the_readers_language_on_the_page_and_in_the_api(
    story, enqueued, api_client_for, language, rendering, merging, ready
):
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    web = Client()
    web.force_login(c.official)
    web.cookies["django_language"] = language
    api = api_client_for(c.official)
    status_url = reverse("packets:status", args=[packet.pk])
    api_url = reverse("api:packet-detail", args=[packet.pk])

    def shown(stage, **counts):
        Packet.objects.filter(pk=packet.pk).update(status="building", stage=stage, **counts)
        page = web.get(status_url).content.decode()
        data = api.get(api_url, HTTP_ACCEPT_LANGUAGE=language).json()
        assert data["stage"] == stage
        return page, data["progress"]

    page, progress = shown(Packet.Stage.RENDERING, parts_done=3, parts_total=12)
    assert rendering in page
    assert rendering in progress
    page, progress = shown(Packet.Stage.MERGING, parts_done=12, parts_total=12)
    assert merging in page
    assert merging in progress
    if language == "en":
        assert "Merging" not in page
    else:
        assert "Putting" not in page and "Putting" not in progress
    Packet.objects.filter(pk=packet.pk).update(status="ready", stage="done", page_count=40)
    data = api.get(api_url, HTTP_ACCEPT_LANGUAGE=language).json()
    assert ready in data["progress"]
