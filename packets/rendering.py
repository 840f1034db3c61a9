"""HTML and PDF for review packets.

A packet is a cover, a table of contents, then sections (consolidated text,
redline, comments, matrix, statistics annex). The sections are cut into parts
(see ``selectors.plan_parts``) that start on a new page each, so that parts
can be rendered by different workers and put end to end:

1. each part is rendered alone, with the page margins but no header or footer,
   and reports its page count, where its headings fell, and its bookmarks;
2. the front matter (cover and contents) is rendered with the real page
   numbers, which are now known (twice if need be, until its length is stable);
3. the pieces are joined by ``pdfjoin``, streamed one at a time into the
   output file (the finish never holds the whole packet); the outline is
   rebuilt from the parts' bookmarks with their page offsets, and the running
   header and the "page X of Y" footer are drawn from an overlay rendered with
   the same page CSS, a bounded number of pages at a time.

``render_single_html`` builds the same content as one HTML document (native
``target-counter`` contents and ``counter(pages)`` footer); rendered in one
piece it gives the same pages, which the tests check and the benchmark
compares against.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import BinaryIO
from urllib.parse import urljoin
from xml.etree import ElementTree

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from comments.matrix import matrix_csv as response_matrix_csv
from comments.matrix import response_matrix
from comments.rendering import response_html
from comments.trace import changes_from_comments
from core.segment import ZERO_WIDTH_SPACE, khmer_break_opportunities
from drafts.redline import DELETE as DIFF_DELETE
from drafts.redline import INSERT as DIFF_INSERT
from drafts.redline import version_redline
from stakeholders.policies import packet_reader_filter

from . import pdfjoin, textlayer
from .fetcher import SCHEME, PacketURLFetcher
from .models import Packet
from .selectors import (
    Unit,
    attachment_numbers,
    attachments_for,
    document_units,
    earlier_packet,
    packet_statistics,
    plan_parts,
    threads_for,
)

# What a comment or a response may keep in the PDF: text structure only. No
# links, images, styles or attributes: nothing in user text can point anywhere.
PDF_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code"}

SECTION_TITLES = {
    "text": lambda: _("Consolidated text"),
    "redline": lambda: _("Changes since the earlier version"),
    "general": lambda: _("Comments on the whole draft"),
    "comments": lambda: _("Comments by article"),
    "matrix": lambda: _("Comment-response matrix"),
    "earlier": lambda: _("Record of the earlier round"),
    "synopsis": lambda: _("Synopsis: the earlier text, the new text, proposals and decisions"),
    "attachments": lambda: _("Files attached to the comments"),
    "annex": lambda: _("Statistics annex"),
}

# The contents rendered apart from the parts link to "packet-contents:<anchor>";
# ``merge`` turns each such link into a link to the anchor's page.
CONTENTS_SCHEME = "packet-contents:"

HIDE_MARGIN_BOXES = """
@page { @top-center { content: none } @bottom-center { content: none } }
"""
FOLIO_MARGIN_BOXES = """
@page { @top-center { content: element(header) } @bottom-center { content: element(folio) } }
"""


KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def numerals(value) -> str:
    """Numbers as the packet's reader writes them: Khmer digits in a Khmer packet.

    Decided by the active language, which the build sets to the packet's
    language (``packet_language``): a bilingual packet keeps Latin digits.
    """
    text = str(value)
    if translation.get_language() == "km":
        return text.translate(KHMER_DIGITS)
    return text


# Khmer punctuation that ends a phrase or sentence belongs to the word before it:
# a line never begins with it (ICU counts it as a word of its own).
KHMER_CLOSING = "\u17d4\u17d5\u17d6\u17da"


def km(text: str) -> str:
    """Khmer word boundaries marked with U+200B so that lines wrap between words."""
    text = khmer_break_opportunities(text or "")
    for mark in KHMER_CLOSING:
        text = text.replace(ZERO_WIDTH_SPACE + mark, mark)
    return text


def print_redline_html(ops) -> str:
    """A word diff for paper: paragraphs kept, changes readable in black and white.

    Deletions are bracketed (the brackets say "deleted" where colour is lost),
    a deletion and the insertion after it are set apart by a space, a line may
    break at every change boundary (a Khmer phrase has no spaces), and each
    line of the text stays a paragraph of its own, so numbered points stay apart.
    """
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for op, text in ops:
        for index, line in enumerate(text.split("\n")):
            if index:
                paragraphs.append([])
            if line:
                paragraphs[-1].append((op, line))
    html = []
    for runs in paragraphs:
        if not any(text.strip() for _op, text in runs):
            continue
        pieces = []
        previous = None
        for op, text in runs:
            if previous is not None and op != previous:
                changes = {op, previous}
                pieces.append(" " if changes == {DIFF_INSERT, DIFF_DELETE} else ZERO_WIDTH_SPACE)
            body = escape(km(text))
            if op == DIFF_DELETE:
                pieces.append(f"<del>[{body}]</del>")
            elif op == DIFF_INSERT:
                pieces.append(f"<ins>{body}</ins>")
            else:
                pieces.append(str(body))
            previous = op
        html.append("<p>" + "".join(pieces) + "</p>")
    return "".join(html)


def clean_user_html(html: str) -> str:
    """The page's rendering made print-safe: sanitised again right before the PDF (whatever
    the stored HTML says), without links, with Khmer break opportunities."""
    return km(nh3.clean(html or "", tags=PDF_TAGS, attributes={}, url_schemes=set()))


def css_string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def packet_language(packet: Packet) -> str:
    return "km" if packet.language == Packet.Language.KHMER else "en"


@dataclass
class PartResult:
    pages: int
    anchors: dict[str, int]
    bookmarks: list[tuple[int, str, int]]

    def as_dict(self) -> dict:
        return {"pages": self.pages, "anchors": self.anchors, "bookmarks": self.bookmarks}


class PacketDocument:
    """Everything the templates need for one packet, loaded a part at a time."""

    def __init__(self, packet: Packet):
        self.packet = packet
        self.version = packet.version
        self.draft = packet.version.draft
        self.units: list[Unit] = document_units(packet.version)

    @cached_property
    def parts(self) -> list[dict]:
        return plan_parts(self.packet, self.units)

    @property
    def languages(self) -> list[str]:
        if self.packet.language == Packet.Language.BOTH:
            return ["en", "km"]
        return [self.packet.language]

    @property
    def header_text(self) -> str:
        short = self.draft.short_title_en
        if self.packet.language != Packet.Language.ENGLISH and self.draft.short_title_km:
            short = (
                self.draft.short_title_km
                if self.packet.language == Packet.Language.KHMER
                else f"{short} · {self.draft.short_title_km}"
            )
        return km(
            _("%(title)s, version %(number)s")
            % {"title": short, "number": numerals(self.version.number)}
        )

    @property
    def title(self) -> str:
        """The document's title in the packet's language (its PDF title and HTML title)."""
        if self.packet.language == Packet.Language.KHMER and self.draft.title_km:
            return self.draft.title_km
        return self.draft.title_en

    @property
    def author(self) -> str:
        """Who issues the packet: the lead ministry, named in the packet's language."""
        ministry = self.draft.lead_ministry
        if self.packet.language == Packet.Language.KHMER and ministry.name_km:
            return ministry.name_km
        return ministry.name_en

    @property
    def restricted_notice(self) -> str:
        """Printed on every page of a packet that carries restricted comments."""
        if not self.packet.include_restricted:
            return ""
        return km(
            _(
                "Restricted — for the drafters of %(ministry)s, moderators and officials "
                "reviewing this draft; not for publication"
            )
            % {"ministry": self.author}
        )

    def thread_url(self, comment) -> str:
        """A thread's page online (its permalink checks who may see it)."""
        path = reverse("comments:permalink", kwargs={"pk": comment.pk})
        return urljoin(settings.PORTAL_BASE_URL.rstrip("/") + "/", path.lstrip("/"))

    def unit_label(self, unit: Unit) -> str:
        if unit.heading is None:
            return _("Preliminary provisions")
        return self.heading_label(unit.heading)

    def heading_label(self, provision) -> str:
        bits = [numerals(provision.label)]
        for language in self.languages:
            heading = getattr(provision, f"heading_{language}", "")
            if heading:
                bits.append(heading)
        return km(" · ".join(bits))

    # --- contents -------------------------------------------------------------------

    def toc_entries(self) -> list[dict]:
        """The contents: every section, its chapters, and the articles of the text."""
        entries = []
        sections = []
        for part in self.parts:
            if part["section"] not in sections:
                sections.append(part["section"])
        for section in sections:
            entries.append(
                {"level": 1, "label": SECTION_TITLES[section](), "anchor": f"s-{section}"}
            )
            if section in ("annex", "earlier", "attachments", "general"):
                continue
            for unit in self.units:
                entries.append(
                    {
                        "level": 2,
                        "label": self.unit_label(unit),
                        "anchor": f"{section}-{unit.anchor}",
                    }
                )
                if section == "text":
                    for article in unit.articles:
                        entries.append(
                            {
                                "level": 3,
                                "label": self.heading_label(article),
                                "anchor": f"{section}-{article.stable_id}",
                            }
                        )
        return entries

    # --- context per part -------------------------------------------------------------

    def base_context(self) -> dict:
        return {
            "packet": self.packet,
            "draft": self.draft,
            "version": self.version,
            "languages": self.languages,
            "bilingual": len(self.languages) == 2,
            "header_text": self.header_text,
            "restricted_notice": self.restricted_notice,
            "asset": SCHEME,
        }

    def front_context(self, pages: dict[str, int] | None, built_at) -> dict:
        entries = self.toc_entries()
        for entry in entries:
            if pages is None:  # one piece: WeasyPrint links and counts the pages itself
                entry["page"], entry["href"] = None, "#" + entry["anchor"]
            else:  # alone: the links are made internal when the pieces are merged
                entry["page"] = numerals(pages.get(entry["anchor"], ""))
                entry["href"] = CONTENTS_SCHEME + entry["anchor"]
        compare = self.packet.compare_to
        return {
            **self.base_context(),
            "title_en": self.draft.title_en,
            "title_km": km(self.draft.title_km),
            "built_at": built_at,
            "as_of": self.packet.started_at,
            "compare_to": compare,
            "toc": entries,
        }

    def part_html(self, part: dict, *, first_in_section: bool) -> str:
        section = part["section"]
        units = [self.units[i] for i in part["units"]]
        context = {
            **self.base_context(),
            "section": section,
            "section_title": SECTION_TITLES[section]() if first_in_section else "",
            "section_anchor": f"s-{section}",
        }
        if section == "text":
            context["units"] = [self._text_unit(u) for u in units]
        elif section == "redline":
            context["units"] = self._redline_units(units)
        elif section == "comments":
            context["blocks"] = self._comment_blocks(part, units)
        elif section == "general":
            context["blocks"] = self._general_blocks()
        elif section == "matrix":
            context["units"] = self._matrix_units(units)
        elif section == "earlier":
            context.update(self._earlier_round())
        elif section == "synopsis":
            context["units"] = self._synopsis_units(units)
        elif section == "attachments":
            context["attachments"] = self._attachments(*part["attachments"])
        elif section == "annex":
            context["stats"] = self._statistics()
        return render_to_string(f"packets/print/_{section}.html", context)

    def _text_unit(self, unit: Unit) -> dict:
        return {
            "anchor": unit.anchor,
            "label": self.unit_label(unit),
            "provisions": [
                {
                    "provision": p,
                    "label": self.heading_label(p),
                    "texts": [self._text_in(p, lang) for lang in self.languages],
                }
                for p in unit.provisions
                if p is not unit.heading
            ],
        }

    def _text_in(self, provision, language: str) -> dict:
        """A provision's text in ``language`` for the consolidated text, never silently empty.

        A missing translation is marked; a one-language packet then prints the other
        language's text under the mark (in that language), so the reader has the words.
        """
        text = getattr(provision, f"text_{language}", "")
        other = "en" if language == "km" else "km"
        other_text = getattr(provision, f"text_{other}", "")
        missing = not text and bool(other_text)
        return {
            "language": language,
            "text": km(text),
            "missing": missing,
            "fallback_language": other if missing and len(self.languages) == 1 else "",
            "fallback": km(other_text) if missing and len(self.languages) == 1 else "",
        }

    @cached_property
    def redline(self):
        return version_redline(old_version=self.packet.compare_to, new_version=self.version)

    @cached_property
    def comments_behind(self) -> dict[str, list]:
        """Per stable id, the comments behind its change, as the packet's reader may see them."""
        reader = packet_reader_filter(include_restricted=self.packet.include_restricted)
        trace = changes_from_comments(
            version=self.version, since=self.packet.compare_to, reader=reader
        )
        behind = {}
        for item in trace.changes:
            for entry in item.comments:
                entry.body_pdf = clean_user_html(entry.comment.body_html)
                entry.response_pdf = clean_user_html(str(entry.response_html))
            behind[item.stable_id] = item.comments
        return behind

    def _redline_units(self, units: list[Unit]) -> list[dict]:
        wanted = {u.index for u in units}
        unit_of = {p.stable_id: u.index for u in self.units for p in u.provisions}
        result: dict[int, dict] = {}
        current = 0
        for change in self.redline.changes:
            if change.new is not None:
                current = unit_of.get(change.stable_id, current)
            if current not in wanted:
                continue
            unit = self.units[current]
            block = result.setdefault(
                current, {"anchor": unit.anchor, "label": self.unit_label(unit), "changes": []}
            )
            if unit.heading is not None and change.stable_id == unit.heading.stable_id:
                block["heading_change"] = change
                continue
            block["changes"].append(
                {
                    "change": change,
                    "label": km(numerals(change.provision.label)),
                    "headings": [
                        {
                            "language": lang,
                            "html": mark_safe(print_redline_html(change.heading_ops(lang))),
                        }
                        for lang in self.languages
                    ],
                    "texts": [
                        {
                            "language": lang,
                            "html": mark_safe(print_redline_html(change.text_ops(lang))),
                        }
                        for lang in self.languages
                    ],
                    "behind": self.comments_behind.get(change.stable_id, []),
                }
            )
        blocks = [result[i] for i in sorted(result)]
        for block in blocks:
            block["status"] = unit_status(block.pop("heading_change", None), block["changes"])
        return blocks

    def _prepare_comment(self, comment) -> None:
        """The texts a printed comment shows, cleaned for the PDF."""
        comment.body_pdf = clean_user_html(comment.body_html)
        comment.proposed_pdf = km(
            "\n\n".join(t for t in (comment.proposed_text, comment.proposed_text_km) if t)
        )
        comment.quote_pdf = km(comment.quote_exact)
        comment.response_pdf = clean_user_html(response_html(getattr(comment, "disposition", None)))
        if comment.parent_id is None:
            comment.online_url = self.thread_url(comment)
        for attachment in getattr(comment, "attachment_list", ()):
            attachment.number = numerals(self.attachment_numbers.get(attachment.pk, ""))

    def _general_blocks(self) -> list[dict]:
        """The general comments (on the whole draft), thread by thread, as one block."""
        comments = threads_for(packet=self.packet, provision_ids=[])
        for comment in comments:
            self._prepare_comment(comment)
        return [
            {
                "kind": "provision",
                "anchor": "general",
                "label": _("The whole draft"),
                "continued": False,
                "threads": as_threads(comments),
            }
        ]

    def _comment_blocks(self, part: dict, units: list[Unit]) -> list[dict]:
        """Chapter headings, article headings and threads, in document order."""
        if "provision" in part:
            provision_ids = [part["provision"]]
            threads = tuple(part["threads"])
        else:
            provision_ids = part["provisions"]
            threads = None
        continued = threads is not None and threads[0] > 0
        comments = threads_for(packet=self.packet, provision_ids=provision_ids, threads=threads)
        by_provision: dict[int, list] = {}
        for comment in comments:
            self._prepare_comment(comment)
            by_provision.setdefault(comment.provision_id, []).append(comment)
        blocks = []
        for unit in units:
            for position, provision in enumerate(unit.provisions):
                if provision.pk not in provision_ids:
                    continue
                if position == 0 and not continued:
                    blocks.append(
                        {
                            "kind": "unit",
                            "anchor": unit.anchor,
                            "label": self.unit_label(unit),
                            "empty": not self.threads_per_unit.get(unit.index),
                        }
                    )
                items = by_provision.get(provision.pk)
                if items:
                    blocks.append(
                        {
                            "kind": "provision",
                            "anchor": provision.stable_id,
                            "label": self.heading_label(provision),
                            "continued": continued,
                            "threads": as_threads(items),
                        }
                    )
        return blocks

    @cached_property
    def attachment_numbers(self) -> dict[int, int]:
        return attachment_numbers(self.packet)

    def _attachments(self, offset: int, limit: int) -> list:
        """The annex of attachments: each file's name, type and size, its comment, its text.

        The text is what was extracted when the file was checked (``comments.attachments``),
        up to PORTAL["PACKET_ATTACHMENT_TEXT_CHARS"] characters; the file itself is
        online with its comment.
        """
        cap = int(settings.PORTAL.get("PACKET_ATTACHMENT_TEXT_CHARS", 20000))
        provisions = {p.pk: p for unit in self.units for p in unit.provisions}
        items = []
        for number, attachment in enumerate(
            attachments_for(self.packet, offset, limit), start=offset + 1
        ):
            comment = attachment.comment
            text = attachment.extracted_text or ""
            provision = provisions.get(comment.provision_id)
            items.append(
                {
                    "attachment": attachment,
                    "number": numerals(number),
                    "anchor": f"attachment-{attachment.pk}",
                    "comment_number": comment.pk,
                    "where": self.heading_label(provision) if provision else "",
                    "text": km(text[:cap]),
                    "cut": len(text) > cap,
                    "online_url": self.thread_url(comment),
                }
            )
        return items

    @cached_property
    def threads_per_unit(self) -> dict[int, int]:
        """How many threads each chapter has in this packet (one query), for "no comments"."""
        from .selectors import included_comments

        unit_of = {p.pk: u.index for u in self.units for p in u.provisions}
        counts: dict[int, int] = {}
        roots = included_comments(self.packet).filter(parent__isnull=True)
        for provision_id in roots.values_list("provision_id", flat=True).iterator():
            index = unit_of.get(provision_id)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        return counts

    @cached_property
    def matrix_rows(self):

        included = set(
            self.packet_comment_ids()
        )  # the packet's own rule decides, the matrix orders and numbers
        reader = packet_reader_filter(include_restricted=self.packet.include_restricted)
        rows = response_matrix(version=self.version, reader=reader)
        return [row for row in rows if row.comment_id in included]

    def packet_comment_ids(self):
        from .selectors import included_comments

        return (
            included_comments(self.packet).filter(parent__isnull=True).values_list("pk", flat=True)
        )

    def _matrix_units(self, units: list[Unit]) -> list[dict]:
        blocks = []
        groups = [(unit, {p.stable_id for p in unit.provisions}) for unit in units]
        if units and units[0].index == 0:
            groups.insert(0, (None, {""}))  # general comments (no provision) open the matrix
        for unit, ids in groups:
            rows = [row for row in self.matrix_rows if row.article_stable_id in ids]
            if unit is None and not rows:
                continue
            for row in rows:
                comment = row.comment
                amendment = comment is not None and comment.kind in ("amendment", "new_article")
                # An amendment: the words proposed, then why; a comment: its rendered text.
                row.proposed_pdf = (
                    km(
                        "\n\n".join(
                            t for t in (comment.proposed_text, comment.proposed_text_km) if t
                        )
                    )
                    if amendment
                    else ""
                )
                row.body_pdf = clean_user_html(comment.body_html) if comment else km(row.text)
                row.quote_pdf = km(row.quote)
                disposition = getattr(comment, "disposition", None) if comment else None
                row.response_pdf = clean_user_html(response_html(disposition))
            if unit is None:
                blocks.append({"anchor": "general", "label": _("The whole draft"), "rows": rows})
            else:
                blocks.append({"anchor": unit.anchor, "label": self.unit_label(unit), "rows": rows})
        return blocks

    @cached_property
    def earlier_rows_by_provision(self) -> dict[str, list]:
        """The compared version's threads (as the packet's reader sees them) per stable id."""
        reader = packet_reader_filter(include_restricted=self.packet.include_restricted)
        by_provision: dict[str, list] = {}
        for row in response_matrix(version=self.packet.compare_to, reader=reader):
            if row.state != "active":
                continue
            comment = row.comment
            row.proposed_pdf = km(comment.proposed_text) if comment.kind == "amendment" else ""
            row.body_pdf = clean_user_html(comment.body_html)
            row.response_pdf = clean_user_html(response_html(getattr(comment, "disposition", None)))
            by_provision.setdefault(row.article_stable_id, []).append(row)
        return by_provision

    @cached_property
    def synopsis_offsets(self) -> dict[int, int]:
        """Where each chapter's rows start in the synopsis, so row numbers run on across parts."""
        offsets, total = {}, 0
        for unit in self.units:
            offsets[unit.index] = total
            total += sum(len(item["rows"]) for item in self._synopsis_items(unit))
        return offsets

    def _synopsis_items(self, unit: Unit) -> list[dict]:
        return self.synopsis_items_by_unit.get(unit.index, [])

    @cached_property
    def synopsis_items_by_unit(self) -> dict[int, list[dict]]:
        """Per chapter, its changed articles with their paragraphs aligned, old beside new.

        A removed article stays where it was, in the chapter of the article before it
        (as in the redline).
        """
        unit_of = {p.stable_id: u.index for u in self.units for p in u.provisions}
        by_unit: dict[int, list[dict]] = {}
        current = 0
        for change in self.redline.changes:
            if change.new is not None:
                current = unit_of.get(change.stable_id, current)
            if change.is_unchanged or change.provision.kind != "article":
                continue
            rows = []
            for language in self.languages:
                old = getattr(change.old, f"text_{language}", "") if change.old else ""
                new = getattr(change.new, f"text_{language}", "") if change.new else ""
                rows += [
                    {"language": language, "old": km(a), "new": km(b)}
                    for a, b in aligned_paragraphs(old, new)
                ]
            by_unit.setdefault(current, []).append(
                {
                    "label": self.heading_label(change.provision),
                    "status": change.status,
                    "rows": rows,
                    "proposals": self.earlier_rows_by_provision.get(change.stable_id, []),
                }
            )
        return by_unit

    def _synopsis_units(self, units: list[Unit]) -> list[dict]:
        blocks = []
        for unit in units:
            number = self.synopsis_offsets[unit.index]
            items = self._synopsis_items(unit)
            for item in items:
                for row in item["rows"]:
                    number += 1
                    row["number"] = numerals(number)
            blocks.append({"anchor": unit.anchor, "label": self.unit_label(unit), "items": items})
        return blocks

    def _earlier_round(self) -> dict:
        """The consultation on the compared version: every thread's decision, and its fate.

        A reader of version N's packet sees what round N-1 asked and what the
        ministry decided, which responses were applied in this version, and
        which packet recorded that round (by fingerprint, with its address).
        """
        earlier = self.packet.compare_to
        reader = packet_reader_filter(include_restricted=self.packet.include_restricted)
        rows = [
            row for row in response_matrix(version=earlier, reader=reader) if row.state == "active"
        ]
        counts: dict[str, int] = {}
        for row in rows:
            comment = row.comment
            disposition = getattr(comment, "disposition", None) if comment else None
            row.response_pdf = clean_user_html(response_html(disposition))
            row.body_pdf = clean_user_html(comment.body_html) if comment else km(row.text)
            row.applied_here = row.landed_in == self.version.number
            counts[row.disposition] = counts.get(row.disposition, 0) + 1
        previous = earlier_packet(self.packet)
        return {
            "earlier": earlier,
            "rows": rows,
            "counts": sorted(counts.items(), key=lambda item: -item[1]),
            "applied": [row for row in rows if row.applied_here],
            "earlier_packet": previous,
            "earlier_packet_url": (
                urljoin(
                    settings.PORTAL_BASE_URL.rstrip("/") + "/",
                    reverse("packets:detail", kwargs={"pk": previous.pk}).lstrip("/"),
                )
                if previous
                else ""
            ),
        }

    def _statistics(self) -> dict:
        stats = packet_statistics(packet=self.packet, units=self.units)
        stats["by_unit"] = [(self.unit_label(unit), n) for unit, n in stats["by_unit"]]
        provisions = {p.pk: p for unit in self.units for p in unit.provisions}
        for campaign in stats["campaigns"]:
            provision = provisions.get(campaign["provision_id"])
            campaign["where"] = self.heading_label(provision) if provision else ""
            campaign["excerpt"] = km(campaign["excerpt"])
        stats["charts"] = [
            bar_chart(_("Comments by kind of organisation"), stats["by_kind"]),
            bar_chart(_("Comments by chapter"), stats["by_unit"]),
            bar_chart(_("Threads by disposition"), stats["by_disposition"]),
        ]
        return stats

    # --- whole documents ------------------------------------------------------------

    def document_html(self, body: str, *, folio: bool) -> str:
        return render_to_string(
            "packets/print/document.html",
            {
                **self.base_context(),
                "body": mark_safe(body),
                "folio": folio,
                "footer_css": footer_css() if folio else HIDE_MARGIN_BOXES,
                "lang": packet_language(self.packet),
                "title": self.title,
                "author": self.author,
                "created": (self.packet.started_at or timezone.now()).isoformat(),
                "counter_style": "khmer" if numerals(0) != "0" else "decimal",
            },
        )

    def front_html(self, pages: dict[str, int] | None, built_at) -> str:
        body = render_to_string("packets/print/_front.html", self.front_context(pages, built_at))
        return self.document_html(body, folio=False)

    def part_document_html(self, index: int) -> str:
        part = self.parts[index]
        first = not any(p["section"] == part["section"] for p in self.parts[:index])
        return self.document_html(
            '<div class="part">' + self.part_html(part, first_in_section=first) + "</div>",
            folio=False,
        )

    def single_html(self, built_at) -> str:
        body = [render_to_string("packets/print/_front.html", self.front_context(None, built_at))]
        seen = set()
        for part in self.parts:
            first = part["section"] not in seen
            seen.add(part["section"])
            body.append(
                '<div class="part">' + self.part_html(part, first_in_section=first) + "</div>"
            )
        return self.document_html("".join(body), folio=True)


