"""HTML and PDF for review packets.

A packet is a cover, a table of contents, then sections (consolidated text,
redline, comments, matrix, statistics annex). The sections are cut into parts
(see ``selectors.plan_parts``) that start on a new page each, so that parts
can be rendered by different workers and put end to end:

1. each part is rendered alone, with the page margins but no header or footer,
   and reports its page count, where its headings fell, and its bookmarks;
2. the front matter (cover and contents) is rendered with the real page
   numbers, which are now known (twice if need be, until its length is stable);
3. the pieces are merged with pypdf, the outline is rebuilt from the parts'
   bookmarks with their page offsets, and the running header and the
   "page X of Y" footer are stamped from an overlay rendered with the same
   page CSS, a bounded number of pages at a time.

``render_single_html`` builds the same content as one HTML document (native
``target-counter`` contents and ``counter(pages)`` footer); rendered in one
piece it gives the same pages, which the tests check and the benchmark
compares against.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from functools import cached_property

import nh3
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from comments.matrix import response_matrix
from comments.rendering import response_html
from comments.trace import changes_from_comments
from core.segment import khmer_break_opportunities
from drafts.redline import version_redline
from stakeholders.policies import packet_reader_filter

from .fetcher import SCHEME, PacketURLFetcher
from .models import Packet
from .selectors import Unit, document_units, packet_statistics, plan_parts, threads_for

# What a comment or a response may keep in the PDF: text structure only. No
# links, images, styles or attributes: nothing in user text can point anywhere.
PDF_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code"}

SECTION_TITLES = {
    "text": lambda: _("Consolidated text"),
    "redline": lambda: _("Changes since the earlier version"),
    "comments": lambda: _("Comments by article"),
    "matrix": lambda: _("Comment-response matrix"),
    "annex": lambda: _("Statistics annex"),
}

HIDE_MARGIN_BOXES = """
@page { @top-center { content: none } @bottom-center { content: none } }
"""
FOLIO_MARGIN_BOXES = """
@page { @top-center { content: element(header) } @bottom-center { content: element(folio) } }
"""


def km(text: str) -> str:
    """Khmer word boundaries marked with U+200B so that lines wrap between words."""
    return khmer_break_opportunities(text or "")


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
            _("%(title)s, version %(number)s") % {"title": short, "number": self.version.number}
        )

    def unit_label(self, unit: Unit) -> str:
        if unit.heading is None:
            return _("Preliminary provisions")
        return self.heading_label(unit.heading)

    def heading_label(self, provision) -> str:
        bits = [provision.label]
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
            if section == "annex":
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
            "asset": SCHEME,
        }

    def front_context(self, pages: dict[str, int] | None, built_at) -> dict:
        entries = self.toc_entries()
        for entry in entries:
            entry["page"] = pages.get(entry["anchor"], "") if pages is not None else None
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
        elif section == "matrix":
            context["units"] = self._matrix_units(units)
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
                block["status"] = change.status
                continue
            block["changes"].append(
                {
                    "change": change,
                    "label": km(change.provision.label),
                    "headings": [
                        mark_safe(km(change.heading_html(lang))) for lang in self.languages
                    ],
                    "texts": [mark_safe(km(change.text_html(lang))) for lang in self.languages],
                    "behind": self.comments_behind.get(change.stable_id, []),
                }
            )
        return [result[i] for i in sorted(result)]

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
            comment.body_pdf = clean_user_html(comment.body_html)
            comment.proposed_pdf = km(comment.proposed_text)
            comment.quote_pdf = km(comment.quote_exact)
            disposition = getattr(comment, "disposition", None)
            comment.response_pdf = clean_user_html(response_html(disposition))
            by_provision.setdefault(comment.provision_id, []).append(comment)
        blocks = []
        for unit in units:
            for position, provision in enumerate(unit.provisions):
                if provision.pk not in provision_ids:
                    continue
                if position == 0 and not continued:
                    blocks.append(
                        {"kind": "unit", "anchor": unit.anchor, "label": self.unit_label(unit)}
                    )
                items = by_provision.get(provision.pk)
                if items:
                    blocks.append(
                        {
                            "kind": "provision",
                            "anchor": provision.stable_id,
                            "label": self.heading_label(provision),
                            "continued": continued,
                            "comments": items,
                        }
                    )
        return blocks

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
        for unit in units:
            ids = {p.stable_id for p in unit.provisions}
            rows = [row for row in self.matrix_rows if row.article_stable_id in ids]
            for row in rows:
                row.text_pdf = km(row.text)
                row.quote_pdf = km(row.quote)
                disposition = getattr(row.comment, "disposition", None) if row.comment else None
                row.response_pdf = clean_user_html(response_html(disposition))
            blocks.append({"anchor": unit.anchor, "label": self.unit_label(unit), "rows": rows})
        return blocks

    def _statistics(self) -> dict:
        stats = packet_statistics(packet=self.packet, units=self.units)
        stats["by_unit"] = [(self.unit_label(unit), n) for unit, n in stats["by_unit"]]
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


def footer_css() -> str:
    page = pgettext("packet footer", "page")
    of = pgettext("packet footer", "of")
    return (
        "@page { @bottom-center { content: "
        f'{css_string(page)} " " counter(page) " " {css_string(of)} " " counter(pages); }} }}'
    )


def folio_text(page: int, pages: int) -> str:
    return "%s %s %s %s" % (  # noqa: UP031 - the same words as footer_css
        pgettext("packet footer", "page"),
        page,
        pgettext("packet footer", "of"),
        pages,
    )


def bar_chart(title: str, data: list[tuple[str, int]]) -> dict:
    """Bar lengths for a horizontal bar chart drawn by templates/packets/print/_chart.html."""
    bar_width = 260
    top = max((n for _label, n in data), default=0) or 1
    bars = [
        {
            "label": label if len(label) <= 40 else label[:39] + "…",
            "n": n,
            "width": round(bar_width * n / top, 1),
            "value_x": round(bar_width * n / top, 1) + 4,
        }
        for label, n in data
    ]
    return {"title": title, "bars": bars, "plot_width": bar_width + 40}


# --- WeasyPrint ---------------------------------------------------------------------


def _weasy(html: str):
    from weasyprint import HTML

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
    pdf = document.write_pdf()
    return pdf, PartResult(pages=len(document.pages), anchors=anchors, bookmarks=bookmarks)


def render_front(doc: PacketDocument, results: list[dict], built_at) -> tuple[bytes, int, dict]:
    """Cover and contents with the real page numbers; returns (pdf, its pages, part starts)."""
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
            return document.write_pdf(), count, {"starts": starts, "total": page - 1}
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


def merge(
    doc: PacketDocument,
    front: bytes,
    parts: list[bytes | str],
    results: list[dict],
    layout: dict,
    beat=None,
):
    """Put the pieces end to end, rebuild the outline and stamp headers and footers.

    ``parts`` are PDF bytes or callables returning a readable file, read one at
    a time. Every file and reader is closed as soon as its pages are copied, so
    a long-lived worker holds no part file open (a deleted part would otherwise
    stay on disk until the worker's child exits). ``beat`` is called after
    every part and every batch of stamped pages: a long merge keeps showing
    progress, so the recovery does not take it for a dead one.
    """
    beat = beat or (lambda: None)
    from pypdf import PdfReader, PdfWriter

    with PdfWriter() as writer:
        with PdfReader(io.BytesIO(front)) as reader:
            writer.append(reader, import_outline=False)
        for piece in parts:
            with contextlib.ExitStack() as stack:
                data = stack.enter_context(piece() if callable(piece) else io.BytesIO(piece))
                reader = stack.enter_context(PdfReader(data))
                writer.append(reader, import_outline=False)
            beat()
        total = len(writer.pages)
        step = max(1, int(settings.PORTAL.get("PACKET_OVERLAY_PAGES", 200)))
        for first in range(1, total + 1, step):
            last = min(total, first + step - 1)
            with PdfReader(io.BytesIO(overlay_pdf(doc, first, last, total))) as overlay:
                for offset, overlay_page in enumerate(overlay.pages):
                    writer.pages[first - 1 + offset].merge_page(overlay_page)
            beat()
        parents: list = []
        contents_label = _("Contents")
        writer.add_outline_item(title=contents_label, page_number=1 if total > 1 else 0)
        for result, start in zip(results, layout["starts"], strict=True):
            for level, label, index in result["bookmarks"]:
                while parents and parents[-1][0] >= level:
                    parents.pop()
                parent = parents[-1][1] if parents else None
                item = writer.add_outline_item(
                    title=label, page_number=start - 1 + index, parent=parent
                )
                parents.append((level, item))
        writer.add_metadata({"/Title": doc.draft.title_en, "/Subject": doc.packet.fingerprint})
        writer.page_mode = "/UseOutlines"
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue(), total


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
        return merge(doc, front, pdfs, results, layout)


def render_single_html(packet: Packet, built_at=None) -> str:
    """The same packet as one HTML document, for a one-piece render (and the benchmark)."""
    with translation.override(packet_language(packet)):
        return PacketDocument(packet).single_html(built_at or timezone.now())


def render_single(packet: Packet, built_at=None) -> tuple[bytes, int]:
    """The packet rendered by WeasyPrint in one piece: fine for small drafts only."""
    html = render_single_html(packet, built_at)
    document, _fetcher = _weasy(html)
    return document.write_pdf(), len(document.pages)
