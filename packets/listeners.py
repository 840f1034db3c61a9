"""Event listeners of review packets; imported from ``PacketsConfig.ready``."""

from core.events import listen


@listen("version.closed")
def request_closing_packet(version_id: int, **_payload) -> None:
    """When a consultation closes, the system requests its packet (in both languages)."""
    from .tasks import packet_request_for_closed_version

    packet_request_for_closed_version.delay(version_id)


@listen("packet.requested")
def build_requested_packet(packet_id: int, **_payload) -> None:
    """A packet was requested (or queued again): enqueue its build.

    May run twice (the outbox delivers at least once); the build claims the
    packet under a token and does nothing for a packet already built.
    """
    from .tasks import packet_build

    packet_build.delay(packet_id)