def aligned_paragraphs(old: str, new: str) -> list[tuple[str, str]]:
    """The paragraphs of two texts side by side: kept and changed ones on one row,
    added ones beside an empty cell, removed ones likewise."""
    from difflib import SequenceMatcher

    a = [line for line in (old or "").split("\n") if line.strip()]
    b = [line for line in (new or "").split("\n") if line.strip()]
    rows: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += list(zip(a[i1:i2], b[j1:j2], strict=True))
        elif tag == "replace":
            left, right = a[i1:i2], b[j1:j2]
            width = max(len(left), len(right))
            left += [""] * (width - len(left))
            right += [""] * (width - len(right))
            rows += list(zip(left, right, strict=True))
        elif tag == "delete":
            rows += [(line, "") for line in a[i1:i2]]
        else:
            rows += [("", line) for line in b[j1:j2]]
    return rows


def as_threads(comments: list) -> list[dict]:
    """Comments in thread order grouped by thread: the first comment, then its replies.

    The ministry's decision is printed after the whole thread, so that a reply
    is never separated from the comment it answers by the decision box.
    """
    threads: list[dict] = []
    for comment in comments:
        if comment.parent_id is None or not threads:
            threads.append({"root": comment, "comments": []})
        threads[-1]["comments"].append(comment)
    return threads


