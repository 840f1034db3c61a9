"""Word (.docx): a version for ministry lawyers, a redline with tracked changes, and drafts read back.

The export writes each language in turn: the title, then every part, chapter, section
and article as a heading ("Article 12: Illegal access", "មាត្រា ១២៖ ...") followed by its
paragraphs, the lines of a paragraph kept apart by line breaks. The reader recognises
the same headings in English and Khmer (ជំពូក, មាត្រា, Khmer or Latin numerals, Roman
chapter numbers) in the way ministries write them, numbered lists (Word's own
numbering is resolved to the numbers it shows), tables (kept as lines of text) and
footnotes (listed as not imported), and reports everything it could not place.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree

from core.errors import DomainError
from drafts.redline import DELETE, INSERT

from .parsed import ParsedDocument, ParsedProvision, Problem, label
from .text import point_parts, split_text, to_khmer_digits, to_latin_digits

KHMER_FONT = "Noto Serif Khmer"
AUTHOR = "Consultation portal"
# An upload is refused before parsing when its parts would unpack to more than this.
MAX_UNPACKED_BYTES = 60 * 1024 * 1024

KIND_WORDS = {
    "en": {"part": "Part", "chapter": "Chapter", "section": "Section", "article": "Article"},
    "km": {"part": "ភាគទី", "chapter": "ជំពូកទី", "section": "ផ្នែកទី", "article": "មាត្រា"},
}
_KHMER_LETTER = re.compile(r"[\u1780-\u17ff]")
_NUMBER = r"([0-9០-៩]+[a-zA-Z]?|[IVXLC]+)"
_SEPARATOR = r"(?:\s*(?:[.:៖\-–—]+|\.-)\s*|\s+|$)"
HEADING_PATTERNS = [
    (
        "en",
        re.compile(
            rf"^(part|chapter|section|article|art\.)\s+{_NUMBER}{_SEPARATOR}(.*)$",
            re.IGNORECASE | re.DOTALL,
        ),
    ),
    ("km", re.compile(rf"^(ភាគ|ជំពូក|ផ្នែក|មាត្រា)\s*(?:ទី)?\s*{_NUMBER}{_SEPARATOR}(.*)$", re.DOTALL)),
]
KIND_OF = {
    "part": "part",
    "chapter": "chapter",
    "section": "section",
    "article": "article",
    "art.": "article",
    "ភាគ": "part",
    "ជំពូក": "chapter",
    "ផ្នែក": "section",
    "មាត្រា": "article",
}
DEPTH = {"part": 0, "chapter": 1, "section": 2, "article": 3}
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _roman_to_int(value: str) -> int:
    total = 0
    for index, char in enumerate(value):
        amount = ROMAN[char]
        if index + 1 < len(value) and ROMAN[value[index + 1]] > amount:
            total -= amount
        else:
            total += amount
    return total


def heading_label(kind: str, number: str, heading: str, language: str) -> str:
    word = KIND_WORDS[language][kind]
    if language == "km":
        shown = f"{word} {to_khmer_digits(number)}".strip() if number else word
        return f"{shown}៖ {heading}" if heading else shown
    shown = f"{word} {number}".strip()
    return f"{shown}: {heading}" if heading else shown


# --- writing ------------------------------------------------------------------------------


def _new_document(title: str):
    document = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        fonts = document.styles[name].element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:cs"), KHMER_FONT)
    document.core_properties.title = title
    document.core_properties.author = AUTHOR
    return document


def _mark_khmer(paragraph) -> None:
    for run in paragraph.runs:
        r_pr = run._r.get_or_add_rPr()
        r_pr.get_or_add_rFonts().set(qn("w:hint"), "cs")
        language = OxmlElement("w:lang")
        language.set(qn("w:bidi"), "km-KH")
        r_pr.append(language)


def _text_paragraphs(document, text: str, language: str) -> None:
    for paragraph in split_text(text):
        word_paragraph = document.add_paragraph()
        for index, line in enumerate(paragraph.text.split("\n")):
            run = word_paragraph.add_run(line)
            if index:
                run._r.insert(0, OxmlElement("w:br"))
        if language == "km":
            _mark_khmer(word_paragraph)


def _depths(provisions: list) -> dict[int, int]:
    depth: dict[int, int] = {}
    for provision in provisions:
        depth[provision.pk] = depth.get(provision.parent_id, -1) + 1 if provision.parent_id else 0
    return depth


def version_docx(version, provisions: list) -> bytes:
    """``version`` in English, then in Khmer, as a Word document (bytes)."""
    draft = version.draft
    depth = _depths(provisions)
    document = _new_document(draft.title_en)
    with override("en"):
        document.core_properties.subject = _("Version %(number)s") % {"number": version.number}
    for index, language in enumerate(("en", "km")):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        title = document.add_paragraph(getattr(draft, f"title_{language}") or draft.title_en)
        title.style = document.styles["Title"]
        if language == "km":
            _mark_khmer(title)
        for provision in provisions:
            heading = document.add_heading(
                heading_label(
                    provision.kind,
                    provision.number,
                    getattr(provision, f"heading_{language}"),
                    language,
                ),
                level=min(depth[provision.pk] + 1, 4),
            )
            if language == "km":
                _mark_khmer(heading)
            _text_paragraphs(document, getattr(provision, f"text_{language}"), language)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Tracker:
    """Writes runs inside w:ins / w:del so Word shows them as tracked changes."""

    def __init__(self):
        self.next_id = 1
        self.date = timezone.now().replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add(self, paragraph, op: str, text: str) -> None:
        if not text:
            return
        if op in (INSERT, DELETE):
            holder = OxmlElement("w:ins" if op == INSERT else "w:del")
            holder.set(qn("w:id"), str(self.next_id))
            holder.set(qn("w:author"), AUTHOR)
            holder.set(qn("w:date"), self.date)
            self.next_id += 1
            paragraph._p.append(holder)
        else:
            holder = paragraph._p
        text_tag = "w:delText" if op == DELETE else "w:t"
        for index, piece in enumerate(text.split("\n")):
            run = OxmlElement("w:r")
            if index:
                run.append(OxmlElement("w:br"))
            if piece:
                node = OxmlElement(text_tag)
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                node.text = piece
                run.append(node)
            holder.append(run)


def redline_docx(redline) -> bytes:
    """The changes between two versions, both languages, as tracked insertions and deletions."""
    old, new = redline.old_version, redline.new_version
    draft = new.draft
    tracker = _Tracker()
    document = _new_document(draft.title_en)
    for index, language in enumerate(("en", "km")):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        with override(language):
            caption = _("Changes from version %(old)s to version %(new)s") % {
                "old": old.number,
                "new": new.number,
            }
        title = document.add_paragraph(
            f"{getattr(draft, f'title_{language}') or draft.title_en}\n{caption}"
        )
        title.style = document.styles["Title"]
        for change in redline.changes:
            provision = change.provision
            heading = document.add_heading(level=2 if provision.kind == "article" else 1)
            number_ops = []
            if change.old is not None and change.new is not None and change.renumbered:
                number_ops = [(DELETE, change.old.number), (INSERT, change.new.number)]
            shown_number = provision.number
            prefix = heading_label(provision.kind, "" if number_ops else shown_number, "", language)
            whole = INSERT if change.added else DELETE if change.removed else None
            tracker.add(heading, whole or "equal", prefix)
            for op, text in number_ops:
                tracker.add(
                    heading, op, " " + (to_khmer_digits(text) if language == "km" else text)
                )
            heading_ops = change.heading_ops(language)
            if any(text for _op, text in heading_ops):
                tracker.add(heading, whole or "equal", "៖ " if language == "km" else ": ")
                for op, text in heading_ops:
                    tracker.add(heading, op, text)
            body = document.add_paragraph()
            for op, text in change.text_ops(language):
                tracker.add(body, op, text)
            if language == "km":
                _mark_khmer(heading)
                _mark_khmer(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- reading ------------------------------------------------------------------------------


def _int_to_roman(value: int) -> str:
    out = ""
    for amount, letters in (
        (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while value >= amount:
            out += letters
            value -= amount
    return out


_FORMATTERS = {
    "decimal": str,
    "lowerLetter": lambda n: chr(ord("a") + (n - 1) % 26),
    "upperLetter": lambda n: chr(ord("A") + (n - 1) % 26),
    "lowerRoman": lambda n: _int_to_roman(n).lower(),
    "upperRoman": _int_to_roman,
}


class _Numbering:
    """The numbers Word shows before its numbered paragraphs ("1.", "(a)")."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {}
        for node in root.findall(qn("w:abstractNum")):
            levels = {}
            for level in node.findall(qn("w:lvl")):
                start = level.find(qn("w:start"))
                fmt = level.find(qn("w:numFmt"))
                text = level.find(qn("w:lvlText"))
                levels[int(level.get(qn("w:ilvl")))] = (
                    int(start.get(qn("w:val"))) if start is not None else 1,
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for node in root.findall(qn("w:num")):
            ref = node.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[node.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    @staticmethod
    def _num_pr(paragraph):
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None:
            return p_pr.numPr
        style = paragraph.style
        while style is not None:
            s_pr = style.element.pPr
            if s_pr is not None and s_pr.numPr is not None:
                return s_pr.numPr
            style = style.base_style
        return None

    def label(self, paragraph) -> str | None:
        """The paragraph's number as shown, "" for a bullet, None when it is not numbered."""
        num_pr = self._num_pr(paragraph)
        if num_pr is None or num_pr.numId is None:
            return None
        num_id = str(num_pr.numId.val)
        if num_id == "0" or num_id not in self.levels:
            return None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        levels = self.levels[num_id]
        counters = self.counters.setdefault(num_id, [0] * 9)
        start, fmt, text = levels.get(ilvl, (1, "decimal", f"%{ilvl + 1}."))
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt in ("bullet", "none"):
            return ""
        for level in range(ilvl + 1):
            level_fmt = levels.get(level, (1, "decimal", ""))[1]
            formatter = _FORMATTERS.get(level_fmt, str)
            text = text.replace(f"%{level + 1}", formatter(max(counters[level], 1)))
        return text


def _footnotes(document) -> dict[str, str]:
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            root = etree.fromstring(rel.target_part.blob)
            return {
                note.get(qn("w:id")): "".join(t.text or "" for t in note.iter(qn("w:t"))).strip()
                for note in root.iter(qn("w:footnote"))
            }
    return {}


def _language_of_text(text: str) -> str:
    """ "km" or "en" by the script most of its letters are in; "" when it has none."""
    khmer = len(_KHMER_LETTER.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if not khmer and not latin:
        return ""
    return "km" if khmer > latin else "en"


def _opens_points(paragraph: str) -> bool:
    """Whether a paragraph so far introduces points (ends with a colon) or is already a list."""
    last = paragraph.rsplit("\n", 1)[-1]
    return last.rstrip().endswith((":", "៖")) or point_parts(last) is not None


def _is_bold(paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs)


def _style_name(paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def _is_heading_style(paragraph) -> bool:
    name = _style_name(paragraph)
    return name.startswith("Heading") or name == "Title"


def match_heading(text: str) -> tuple[str, str, str, str] | None:
    """(language, kind, number, rest) when ``text`` opens a part, chapter, section or article."""
    for language, pattern in HEADING_PATTERNS:
        match = pattern.match(text)
        if match:
            kind = KIND_OF[match.group(1).lower()]
            number = to_latin_digits(match.group(2))
            if re.fullmatch(r"[IVXLC]+", number):
                if kind == "article":
                    continue
                number = str(_roman_to_int(number))
            return language, kind, number, match.group(3).strip()
    return None


@dataclass
class _Open:
    provision: ParsedProvision
    language: str
    paragraphs: list[str]
    awaiting_heading: bool


class _WordReader:
    def __init__(self, document):
        self.document = document
        self.numbering = _Numbering(document)
        self.footnotes = _footnotes(document)
        self.trees: dict[str, list[ParsedProvision]] = {"en": [], "km": []}
        self.stacks: dict[str, list[_Open]] = {"en": [], "km": []}
        self.current: _Open | None = None
        self.parsed = ParsedDocument(source_format="docx")

    def where(self) -> str:
        return (
            label(self.current.provision.kind, self.current.provision.number)
            if self.current
            else ""
        )

    def problem(self, message: str, excerpt: str = "") -> None:
        self.parsed.problems.append(
            Problem(message=message, excerpt=excerpt[:300], where=self.where())
        )

    def close(self, entry: _Open) -> None:
        text = "\n\n".join(p for p in entry.paragraphs if p.strip())
        setattr(entry.provision, f"text_{entry.language}", text.strip())

    def open_provision(self, language: str, kind: str, number: str, rest: str) -> None:
        stack = self.stacks[language]
        while stack and DEPTH[stack[-1].provision.kind] >= DEPTH[kind]:
            self.close(stack.pop())
        provision = ParsedProvision(kind=kind, number=number)
        entry = _Open(provision, language, [], awaiting_heading=not rest)
        # "មាត្រា ១.- ច្បាប់នេះ..." puts the text on the heading's line: a long rest, or one
        # ending a sentence, is text, not a heading.
        if rest and kind == "article" and (len(rest) > 150 or rest.endswith(("។", "."))):
            entry.paragraphs.append(rest)
        elif rest:
            setattr(provision, f"heading_{language}", rest)
        (stack[-1].provision.children if stack else self.trees[language]).append(provision)
        stack.append(entry)
        self.current = entry

    def paragraph_text(self, paragraph) -> str:
        for reference in paragraph._p.iter(qn("w:footnoteReference")):
            note = self.footnotes.get(reference.get(qn("w:id")), "")
            self.problem(_("A footnote was not imported: the portal keeps no footnotes."), note)
        return paragraph.text.replace("\t", " ").strip()

    def read_paragraph(self, paragraph) -> None:
        text = self.paragraph_text(paragraph)
        number = self.numbering.label(paragraph)
        if not text:
            return
        if number is None:
            heading = match_heading(text)
            if heading is not None:
                self.open_provision(*heading)
                return
        if _style_name(paragraph) == "Title":
            # A title opens the document, or its version in the other language.
            language = "km" if _KHMER_LETTER.search(text) else "en"
            if not getattr(self.parsed, f"title_{language}"):
                setattr(self.parsed, f"title_{language}", text)
            self.current = None
            return
        entry = self.current
        if entry is not None and _language_of_text(text) not in ("", entry.language):
            # Text in the other language (the kingdom's motto over the Khmer text, say)
            # belongs to no article of this one: the article is over.
            self.current = entry = None
        if entry is None:
            self.problem(_("Text outside any chapter or article was left out."), text)
            return
        if (
            entry.awaiting_heading
            and number is None
            and (_is_heading_style(paragraph) or _is_bold(paragraph))
        ):
            setattr(entry.provision, f"heading_{entry.language}", text)
            entry.awaiting_heading = False
            return
        entry.awaiting_heading = False
        if number is not None:
            # A list item continues the paragraph that introduces it (or the list so far).
            line = f"{number} {text}" if number else text
            if entry.paragraphs:
                entry.paragraphs[-1] += "\n" + line
            else:
                entry.paragraphs.append(line)
            return
        if point_parts(text) and entry.paragraphs and _opens_points(entry.paragraphs[-1]):
            # Points numbered by hand, one Word paragraph each: one paragraph of the law.
            entry.paragraphs[-1] += "\n" + text
            return
        entry.paragraphs.append(text)

    def read_table(self, table: Table) -> None:
        lines = []
        for row in table.rows:
            cells = []
            for cell in row.cells:
                value = " ".join(cell.text.split())
                if value and (not cells or cells[-1] != value):
                    cells.append(value)
            if cells:
                lines.append(" — ".join(cells))
        if not lines:
            return
        if self.current is None:
            self.problem(_("A table before the first chapter or article was left out."), lines[0])
            return
        self.current.paragraphs.append("\n".join(lines))
        self.problem(_("A table was kept as lines of text, one row a line."), lines[0])

    def read(self) -> ParsedDocument:
        for block in self.document.iter_inner_content():
            if isinstance(block, WordParagraph):
                self.read_paragraph(block)
            elif isinstance(block, Table):
                self.read_table(block)
        for language in ("en", "km"):
            while self.stacks[language]:
                self.close(self.stacks[language].pop())
        self.parsed.languages = [lang for lang in ("en", "km") if self.trees[lang]]
        if not self.parsed.languages:
            raise DomainError(
                _(
                    "No chapter or article was found. Headings must read like “Chapter 1”, "
                    "“Article 1”, “ជំពូកទី១” or “មាត្រា ១”."
                )
            )
        first, *rest = self.parsed.languages
        self.parsed.provisions = self.trees[first]
        for language in rest:
            _merge_language(self.parsed.provisions, self.trees[language], language)
        return self.parsed


def _merge_language(into: list[ParsedProvision], other: list[ParsedProvision], language: str):
    """Lay one language's tree onto the other's: same kind and number, else same place."""
    taken: set[int] = set()
    for index, item in enumerate(other):
        target = next(
            (
                i
                for i, candidate in enumerate(into)
                if i not in taken
                and candidate.kind == item.kind
                and candidate.number == item.number
            ),
            None,
        )
        if (
            target is None
            and index < len(into)
            and index not in taken
            and into[index].kind == item.kind
        ):
            target = index
        if target is None:
            into.append(item)
            taken.add(len(into) - 1)
            continue
        taken.add(target)
        for name in ("heading", "text"):
            setattr(into[target], f"{name}_{language}", getattr(item, f"{name}_{language}"))
        _merge_language(into[target].children, item.children, language)


def _check_package(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise DomainError(
            _("The file is not a Word document (.docx), or it is damaged.")
        ) from error
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES or len(members) > 2000:
        raise DomainError(_("The Word document is too large once unpacked."))
    if "word/document.xml" not in archive.namelist():
        raise DomainError(_("The file is not a Word document (.docx), or it is damaged."))


def parse(data: bytes) -> ParsedDocument:
    """Read a Word draft into a bilingual provision tree, with what was not understood."""
    _check_package(data)
    try:
        document = Document(io.BytesIO(data))
    except (
        PackageNotFoundError,
        KeyError,
        ValueError,
        etree.XMLSyntaxError,
        zipfile.BadZipFile,
    ) as error:
        raise DomainError(
            _("The file is not a Word document (.docx), or it is damaged.")
        ) from error
    return _WordReader(document).read()
