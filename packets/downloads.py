"""The one way a packet file is answered, for the web page and the API alike."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from .models import Packet


def packet_filename(packet: Packet) -> str:
    """``<draft>-v<number>-<language>-<fingerprint>.pdf``: says what it is, and which build."""
    version = packet.version
    return f"{version.draft.slug}-v{version.number}-{packet.language}-{packet.fingerprint[:8]}.pdf"


def packet_file_response(packet: Packet) -> FileResponse:
    """The PDF of a ready packet as a private attachment.

    The caller has authorised the download and checked the packet is ready;
    a missing file raises ``FileNotFoundError`` for the caller to answer.
    """
    handle = default_storage.open(packet.file.name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=packet_filename(packet),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