def unit_status(heading_change, changes: list[dict]) -> str:
    """A chapter's mark in the redline, from its heading's change and its provisions'.

    A chapter whose heading stayed but whose articles changed, came or went is
    not "unchanged": it says how many of its provisions changed.
    """
    changed = sum(1 for item in changes if not item["change"].is_unchanged)
    if heading_change is not None and (heading_change.added or heading_change.removed):
        return heading_change.status
    own = "" if heading_change is None or heading_change.is_unchanged else heading_change.status
    if changed:
        provisions = ngettext("%(n)s provision changed", "%(n)s provisions changed", changed) % {
            "n": numerals(changed)
        }
        return f"{own} · {provisions}" if own else provisions
    return own or _("Unchanged")


def footer_css() -> str:
    page = pgettext("packet footer", "page")
    of = pgettext("packet footer", "of")
    style = "khmer" if numerals(0) != "0" else "decimal"
    return (
        "@page { @bottom-center { content: "
        f'{css_string(page)} " " counter(page, {style}) " " {css_string(of)} " "'
        f" counter(pages, {style}); }} }}"
    )


def folio_text(page: int, pages: int) -> str:
    return "%s %s %s %s" % (  # noqa: UP031 - the same words as footer_css
        pgettext("packet footer", "page"),
        numerals(page),
        pgettext("packet footer", "of"),
        numerals(pages),
    )


