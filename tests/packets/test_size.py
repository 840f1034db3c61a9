"""A multi-part build is about the size of a one-piece render of the same content.

pypdf writes a stamped page's content uncompressed; ``merge`` compresses every
page after stamping. Without that, merged packets were several times the size.
"""

import os

import pytest

from packets import rendering, services

pytestmark = pytest.mark.django_db

MAX_RATIO = 1.2


def test_a_small_multi_part_build_is_about_the_size_of_its_one_piece_render(story):
    packet = services.packet_request(
        version=story.version, by=story.consultation.official, language="both"
    )
    assert len(rendering.PacketDocument(packet).parts) > 1
    merged, merged_pages = rendering.render_chunked(packet)
    single, single_pages = rendering.render_single(packet)
    assert merged_pages == single_pages
    assert len(merged) <= MAX_RATIO * len(single), (len(merged), len(single))


@pytest.mark.skipif(
    not os.environ.get("PACKET_SLOW_TESTS"),
    reason="renders the demo's whole packet twice (minutes); set PACKET_SLOW_TESTS=1",
)
def test_the_demo_packet_merged_is_at_most_1_2_times_the_one_piece_render():
    from demo.loader import load_demo
    from drafts.models import DraftVersion
    from stakeholders.models import User

    load_demo()
    version = DraftVersion.objects.exclude(status=DraftVersion.Status.WORKING).latest("number")
    earlier = version.draft.versions.filter(number=1).first()
    packet = services.packet_request(
        version=version,
        by=User.objects.get(username="drafter"),
        language="both",
        compare_to=earlier if earlier != version else None,
        include_restricted=True,
    )
    merged, merged_pages = rendering.render_chunked(packet)
    single, single_pages = rendering.render_single(packet)
    print(f"merged {len(merged)} bytes, one piece {len(single)} bytes, {merged_pages} pages")
    assert merged_pages == single_pages
    assert len(merged) <= MAX_RATIO * len(single), (len(merged), len(single))
