"""The only way a packet render may load anything: a whitelist of the packet's own assets.

WeasyPrint would otherwise follow any URL in the HTML: a comment carrying
``<img src="http://10.0.0.1/admin">`` or ``file:///etc/passwd`` could make the
server fetch it (server-side request forgery) or embed a local file in a PDF
sent to the Assembly. User text is sanitised before it reaches the HTML, and
this fetcher is the second wall: it answers only ``packet-asset:`` URLs naming a
file in the whitelist below, read from disk, and refuses everything else
(file://, http(s)://, data:, ftp:, relative paths, unknown assets). It never
opens a network connection, so there is no redirect to follow.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

SCHEME = "packet-asset:"
NOTO_DIR = Path("/usr/share/fonts/truetype/noto")


def _assets() -> dict[str, tuple[Path, str]]:
    """Asset name → (file on disk, media type). Fonts come from Debian's fonts-noto-core."""
    static = Path(settings.BASE_DIR) / "static" / "packets"
    assets = {"packet.css": (static / "packet.css", "text/css")}
    for face in (
        "NotoSerif-Regular",
        "NotoSerif-Bold",
        "NotoSerif-Italic",
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoSerifKhmer-Regular",
        "NotoSerifKhmer-Bold",
        "NotoSansKhmer-Regular",
        "NotoSansKhmer-Bold",
    ):
        assets[f"fonts/{face}.ttf"] = (NOTO_DIR / f"{face}.ttf", "font/ttf")
    return assets


class AssetRefused(ValueError):
    """A URL outside the whitelist; WeasyPrint logs it and leaves the resource out."""


class PacketURLFetcher(URLFetcher):
    """Serves whitelisted ``packet-asset:`` URLs from disk and refuses every other URL."""

    def __init__(self):
        super().__init__(allowed_protocols=("packet-asset",), allow_redirects=False)
        self.assets = _assets()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        name = url[len(SCHEME) :].lstrip("/") if url.startswith(SCHEME) else None
        if name is None or name not in self.assets:
            self.refused.append(url)
            logger.warning("packet render refused to fetch %.200s", url)
            raise AssetRefused(f"refused: {url[:200]}")
        path, media_type = self.assets[name]
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": media_type})

    def open(self, url, data=None, timeout=None):
        # URLFetcher is also a urllib opener; never let that path reach the network.
        target = url.full_url if hasattr(url, "full_url") else url
        return self.fetch(target)