def bar_chart(title: str, data: list[tuple[str, int]]) -> dict:
    """Bar lengths for a horizontal bar chart drawn by templates/packets/print/_chart.html."""
    bar_width = 260
    top = max((n for _label, n in data), default=0) or 1
    bars = [
        {
            "label": label,  # whole: it wraps in its column (a cut label misleads)
            "n": n,
            "width": round(bar_width * n / top, 1),
            "value_x": round(bar_width * n / top, 1) + 4,
        }
        for label, n in data
    ]
    return {"title": title, "bars": bars, "plot_width": bar_width + 40}


# --- WeasyPrint ---------------------------------------------------------------------

# Every piece is a tagged PDF (structure, reading order, the language of each
# element); ``merge`` joins the pieces' tag trees into one.
PDF_OPTIONS = {"pdf_tags": True}


def _weasy(html: str):
    from weasyprint import HTML

    textlayer.install()
    fetcher = PacketURLFetcher()
    document = HTML(string=html, url_fetcher=fetcher).render()
    return document, fetcher


def render_part(doc: PacketDocument, index: int) -> tuple[bytes, PartResult]:
    """One part as PDF bytes, without header and footer, and where its headings fell."""
    document, _fetcher = _weasy(doc.part_document_html(index))
    anchors: dict[str, int] = {}
    bookmarks: list[tuple[int, str, int]] = []
    for page_index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, page_index)
        for level, label, _target, _state in page.bookmarks:
            bookmarks.append((level, label, page_index))
    pdf = document.write_pdf(**PDF_OPTIONS)
    return pdf, PartResult(pages=len(document.pages), anchors=anchors, bookmarks=bookmarks)


