"""Text hygiene applied to everything people type, before it is stored."""

import re
import unicodedata

# Bidirectional overrides and isolates can make text display in a different
# order from the one stored (a "Trojan Source" trick); zero-width characters
# other than those Khmer needs hide words from search and review. ZWSP (U+200B)
# is kept: Khmer writers use it to mark word boundaries.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_user_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
