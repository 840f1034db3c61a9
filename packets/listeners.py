"""Event listeners of review packets; imported from ``DraftsConfig.ready``."""

from core.events import listen


@listen("version.closed")
def request_closing_packet(version_id: int, **_payload) -> None:
    """When a consultation closes, the system requests its packet (in both languages)."""
    from .tasks import packet_request_for_closed_version

    packet_request_for_closed_version.delay(version_id)