def render_front(doc: PacketDocument, results: list[dict], built_at) -> tuple[bytes, int, dict]:
    """Cover and contents with the real page numbers; returns (pdf, its pages, layout).

    The layout gives where each part starts and the total.
    """
    placeholder = {entry["anchor"]: 8888 for entry in doc.toc_entries()}
    front_pages = _weasy(doc.front_html(placeholder, built_at))[0].pages
    count = len(front_pages)
    for _attempt in range(3):
        starts, pages = [], {}
        page = count + 1
        for result in results:
            starts.append(page)
            for name, index in result["anchors"].items():
                pages.setdefault(name, page + index)
            page += result["pages"]
        document = _weasy(doc.front_html(pages, built_at))[0]
        if len(document.pages) == count:
            layout = {"starts": starts, "total": page - 1}
            return document.write_pdf(**PDF_OPTIONS), count, layout
        count = len(document.pages)
    raise RuntimeError("The table of contents did not settle on a length.")


def overlay_pdf(doc: PacketDocument, first: int, last: int, total: int) -> bytes:
    """Header and "page X of Y" for pages first..last (1-based), from the same page CSS."""
    html = render_to_string(
        "packets/print/overlay.html",
        {
            **doc.base_context(),
            "footer_css": FOLIO_MARGIN_BOXES,
            "lang": packet_language(doc.packet),
            "pages": [
                {"number": n, "folio": folio_text(n, total), "cover": n == 1}
                for n in range(first, last + 1)
            ],
        },
    )
    document, _fetcher = _weasy(html)
    return document.write_pdf()


