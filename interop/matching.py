"""Give an imported tree the stable ids of the draft's provisions it continues.

Comments, quotes and redlines follow a provision by its stable id, so an article
that comes back from Word or Akoma Ntoso must get its id back. An imported
provision keeps the id of the provision of the latest version that is, in order:
the one its Akoma Ntoso eId names; the one with the same number and heading; the
only one with the same heading (a renumbered article); the one with the same number
and much the same text (a retitled article). Anything else is new and gets a new id
made the way the desk makes one (``chp_3__art_12``), never one the draft used before.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from django.utils.translation import gettext as _

from drafts.services import ProvisionSpec

from .parsed import STABLE_ID_PREFIX, ParsedDocument, ParsedProvision, Problem

_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,119}$")
SAME_TEXT = 0.6


def _norm(value: str) -> str:
    return " ".join((value or "").split()).casefold().rstrip(".:៖")


def _same_heading(item: ParsedProvision, base) -> bool:
    return any(
        _norm(getattr(item, f"heading_{lang}"))
        and _norm(getattr(item, f"heading_{lang}")) == _norm(getattr(base, f"heading_{lang}"))
        for lang in ("en", "km")
    )


def _similar_text(item: ParsedProvision, base) -> bool:
    for lang in ("en", "km"):
        new, old = getattr(item, f"text_{lang}"), getattr(base, f"text_{lang}")
        if new and old and SequenceMatcher(None, new, old, autojunk=False).ratio() >= SAME_TEXT:
            return True
    return False


class _Matcher:
    def __init__(self, base: list, taken: set[str]):
        self.base = base
        self.by_id = {p.stable_id: p for p in base}
        self.used: set[str] = set()
        self.taken = set(taken)

    def free(self, kind: str):
        return [p for p in self.base if p.kind == kind and p.stable_id not in self.used]

    def find(self, item: ParsedProvision):
        candidate = self.by_id.get(item.source_id)
        if (
            candidate is not None
            and candidate.kind == item.kind
            and item.source_id not in self.used
        ):
            return candidate, "identifier"
        free = self.free(item.kind)
        for base in free:
            if item.number and base.number == item.number and _same_heading(item, base):
                return base, "number_heading"
        same_heading = [base for base in free if _same_heading(item, base)]
        if len(same_heading) == 1:
            return same_heading[0], "heading"
        for base in free:
            if item.number and base.number == item.number and _similar_text(item, base):
                return base, "number_text"
        return None, ""

    def new_id(self, item: ParsedProvision, parent_id: str) -> str:
        if item.source_id and _VALID_ID.match(item.source_id) and item.source_id not in self.taken:
            return item.source_id
        base = f"{STABLE_ID_PREFIX[item.kind]}_{item.number or 'new'}"
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", base)
        if parent_id and item.kind in ("article", "section"):
            base = f"{parent_id}__{base}"
        stable_id, suffix = base, 0
        while stable_id in self.taken:
            suffix += 1
            stable_id = (
                f"{base}_{chr(ord('a') + suffix - 1)}" if suffix <= 26 else f"{base}_{suffix}"
            )
        return stable_id

    def assign(self, items: list[ParsedProvision], parent_id: str, missing: list[str]) -> None:
        for item in items:
            base, how = self.find(item)
            if base is not None:
                item.stable_id, item.matched = base.stable_id, how
                self.used.add(base.stable_id)
                for language in missing:
                    for name in ("heading", "text"):
                        setattr(item, f"{name}_{language}", getattr(base, f"{name}_{language}"))
            else:
                item.stable_id, item.matched = self.new_id(item, parent_id), ""
            self.taken.add(item.stable_id)
            self.assign(item.children, item.stable_id, missing)


def assign_stable_ids(parsed: ParsedDocument, *, base: list, taken: set[str]) -> None:
    """Set ``stable_id`` and ``matched`` on every provision of ``parsed`` (in place).

    ``base`` are the live provisions of the draft's latest version (empty for a new
    draft); ``taken`` every stable id the draft has ever used. A language the document
    does not have at all keeps the matched provisions' wording from ``base``.
    """
    missing = [lang for lang in ("en", "km") if lang not in parsed.languages] if base else []
    _Matcher(base, taken).assign(parsed.provisions, "", missing)
    if missing:
        parsed.problems.append(
            Problem(
                message=_(
                    "The document has no text in %(language)s: the matched provisions keep "
                    "their wording in that language from the latest version."
                )
                % {
                    "language": ", ".join(
                        _("English") if m == "en" else _("Khmer") for m in missing
                    )
                }
            )
        )


def to_specs(items: list[ParsedProvision]) -> list[ProvisionSpec]:
    return [
        ProvisionSpec(
            stable_id=item.stable_id,
            kind=item.kind,
            number=item.number,
            heading_en=item.heading_en,
            heading_km=item.heading_km,
            text_en=item.text_en,
            text_km=item.text_km,
            children=to_specs(item.children),
        )
        for item in items
    ]
