"""Review packets: reuse by fingerprint, the build steps, permissions, pages and the fetcher."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from comments import services as comment_services
from core.errors import PolicyDenied
from drafts import services as draft_services
from packets import rendering, services
from packets.fetcher import PacketURLFetcher
from packets.listeners import request_closing_packet
from packets.models import Packet

pytestmark = pytest.mark.django_db


def build_inline(packet_id: int) -> Packet:
    """What the tasks do, step by step in this process."""
    token, count = services.packet_build_start(packet_id=packet_id)
    for i in range(count):
        services.packet_render_part(packet_id=packet_id, token=token, index=i)
    merge_token = Packet.objects.get(pk=packet_id).merge_token
    services.packet_finish(packet_id=packet_id, token=token, merge_token=merge_token)
    return Packet.objects.get(pk=packet_id)


def go_silent(packet: Packet, seconds: int = 3600) -> None:
    """As if the worker building the packet was killed ``seconds`` ago."""
    from datetime import timedelta

    from django.utils import timezone

    from packets.models import PacketPart

    then = timezone.now() - timedelta(seconds=seconds)
    Packet.objects.filter(pk=packet.pk).update(heartbeat_at=then, dispatched_at=then)
    PacketPart.objects.filter(packet=packet).update(dispatched_at=then)
    PacketPart.objects.filter(packet=packet, heartbeat_at__isnull=False).update(heartbeat_at=then)


def test_second_request_reuses_the_packet_and_a_new_comment_makes_a_new_one(
    story, enqueued, django_capture_on_commit_callbacks
):
    c = story.consultation
    with django_capture_on_commit_callbacks(execute=True):
        first = services.packet_request(version=story.version, by=c.official, language="both")
    assert first.reused is False
    assert enqueued == [first.pk]
    with django_capture_on_commit_callbacks(execute=True):
        again = services.packet_request(version=story.version, by=c.drafter, language="both")
    assert again.pk == first.pk
    assert again.reused is True
    assert enqueued == [first.pk], "no second build"

    # Options are part of the identity.
    with django_capture_on_commit_callbacks(execute=True):
        english = services.packet_request(version=story.version, by=c.official, language="en")
    assert english.pk != first.pk

    comment_services.comment_create(
        by=c.stakeholder_a,
        version=story.version,
        provision=c.article,
        body="A new point.",
        posted_at=story.version.opens_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.packet_request(version=story.version, by=c.official, language="both")
    assert fresh.pk != first.pk
    assert fresh.reused is False
    assert fresh.fingerprint != first.fingerprint
    assert enqueued == [first.pk, english.pk, fresh.pk]


def test_a_disposition_changes_the_fingerprint_but_restricted_comments_only_count_when_included(
    story, enqueued
):
    c = story.consultation
    public_only = services.packet_request(version=story.version, by=c.official, language="en")
    with_restricted = services.packet_request(
        version=story.version, by=c.official, language="en", include_restricted=True
    )
    comment_services.disposition_record(
        comment=story.restricted_comment, by=c.drafter, status="rejected", response="No."
    )
    assert (
        services.packet_request(version=story.version, by=c.official, language="en").pk
        == public_only.pk
    )
    assert (
        services.packet_request(
            version=story.version, by=c.official, language="en", include_restricted=True
        ).pk
        != with_restricted.pk
    )


def test_closing_the_consultation_requests_one_packet_even_if_the_event_fires_twice(
    story, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert draft_services.version_close(version=story.version)
    packets = Packet.objects.filter(version=story.version)
    assert packets.count() == 1
    packet = packets.get()
    assert packet.requested_by is None
    assert packet.language == "both"
    assert packet.include_restricted
    with django_capture_on_commit_callbacks(execute=True):
        request_closing_packet(version_id=story.version.pk)  # the event again
    assert Packet.objects.filter(version=story.version).count() == 1
    assert enqueued == [packet.pk]


def test_permissions_to_request(story, enqueued):
    c = story.consultation
    for person in (c.stakeholder_a, c.anonymous, c.other_drafter):
        with pytest.raises(PolicyDenied):
            services.packet_request(version=story.version, by=person, language="en")
    # An official reads restricted comments; a moderator may not request at all.
    services.packet_request(
        version=story.version, by=c.official, language="en", include_restricted=True
    )
    with pytest.raises(PolicyDenied):
        services.packet_request(version=story.version, by=c.moderator, language="en")


def test_restricted_option_refused_to_someone_who_cannot_see_restricted(
    story, enqueued, monkeypatch
):
    from stakeholders import policies

    c = story.consultation
    # A requester allowed to request but not to read restricted comments (e.g. a
    # future role): the option is refused, and not offered on the form.
    monkeypatch.setitem(policies.RULES, "packet.include_restricted", lambda actor, obj: "no")
    with pytest.raises(PolicyDenied):
        services.packet_request(
            version=story.version, by=c.drafter, language="en", include_restricted=True
        )
    client_page = _client(c.drafter).get(
        reverse("packets:request", args=[c.draft.slug, story.version.number])
    )
    assert client_page.status_code == 200
    assert b"include_restricted" not in client_page.content


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_build_marks_ready_last_and_download_is_authorised(story, enqueued):
    c = story.consultation
    packet = services.packet_request(
        version=story.version, by=c.official, language="en", include_restricted=True
    )
    packet = build_inline(packet.pk)
    assert packet.status == Packet.Status.READY, packet.error
    assert packet.page_count >= 5
    assert packet.size_bytes > 1000
    assert default_storage.exists(packet.file.name)
    assert (
        not default_storage.listdir(f"packets/work/{packet.pk}")[1]
        if default_storage.exists(f"packets/work/{packet.pk}")
        else True
    )
    url = reverse("packets:download", args=[packet.pk])
    response = _client(c.official).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Confidential: our network operations" in text  # the restricted comment
    assert _client(c.stakeholder_a).get(url).status_code == 403
    assert _client(c.moderator).get(url).status_code == 403
    # A rebuild request finds it; the finished build is idempotent.
    assert services.packet_build_start(packet_id=packet.pk) is None


def test_packet_without_restricted_leaves_restricted_comments_out(story, enqueued):
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.drafter, language="en")
    packet = build_inline(packet.pk)
    with default_storage.open(packet.file.name, "rb") as handle:
        text = "".join(p.extract_text() for p in PdfReader(handle).pages)
    assert "too broad for small businesses" in text
    assert "Confidential" not in text


def test_stale_part_of_an_interrupted_attempt_does_nothing(story, enqueued):
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    old_token, _count = services.packet_build_start(packet_id=packet.pk)
    # A second message for a live build does nothing.
    assert services.packet_build_start(packet_id=packet.pk) is None
    # The worker died; the message was delivered again and a new attempt began.
    go_silent(packet)
    new_token, _count = services.packet_build_start(packet_id=packet.pk)
    assert new_token != old_token
    assert services.packet_render_part(packet_id=packet.pk, token=old_token, index=0) is None
    assert services.packet_finish(packet_id=packet.pk, token=old_token, merge_token="") is False
    packet.refresh_from_db()
    assert packet.status == Packet.Status.BUILDING
    assert not packet.file
    assert packet.attempts == 2


def test_a_packet_interrupted_too_often_fails_and_can_be_retried_from_its_page(
    story, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL = {**settings.PORTAL, "PACKET_MAX_ATTEMPTS": 1}
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    services.packet_build_start(packet_id=packet.pk)
    go_silent(packet)
    assert services.packet_build_start(packet_id=packet.pk) is None
    packet.refresh_from_db()
    assert packet.status == Packet.Status.FAILED
    assert "interrupted" in packet.error
    page = _client(c.official).get(reverse("packets:detail", args=[packet.pk]))
    assert b"Build it again" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(c.official).post(reverse("packets:retry", args=[packet.pk]))
    assert response.status_code == 302
    packet.refresh_from_db()
    assert packet.status == Packet.Status.QUEUED
    assert packet.attempts == 0
    assert enqueued[-1] == packet.pk
    assert (
        _client(c.stakeholder_a).post(reverse("packets:retry", args=[packet.pk])).status_code == 403
    )


def test_a_stuck_build_offers_retry(story, enqueued):
    from datetime import timedelta

    from django.utils import timezone

    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    services.packet_build_start(packet_id=packet.pk)
    packet.refresh_from_db()
    assert not services.packet_can_retry(packet)
    Packet.objects.filter(pk=packet.pk).update(heartbeat_at=timezone.now() - timedelta(hours=3))
    packet.refresh_from_db()
    assert services.packet_is_stuck(packet)
    services.packet_retry(packet=packet, by=c.official)
    packet.refresh_from_db()
    assert packet.status == Packet.Status.QUEUED


def test_pages(story, enqueued, django_assert_max_num_queries):
    c = story.consultation
    client = _client(c.official)
    request_url = reverse("packets:request", args=[c.draft.slug, story.version.number])
    page = client.get(request_url)
    assert page.status_code == 200
    assert b"include_restricted" in page.content
    response = client.post(request_url, {"language": "km", "include_restricted": "on"})
    packet = Packet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("packets:detail", args=[packet.pk])
    assert packet.language == "km"
    assert packet.include_restricted
    detail = client.get(response["Location"])
    assert b'hx-trigger="every 3s"' in detail.content
    assert b"Refresh" in detail.content
    status = client.get(reverse("packets:status", args=[packet.pk]))
    assert status.content.lstrip().startswith(b'<section id="packet-status"')
    for language in ("en", "both"):
        services.packet_request(version=story.version, by=c.official, language=language)
    list_url = reverse("packets:list", args=[c.draft.slug, story.version.number])
    with django_assert_max_num_queries(12):
        listing = client.get(list_url)
    assert listing.content.count(b'class="packet-item"') == 3
    stakeholder = _client(c.stakeholder_a)
    assert stakeholder.get(request_url).status_code == 403
    assert stakeholder.post(request_url, {"language": "en"}).status_code == 403
    assert stakeholder.get(list_url).status_code == 403
    assert stakeholder.get(reverse("packets:detail", args=[packet.pk])).status_code == 403


# --- the fetcher --------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()


def test_fetcher_serves_only_whitelisted_assets():
    fetcher = PacketURLFetcher()
    assert fetcher.fetch("packet-asset:packet.css").read().startswith(b"/*")
    assert fetcher.fetch("packet-asset:fonts/NotoSansKhmer-Regular.ttf").read(4)
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "https://example.org/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "packet-asset:../../settings.py",
        "packet-asset:/etc/passwd",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_urls_in_comment_html_are_never_fetched(story, enqueued, http_server):
    """Even if stored HTML carried images and links, the PDF build fetches nothing."""
    from comments.models import Comment

    base, hits = http_server
    c = story.consultation
    evil = (
        f'<p>See <img src="{base}/img.png"> and <img src="file:///etc/passwd">'
        f'<a href="{base}/link">link</a><img src="data:image/svg+xml,&lt;svg/&gt;">'
        f'<span style="background: url({base}/css)">x</span></p>'
    )
    Comment.objects.filter(pk=story.public_comment.pk).update(body_html=evil)
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    packet = build_inline(packet.pk)
    assert packet.status == Packet.Status.READY
    assert hits == []
    # The fetcher itself refuses them when they do reach WeasyPrint.
    from weasyprint import HTML

    fetcher = PacketURLFetcher()
    HTML(
        string=f'<img src="{base}/raw.png"><img src="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{base}/x.css">',
        url_fetcher=fetcher,
    ).render()
    assert hits == []
    assert any(u.startswith("file://") for u in fetcher.refused)
    assert any(u.startswith(base) for u in fetcher.refused)


def test_comment_html_is_sanitised_again():
    html = rendering.clean_user_html('<p onclick="x()">Hi <script>alert(1)</script><img src=x></p>')
    assert html == "<p>Hi </p>"


# --- parts and one piece ----------------------------------------------------------


def _folios(reader):
    return [re.findall(r"page (\d+) of (\d+)", page.extract_text()) for page in reader.pages]


def test_chunked_render_matches_the_one_piece_render(story, enqueued, settings):
    settings.PORTAL = {**settings.PORTAL, "PACKET_ARTICLES_PER_PART": 1}
    c = story.consultation
    # A second version with a redline, so every section is present.
    packet = services.packet_request(
        version=story.version, by=c.official, language="both", include_restricted=True
    )
    chunked, chunked_pages = rendering.render_chunked(packet)
    single, single_pages = rendering.render_single(packet)
    assert chunked_pages == single_pages
    chunked_reader, single_reader = PdfReader(io.BytesIO(chunked)), PdfReader(io.BytesIO(single))
    assert len(chunked_reader.pages) == len(single_reader.pages) == chunked_pages
    total = str(chunked_pages)
    expected = [[]] + [[(str(n), total)] for n in range(2, chunked_pages + 1)]
    assert _folios(chunked_reader) == expected
    assert _folios(single_reader) == expected

    # The contents give the same page numbers in both.
    def latin(text):  # text extraction orders Khmer glyph clusters differently per font subset
        return re.sub("[\u1780-\u17ff\u200b]", "", text)

    assert latin(chunked_reader.pages[1].extract_text()) == latin(
        single_reader.pages[1].extract_text()
    )

    def outline_titles(reader):
        out = []

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    out.append((item.title, reader.get_destination_page_number(item)))

        walk(reader.outline)
        return out

    single_outline = outline_titles(single_reader)
    chunked_outline = outline_titles(chunked_reader)
    assert [t for t in single_outline if t[0] != "Contents"] == [
        t for t in chunked_outline if t[0] != "Contents"
    ]


def _sample(name):
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name) or 0


def test_packet_build_time_and_failures_are_observed(
    story, enqueued, django_capture_on_commit_callbacks
):
    c = story.consultation
    builds = _sample("portal_packet_build_seconds_count")
    with django_capture_on_commit_callbacks(execute=True):
        packet = services.packet_request(version=story.version, by=c.official, language="en")
        packet = build_inline(packet.pk)
    assert packet.status == Packet.Status.READY, packet.error
    assert _sample("portal_packet_build_seconds_count") == builds + 1

    failures = _sample("portal_packet_failures_total")
    other = services.packet_request(
        version=story.version, by=c.official, language="km", include_restricted=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packet_fail(packet_id=other.pk, reason="broken")
        assert not services.packet_fail(packet_id=other.pk, reason="again")  # already failed
    assert _sample("portal_packet_failures_total") == failures + 1


def test_a_failed_build_tells_each_reader_why_in_their_language(story, enqueued, settings):
    from django.conf import settings as django_settings
    from django.utils import translation

    settings.PORTAL = {**settings.PORTAL, "PACKET_MAX_ATTEMPTS": 2}
    c = story.consultation
    packet = services.packet_request(version=story.version, by=c.official, language="en")
    for _attempt in range(2):
        services.packet_build_start(packet_id=packet.pk)
        go_silent(packet)
    # The worker that gives up runs in Khmer; the record keeps the reason in English.
    with translation.override("km"):
        assert services.packet_build_start(packet_id=packet.pk) is None
    packet.refresh_from_db()
    assert packet.error == "The build was interrupted 2 times; retry it from this page."
    english = _client(c.official).get(reverse("packets:detail", args=[packet.pk]))
    assert b"The build was interrupted 2 times" in english.content
    khmer_client = _client(c.official)
    khmer_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "km"
    khmer = khmer_client.get(reverse("packets:detail", args=[packet.pk])).content.decode()
    assert "ការរៀបចំត្រូវបានរំខាន ២ ដង" in khmer
    api = khmer_client.get(
        reverse("api:packet-detail", args=[packet.pk]), HTTP_ACCEPT_LANGUAGE="km"
    ).json()
    assert api["error"].startswith("ការរៀបចំត្រូវបានរំខាន ២ ដង")