def source_attachments(doc: PacketDocument) -> list[tuple[str, bytes]]:
    """The packet's sources as files inside the PDF: the consolidated text and the matrix.

    Text copied out of a PDF is only as good as the PDF's glyph-to-text map,
    and Khmer's reordered and stacked glyphs do not always survive it; the
    attached XML and CSV give the exact words of the database.
    """
    root = ElementTree.Element(
        "consolidated-text",
        {
            "draft": doc.draft.slug,
            "version": str(doc.version.number),
            "fingerprint": doc.packet.fingerprint,
        },
    )
    for unit in doc.units:
        for provision in unit.provisions:
            element = ElementTree.SubElement(
                root,
                "provision",
                {"id": provision.stable_id, "kind": provision.kind, "number": provision.number},
            )
            for language in ("en", "km"):
                for field_name in ("heading", "text"):
                    value = getattr(provision, f"{field_name}_{language}", "")
                    if value:
                        child = ElementTree.SubElement(element, field_name, {"lang": language})
                        child.text = value
    xml = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    stem = f"{doc.draft.slug}-v{doc.version.number}"
    return [
        (f"{stem}-consolidated-text.xml", xml),
        (f"{stem}-comment-response-matrix.csv", response_matrix_csv(doc.matrix_rows)),
    ]


