"""Packets recover by themselves: stalled parts and merges are sent again, never merged twice.

The tasks run in this process: a task's ``delay`` calls the service at once,
and on-commit callbacks (where the services send tasks) run as after a commit.
"""

import gc
import os
from datetime import timedelta

import psutil
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from packets import services, tasks
from packets.models import Packet, PacketPart

from .test_packets import build_inline, go_silent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Tasks sent, by name; parts and merges run at once, builds are only recorded."""
    log = []

    def render(packet_id, token, index):
        log.append(("part", index))
        return services.packet_render_part(packet_id=packet_id, token=token, index=index)

    def finish(packet_id, token, merge_token):
        log.append(("finish", merge_token))
        return services.packet_finish(packet_id=packet_id, token=token, merge_token=merge_token)

    monkeypatch.setattr(tasks.packet_build, "delay", lambda packet_id: log.append(("build",)))
    monkeypatch.setattr(tasks.packet_render_part, "delay", render)
    monkeypatch.setattr(tasks.packet_finish, "delay", finish)
    return log


def _request(story, language="en"):
    return services.packet_request(
        version=story.version, by=story.consultation.official, language=language
    )


def _api(user):
    client = Client()
    token, _created = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_a_silent_part_is_sent_again_by_the_recovery_and_the_packet_ends_ready(
    story, sent, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL = {**settings.PORTAL, "PACKET_PART_STALL_SECONDS": 30}
    packet = _request(story)
    token, count = services.packet_build_start(packet_id=packet.pk)
    assert count > 1
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(1, count):
            services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    # Part 0 was taken by a worker that was then killed: it beat once, 40 s ago.
    forty_ago = timezone.now() - timedelta(seconds=40)
    PacketPart.objects.filter(packet=packet, index=0).update(
        heartbeat_at=forty_ago, dispatched_at=forty_ago
    )
    assert sent == []
    # Recovery before the stall time sends nothing; after it, the part alone.
    assert services.packets_recover(now=forty_ago + timedelta(seconds=20)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.packets_recover() == 1
    assert sent[0] == ("part", 0)
    assert sent[1][0] == "finish"
    assert len(sent) == 2
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY, packet.error
    assert packet.attempts == 1
    assert default_storage.exists(packet.file.name)
    assert not PacketPart.objects.filter(packet=packet).exists()
    # Run again: nothing left to recover.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_recover() == 0


def test_two_recoveries_at_once_send_a_silent_part_once(story, sent):
    packet = _request(story)
    services.packet_build_start(packet_id=packet.pk)
    go_silent(packet)
    first = services.packets_recover()
    second = services.packets_recover()
    assert first == PacketPart.objects.filter(packet=packet).count()
    assert second == 0


def test_a_late_original_part_and_merge_do_not_merge_twice(
    story, sent, django_capture_on_commit_callbacks
):
    packet = _request(story)
    token, _count = services.packet_build_start(packet_id=packet.pk)
    # The original task of part 0 claimed it and went silent (a long pause, a lost worker).
    late_claim = services._claim_part(packet.pk, token, 0)
    assert late_claim is not None
    go_silent(packet)
    with django_capture_on_commit_callbacks(execute=True):
        services.packets_recover()  # sends part 0 (and the others) again
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY, packet.error
    merges = [entry for entry in sent if entry[0] == "finish"]
    assert len(merges) == 1
    ready_file = packet.file.name
    # The original part 0 finishes now: its file is dropped, nothing is merged again.
    late_name = services.part_name(packet.pk, token, 0, late_claim)
    default_storage.save(late_name, ContentFile(b"%PDF-late"))
    with django_capture_on_commit_callbacks(execute=True):
        late = services._part_done(
            packet.pk, token, 0, {"pages": 1, "anchors": {}, "bookmarks": [], "name": late_name}
        )
    assert late is None
    assert not default_storage.exists(late_name)
    # A redelivered merge (acks_late) and a merge under a replaced token change nothing.
    assert (
        services.packet_finish(packet_id=packet.pk, token=token, merge_token=merges[0][1]) is False
    )
    assert services.packet_finish(packet_id=packet.pk, token=token, merge_token="old") is False
    assert len([entry for entry in sent if entry[0] == "finish"]) == 1
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY
    assert packet.file.name == ready_file
    assert default_storage.exists(ready_file)


def test_a_silent_merge_is_sent_again_and_the_late_one_loses(
    story, sent, django_capture_on_commit_callbacks, monkeypatch
):
    packet = _request(story)
    token, count = services.packet_build_start(packet_id=packet.pk)
    # The first merge message is lost (the broker restarted empty).
    monkeypatch.setattr(tasks.packet_finish, "delay", lambda *args: sent.append(("lost",)))
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(count):
            services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    packet.refresh_from_db()
    first_merge = packet.merge_token
    assert first_merge
    assert packet.status == Packet.Status.BUILDING
    go_silent(packet)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_recover() == 1
    packet.refresh_from_db()
    second_merge = packet.merge_token
    assert second_merge != first_merge
    # The original merge turns up late: it may not finish.
    assert (
        services.packet_finish(packet_id=packet.pk, token=token, merge_token=first_merge) is False
    )
    assert services.packet_finish(packet_id=packet.pk, token=token, merge_token=second_merge)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY
    assert default_storage.exists(packet.file.name)
    assert (
        services.packet_finish(packet_id=packet.pk, token=token, merge_token=first_merge) is False
    )
    assert default_storage.exists(packet.file.name)


def test_a_lost_build_message_is_sent_again(story, sent, django_capture_on_commit_callbacks):
    packet = _request(story)
    assert services.packets_recover() == 0  # just requested: it is waiting its turn
    go_silent(packet)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_recover() == 1
        assert services.packets_recover() == 0  # sent once per stall
    assert sent == [("build",)]


def test_a_part_that_keeps_stalling_fails_the_packet(story, sent, settings):
    settings.PORTAL = {**settings.PORTAL, "PACKET_MAX_ATTEMPTS": 2}
    packet = _request(story)
    token, _count = services.packet_build_start(packet_id=packet.pk)
    for _round in range(3):
        services._claim_part(packet.pk, token, 0)  # taken, then the worker dies
        go_silent(packet)
        services.packets_recover()
    packet.refresh_from_db()
    assert packet.status == Packet.Status.FAILED
    assert "stopped making progress" in packet.error


def test_asking_again_for_a_stuck_packet_starts_a_new_build(
    story, sent, django_capture_on_commit_callbacks
):
    c = story.consultation
    with django_capture_on_commit_callbacks(execute=True):
        packet = _request(story)
    token, _count = services.packet_build_start(packet_id=packet.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert _request(story).reused is True  # alive: the same build
    go_silent(packet)
    packet.refresh_from_db()
    assert services.packet_is_stuck(packet)
    # The API shows it as failed, to retry.
    data = _api(c.official).get(reverse("api:packet-detail", args=[packet.pk])).json()
    assert data["status"] == "failed"
    assert data["retry_url"]
    page = Client()
    page.force_login(c.official)
    assert "Build it again" in page.get(reverse("packets:detail", args=[packet.pk])).text
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(story)
    assert again.pk == packet.pk
    assert again.reused is False
    again.refresh_from_db()
    assert again.status == Packet.Status.QUEUED
    assert again.build_token == ""
    assert sent == [("build",), ("build",)]
    # The old build's parts can no longer do anything.
    assert services.packet_render_part(packet_id=packet.pk, token=token, index=0) is None
    assert build_inline(packet.pk).status == Packet.Status.READY


def test_a_ready_packet_without_its_file_answers_404_and_is_built_again_when_asked(
    story, sent, django_capture_on_commit_callbacks
):
    c = story.consultation
    packet = build_inline(_request(story).pk)
    assert packet.status == Packet.Status.READY
    default_storage.delete(packet.file.name)
    api = _api(c.official)
    download = reverse("api:packet-download", args=[packet.pk])
    assert api.get(download).status_code == 404
    data = api.get(reverse("api:packet-detail", args=[packet.pk])).json()
    assert data["status"] == "failed"
    assert "missing" in data["error"]
    listed = api.get(reverse("api:version-packets", args=[story.version.pk])).json()
    assert listed["results"][0]["status"] == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        again = _request(story)
    assert again.pk == packet.pk
    assert again.reused is False
    assert sent == [("build",)]
    rebuilt = build_inline(packet.pk)
    assert rebuilt.status == Packet.Status.READY
    assert default_storage.exists(rebuilt.file.name)
    response = api.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"%PDF"
    # Once ready again, asking again returns it as it is.
    assert _request(story).reused is True


def test_the_api_retries_a_packet_whose_file_is_missing(
    story, sent, django_capture_on_commit_callbacks
):
    c = story.consultation
    packet = build_inline(_request(story).pk)
    api = _api(c.official)
    retry = reverse("api:packet-retry", args=[packet.pk])
    assert api.post(retry).status_code == 400  # ready and whole: nothing to retry
    default_storage.delete(packet.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(retry)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert sent == [("build",)]
    assert _api(c.stakeholder_a).post(retry).status_code in (403, 404)


def _open_under(root: str) -> list[str]:
    root = os.path.realpath(root)
    return [f.path for f in psutil.Process().open_files() if f.path.startswith(root)]


def test_merge_closes_the_part_files_and_deletes_them(story, sent, settings, monkeypatch):
    packet = _request(story)
    token, count = services.packet_build_start(packet_id=packet.pk)
    for index in range(count):
        services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    names = [part.result["name"] for part in PacketPart.objects.filter(packet=packet)]
    assert len(names) == count
    assert all(default_storage.exists(name) for name in names)
    before = _open_under(settings.MEDIA_ROOT)
    handles = []
    real_open = default_storage.open

    def recording_open(name, mode="rb"):
        handle = real_open(name, mode)
        handles.append(handle)
        return handle

    monkeypatch.setattr(default_storage, "open", recording_open)
    merge_token = Packet.objects.get(pk=packet.pk).merge_token
    # With the cycle collector off, only closing releases a file: nothing is left to chance.
    gc.disable()
    try:
        assert services.packet_finish(packet_id=packet.pk, token=token, merge_token=merge_token)
        still_open = _open_under(settings.MEDIA_ROOT)
    finally:
        gc.enable()
    assert still_open == before == []
    # Every part file the merge opened was closed by it, not left to the garbage collector.
    assert len(handles) == count
    assert all(handle.closed for handle in handles)
    assert not any(default_storage.exists(name) for name in names)


def test_the_same_message_delivered_again_takes_over_at_once(story, sent):
    packet = _request(story)
    token, _count = services.packet_build_start(packet_id=packet.pk)
    assert services._claim_part(packet.pk, token, 0, "task-1")
    # Another message for the part, while the first is alive: nothing to do.
    assert services._claim_part(packet.pk, token, 0, "task-2") is None
    # The first one's worker child was killed and its message requeued: it takes over.
    assert services._claim_part(packet.pk, token, 0, "task-1")


def test_a_build_planned_without_part_rows_is_planned_again(
    story, sent, django_capture_on_commit_callbacks
):
    """A build started by the release before part rows (mid-deploy) does not hang."""
    packet = _request(story)
    token, _count = services.packet_build_start(packet_id=packet.pk)
    PacketPart.objects.filter(packet=packet).delete()
    go_silent(packet)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_recover() == 1
        assert services.packets_recover() == 0
    assert sent == [("build",)]
    new_token, _count = services.packet_build_start(packet_id=packet.pk)
    assert new_token != token


def _build_parts(packet, token, count, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(count):
            services.packet_render_part(packet_id=packet.pk, token=token, index=index)


def test_comments_posted_during_a_build_are_left_for_the_next_packet(
    story, sent, django_capture_on_commit_callbacks
):
    """A campaign posting while a packet renders neither changes it half-way nor restarts it."""
    from comments import services as comment_services

    packet = _request(story)
    token, count = services.packet_build_start(packet_id=packet.pk)
    started = Packet.objects.get(pk=packet.pk)
    first = story.version.provisions.filter(kind="article").order_by("position").first()
    for n in range(3):
        comment_services.comment_create(
            by=story.consultation.stakeholder_b,
            version=story.version,
            provision=first,
            body=f"Posted while the packet is built, number {n}.",
        )
    _build_parts(packet, token, count, django_capture_on_commit_callbacks)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY
    assert packet.fingerprint == started.fingerprint
    assert (packet.attempts, packet.rebuilds) == (1, 0)
    # The packet is the record as of its start, and says so; asking again gives a new one.
    again = _request(story)
    assert again.pk != packet.pk and not again.reused


def test_a_decision_during_a_build_rebuilds_without_using_up_the_attempts(
    story, sent, django_capture_on_commit_callbacks, settings
):
    from comments import services as comment_services

    settings.PORTAL = {**settings.PORTAL, "PACKET_MAX_ATTEMPTS": 1, "PACKET_MAX_REBUILDS": 2}
    packet = _request(story)
    for round_ in range(3):
        token, count = services.packet_build_start(packet_id=packet.pk)
        comment_services.disposition_record(
            comment=story.public_comment,
            by=story.consultation.drafter,
            status="partly_accepted",
            response=f"We narrowed the definition (answer {round_}, during the build).",
        )
        _build_parts(packet, token, count, django_capture_on_commit_callbacks)
        packet.refresh_from_db()
        if round_ < 2:
            assert packet.status == Packet.Status.QUEUED, packet.error
            assert (packet.attempts, packet.rebuilds) == (0, round_ + 1)
    # Changing under every build, it stops after PACKET_MAX_REBUILDS with a retry offered.
    assert packet.status == Packet.Status.FAILED
    assert "kept changing" in packet.error
    assert services.packet_can_retry(packet)
    # Once the comments are quiet, a retry builds it.
    services.packet_retry(packet=packet, by=story.consultation.official)
    token, count = services.packet_build_start(packet_id=packet.pk)
    _build_parts(packet, token, count, django_capture_on_commit_callbacks)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.READY


def _parts_done_merge_lost(packet, sent, monkeypatch, django_capture_on_commit_callbacks):
    token, count = services.packet_build_start(packet_id=packet.pk)
    monkeypatch.setattr(tasks.packet_finish, "delay", lambda *args: sent.append(("lost",)))
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(count):
            services.packet_render_part(packet_id=packet.pk, token=token, index=index)
    packet.refresh_from_db()
    return token


def test_a_long_merge_beats_and_stops_when_the_recovery_replaced_it(
    story, sent, django_capture_on_commit_callbacks, monkeypatch
):
    """A merge slower than the stall time keeps beating; one whose token was replaced stops."""
    from packets import rendering

    packet = _request(story)
    token = _parts_done_merge_lost(packet, sent, monkeypatch, django_capture_on_commit_callbacks)
    merge_token = packet.merge_token
    beats = []
    real_merge = rendering.merge

    def slow_merge(*args, beat, **kwargs):
        def counting_beat():
            beats.append(Packet.objects.get(pk=packet.pk).heartbeat_at)
            beat()

        return real_merge(*args, beat=counting_beat, **kwargs)

    monkeypatch.setattr(rendering, "merge", slow_merge)
    go_silent(packet)
    assert services.packet_finish(packet_id=packet.pk, token=token, merge_token=merge_token)
    assert len(beats) >= 3  # after the front matter, every part, every stamped batch
    assert beats[-1] > beats[0]

    # A second build whose merge token the recovery replaces mid-merge stops at its next beat.
    again = _request(story, language="km")
    token = _parts_done_merge_lost(again, sent, monkeypatch, django_capture_on_commit_callbacks)
    stale = again.merge_token
    real_front = rendering.render_front

    def front_then_replaced(*args, **kwargs):
        result = real_front(*args, **kwargs)
        Packet.objects.filter(pk=again.pk).update(merge_token="replaced-by-the-recovery")
        return result

    monkeypatch.setattr(rendering, "render_front", front_then_replaced)
    assert services.packet_finish(packet_id=again.pk, token=token, merge_token=stale) is False
    again.refresh_from_db()
    assert again.status == Packet.Status.BUILDING and not again.file


def test_a_merge_that_keeps_going_silent_fails_the_packet_with_a_retry(
    story, sent, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.PORTAL = {**settings.PORTAL, "PACKET_MAX_ATTEMPTS": 2}
    packet = _request(story)
    _parts_done_merge_lost(packet, sent, monkeypatch, django_capture_on_commit_callbacks)
    for _ in range(2):
        go_silent(packet)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.packets_recover() == 1
    go_silent(packet)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packets_recover() == 0
    packet.refresh_from_db()
    assert packet.status == Packet.Status.FAILED
    assert "Merging the parts stopped making progress 2 times" in packet.error
    assert services.packet_can_retry(packet)