def _pdf_date(moment) -> str:
    moment = timezone.localtime(moment, timezone.get_fixed_timezone(0))
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def merge(
    doc: PacketDocument,
    front: bytes,
    parts: list[bytes | Callable],
    results: list[dict],
    layout: dict,
    out: BinaryIO,
    beat=None,
) -> int:
    """Join the pieces into ``out``: one working document; returns its page count.

    ``parts`` are PDF bytes or callables returning a readable file, read one at
    a time and closed at once (a long-lived worker holds no part file open).
    ``pdfjoin`` streams them into ``out``, so the finish holds one part at a
    time, not the whole packet: the pieces' tag trees joined, the contents'
    entries linked to their pages, named destinations for every heading, the
    outline, headers and footers drawn over every page, the metadata in the
    packet's language, the sources attached, and one font subset per face.

    ``beat`` is called after every piece and every batch of overlay pages: a
    long merge keeps showing progress, so the recovery does not take it for a dead one.
    """
    beat = beat or (lambda: None)
    starts, total = layout["starts"], layout["total"]
    anchors: dict[str, int] = {}
    outline = [pdfjoin.OutlineItem(_("Contents"), 1 if total > 1 else 0, level=0, nests=False)]
    for result, start in zip(results, starts, strict=True):
        for name, index in result["anchors"].items():
            anchors.setdefault(name, start - 1 + index)
        outline += [
            pdfjoin.OutlineItem(label, start - 1 + index, level)
            for level, label, index in result["bookmarks"]
        ]
    created = _pdf_date(doc.packet.started_at or timezone.now())
    spec = pdfjoin.JoinSpec(
        language=packet_language(doc.packet),
        info={
            "/Title": doc.title,
            "/Author": doc.author,
            "/Subject": _("Review packet, content fingerprint %(fingerprint)s")
            % {"fingerprint": doc.packet.fingerprint},
            "/CreationDate": created,
            "/ModDate": _pdf_date(timezone.now()),
            "/Producer": "WeasyPrint and pikepdf",
        },
        outline=outline,
        anchors=anchors,
        attachments=sorted(source_attachments(doc)),
        contents_scheme=CONTENTS_SCHEME,
        file_id=f"{doc.packet.fingerprint}:{created}",
    )
    page_counts = [starts[0] - 1] + [result["pages"] for result in results]
    joiner = pdfjoin.Joiner(out, spec, page_counts)
    step = max(1, int(settings.PORTAL.get("PACKET_OVERLAY_PAGES", 200)))
    stamps: list[int] = []
    stamped = 0  # pages whose overlay has been rendered
    for piece, pages in zip([front, *parts], page_counts, strict=True):
        while len(stamps) < pages:
            last = min(total, stamped + step)
            stamps += joiner.add_overlay(overlay_pdf(doc, stamped + 1, last, total))
            stamped = last
            beat()
        if callable(piece):
            with piece() as handle:
                data = handle.read()
        else:
            data = piece
        joiner.add_piece(data, stamps[:pages])
        del data
        stamps = stamps[pages:]
        beat()
    pages = joiner.finish()
    beat()
    return pages


def render_chunked(packet: Packet, built_at=None) -> tuple[bytes, int]:
    """The whole packet part by part in this process (what the Celery tasks do, in line)."""
    built_at = built_at or timezone.now()
    with translation.override(packet_language(packet)):
        doc = PacketDocument(packet)
        pdfs, results = [], []
        for index in range(len(doc.parts)):
            pdf, result = render_part(doc, index)
            pdfs.append(pdf)
            results.append(result.as_dict())
        front, _count, layout = render_front(doc, results, built_at)
        out = io.BytesIO()
        pages = merge(doc, front, pdfs, results, layout, out)
        return out.getvalue(), pages


def render_single_html(packet: Packet, built_at=None) -> str:
    """The same packet as one HTML document, for a one-piece render (and the benchmark)."""
    with translation.override(packet_language(packet)):
        return PacketDocument(packet).single_html(built_at or timezone.now())


def render_single(packet: Packet, built_at=None) -> tuple[bytes, int]:
    """The packet rendered by WeasyPrint in one piece: fine for small drafts only.

    Tagged and with the same attached sources as a merged build, so that the
    two compare like for like.
    """
    from weasyprint import Attachment

    with translation.override(packet_language(packet)):
        doc = PacketDocument(packet)
        html = doc.single_html(built_at or timezone.now())
        attachments = [
            Attachment(string=data, base_url=None, name=name)
            for name, data in source_attachments(doc)
        ]
    document, _fetcher = _weasy(html)
    return document.write_pdf(attachments=attachments, **PDF_OPTIONS), len(document.pages)
