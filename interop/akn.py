"""Akoma Ntoso 3.0 (OASIS LegalDocML): a version as one document per language, and back.

A draft law is an Akoma Ntoso ``bill``. Parts, chapters, sections and articles keep
the portal's stable ids as their ``eId``s, so a document read back in (here or after
a round through LEOS or Indigo) lands on the same provisions and comments follow
them. An article's text becomes paragraphs and numbered points (``interop.text``).
The two languages are two expressions of one work, each naming the other.

The official schema is kept in ``interop/schema`` (see its README); every export is
valid against it and every import is checked against it first.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from lxml import etree
from lxml.builder import ElementMaker

from core.errors import DomainError

from .parsed import ParsedDocument, ParsedProvision, Problem, label
from .text import Paragraph, Point, join_text, split_text, to_khmer_digits, to_latin_digits

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
SCHEMA = Path(__file__).resolve().parent / "schema" / "akomantoso30.xsd"
LANGUAGE_CODES = {"en": "eng", "km": "khm"}
LANGUAGE_NAMES = {"en": "English", "km": "ភាសាខ្មែរ"}
CONTAINER_TAGS = {"part": "part", "chapter": "chapter", "section": "section", "article": "article"}
COUNTRY = "kh"
PORTAL_REF = "portal"

E = ElementMaker(namespace=NS, nsmap={None: NS})


@cache
def schema() -> etree.XMLSchema:
    """The official Akoma Ntoso 3.0 schema (parsed once per process)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def safe_parser() -> etree.XMLParser:
    """No entities, no DTDs, no network: an uploaded document cannot reach anything."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# --- export -------------------------------------------------------------------------------


def _day(value) -> date:
    return timezone.localtime(value).date() if value else timezone.localdate()


def work_uri(draft) -> str:
    return f"/akn/{COUNTRY}/bill/{_day(draft.created_at).isoformat()}/{draft.slug}"


def expression_uri(version, language: str) -> str:
    when = _day(version.published_at or version.created_at).isoformat()
    return f"{work_uri(version.draft)}/{LANGUAGE_CODES[language]}@{when}"


def _org_ref(organisation) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", organisation.slug) or "ministry"


def _lines(parent, tag: str, lines: list[str]):
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for line in lines or [""]:
        etree.SubElement(element, f"{{{NS}}}p").text = line
    return element


def _point(parent, point: Point, eid: str) -> None:
    element = etree.SubElement(parent, f"{{{NS}}}point", eId=eid)
    etree.SubElement(element, f"{{{NS}}}num").text = point.num
    _lines(element, "content", point.lines)


def _paragraph_body(parent, paragraph: Paragraph, eid: str) -> None:
    """A paragraph's content: its lines, or intro + points + wrapUp."""
    if not paragraph.points:
        _lines(parent, "content", paragraph.intro)
        return
    if paragraph.intro:
        _lines(parent, "intro", paragraph.intro)
    for index, point in enumerate(paragraph.points, start=1):
        _point(parent, point, f"{eid}__point_{index}")
    if paragraph.wrap_up:
        _lines(parent, "wrapUp", paragraph.wrap_up)


def _text_body(element, text: str, eid: str) -> None:
    paragraphs = split_text(text)
    if len(paragraphs) == 1 and not paragraphs[0].points:
        _lines(element, "content", paragraphs[0].intro)
    elif not paragraphs:
        _lines(element, "content", [])
    else:
        for index, paragraph in enumerate(paragraphs, start=1):
            child_eid = f"{eid}__para_{index}"
            child = etree.SubElement(element, f"{{{NS}}}paragraph", eId=child_eid)
            _paragraph_body(child, paragraph, child_eid)


def _provision(parent, provision, children_of, language: str) -> None:
    element = etree.SubElement(
        parent, f"{{{NS}}}{CONTAINER_TAGS[provision.kind]}", eId=provision.stable_id
    )
    if provision.number:
        number = provision.number
        etree.SubElement(element, f"{{{NS}}}num").text = (
            to_khmer_digits(number) if language == "km" else number
        )
    heading = getattr(provision, f"heading_{language}")
    if heading:
        etree.SubElement(element, f"{{{NS}}}heading").text = heading
    text = getattr(provision, f"text_{language}")
    children = children_of.get(provision.pk, [])
    if children:
        if text:
            _lines(element, "intro", text.split("\n"))
        for child in children:
            _provision(element, child, children_of, language)
    else:
        _text_body(element, text, provision.stable_id)


def version_document(version, provisions: list, language: str) -> bytes:
    """One language of ``version`` as an Akoma Ntoso 3.0 document (UTF-8 XML bytes).

    ``provisions`` are the version's live provisions in document order
    (``drafts.selectors.provisions_for_reading``); ``version.draft.lead_ministry`` is used.
    """
    draft = version.draft
    other = "km" if language == "en" else "en"
    code = LANGUAGE_CODES[language]
    expression = expression_uri(version, language)
    manifestation_day = timezone.localdate().isoformat()
    work_day = _day(draft.created_at).isoformat()
    expression_day = _day(version.published_at or version.created_at).isoformat()
    ministry = _org_ref(draft.lead_ministry)
    title = getattr(draft, f"title_{language}") or draft.title_en

    with override(language):
        portal_name = _("Public consultation portal")
        publication_name = _("Published for public consultation")

    expression_children = [
        E.FRBRthis(value=f"{expression}/!main"),
        E.FRBRuri(value=expression),
        E.FRBRdate(date=expression_day, name="Publication" if version.published_at else "Draft"),
        E.FRBRauthor(href=f"#{ministry}"),
        E.FRBRversionNumber(value=str(version.number)),
        E.FRBRlanguage(language=code),
    ]
    if language == "en":
        # Khmer is the language of Cambodian law: the English text is its translation.
        expression_children.append(
            E.FRBRtranslation(
                href=expression_uri(version, "km"), fromLanguage="khm", by=f"#{ministry}"
            )
        )
    identification = E.identification(
        E.FRBRWork(
            E.FRBRthis(value=f"{work_uri(draft)}/!main"),
            E.FRBRuri(value=work_uri(draft)),
            E.FRBRalias(value=draft.short_title_en, name="short title"),
            E.FRBRdate(date=work_day, name="Generation"),
            E.FRBRauthor(href=f"#{ministry}"),
            E.FRBRcountry(value=COUNTRY),
            E.FRBRnumber(value=draft.slug),
            E.FRBRname(value=draft.title_en),
            E.FRBRprescriptive(value="true"),
        ),
        E.FRBRExpression(*expression_children),
        # The manifestation names the expression, as Indigo and cobalt write it, so their
        # readers find the document's FRBR URI where they look for it.
        E.FRBRManifestation(
            E.FRBRthis(value=f"{expression}/!main"),
            E.FRBRuri(value=expression),
            E.FRBRdate(date=manifestation_day, name="Generation"),
            E.FRBRauthor(href=f"#{PORTAL_REF}"),
            E.FRBRformat(value="application/akn+xml"),
        ),
        source=f"#{PORTAL_REF}",
    )
    meta = E.meta(identification)
    if version.published_at:
        meta.append(
            E.publication(
                date=expression_day,
                name="consultation-portal",
                showAs=publication_name,
                number=str(version.number),
            )
        )
    events = [E.eventRef(eId=f"e_{work_day}", date=work_day, source="#original", type="generation")]
    if version.published_at and expression_day != work_day:
        events.append(
            E.eventRef(
                eId=f"e_{expression_day}", date=expression_day, source="#original", type="amendment"
            )
        )
    meta.append(E.lifecycle(*events, source=f"#{PORTAL_REF}"))
    meta.append(
        E.references(
            E.original(eId="original", href=f"{expression_uri(version, 'km')}/!main", showAs=title),
            E.TLCOrganization(
                eId=ministry,
                href=f"/ontology/organization/{COUNTRY}/{ministry}",
                showAs=getattr(draft.lead_ministry, f"name_{language}", "")
                or draft.lead_ministry.name_en,
            ),
            E.TLCOrganization(
                eId=PORTAL_REF,
                href=f"/ontology/organization/{COUNTRY}/consultation-portal",
                showAs=portal_name,
            ),
            E.TLCReference(
                eId=f"expression_{LANGUAGE_CODES[other]}",
                name="otherLanguage",
                href=expression_uri(version, other),
                showAs=LANGUAGE_NAMES[other],
            ),
            source=f"#{PORTAL_REF}",
        )
    )

    body = E.body()
    children_of: dict[int | None, list] = {}
    for provision in provisions:
        children_of.setdefault(provision.parent_id, []).append(provision)
    live_ids = {p.pk for p in provisions}
    for provision in provisions:
        if provision.parent_id is None or provision.parent_id not in live_ids:
            _provision(body, provision, children_of, language)
    if not len(body):
        # An empty version is still a valid document: the body needs one element.
        body.append(E.hcontainer(E.content(E.p()), name="empty", eId="hcontainer_1"))

    root = E.akomaNtoso(
        E.bill(
            meta,
            E.preface(E.longTitle(E.p(E.docTitle(title)))),
            body,
            name="bill",
            contains="originalVersion",
        )
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- import -------------------------------------------------------------------------------


def _tag(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text_of(element) -> str:
    return "".join(element.itertext())


def _child(element, name: str):
    return element.find(f"{{{NS}}}{name}")


def _number(raw: str) -> str:
    number = to_latin_digits(raw or "").strip()
    number = re.sub(
        r"^(article|chapter|part|section|art\.?|មាត្រា|ជំពូក|ភាគ|ផ្នែក)\s*", "", number, flags=re.I
    )
    number = re.sub(r"^ទី\s*", "", number)
    return number.strip().rstrip(".-–—:៖ ").strip()


class _Reader:
    def __init__(self, language: str):
        self.language = language
        self.problems: list[Problem] = []

    def problem(self, message: str, element, where: str) -> None:
        self.problems.append(
            Problem(message=message, excerpt=_text_of(element).strip()[:300], where=where)
        )

    def _block_lines(self, element, where: str = "") -> list[str]:
        """The lines of a content/intro/wrapUp block: one per <p>; other blocks as their text."""
        lines = []
        for child in element:
            tag = _tag(child)
            if not tag:
                continue
            if tag != "p":
                self.problem(
                    _("An element of kind “%(tag)s” was read as plain text.") % {"tag": tag},
                    child,
                    where,
                )
            lines.append(_text_of(child).strip())
        return lines

    def paragraph(self, element, where: str) -> Paragraph:
        paragraph = Paragraph()
        for child in element:
            tag = _tag(child)
            if tag in ("num", "heading", "subheading", ""):
                continue
            if tag in ("content", "intro"):
                paragraph.intro.extend(self._block_lines(child, where))
            elif tag == "wrapUp":
                paragraph.wrap_up.extend(self._block_lines(child, where))
            elif tag in ("point", "item", "list", "indent", "alinea"):
                num = _child(child, "num")
                point_lines = []
                for part in child:
                    if _tag(part) in ("content", "intro", "wrapUp"):
                        point_lines.extend(self._block_lines(part, where))
                    elif _tag(part) not in ("num", ""):
                        point_lines.append(_text_of(part).strip())
                paragraph.points.append(
                    Point(
                        num=(_text_of(num).strip() if num is not None else "") or "-",
                        lines=point_lines or [""],
                    )
                )
            else:
                self.problem(
                    _("An element of kind “%(tag)s” was read as plain text.") % {"tag": tag},
                    child,
                    where,
                )
                (paragraph.wrap_up if paragraph.points else paragraph.intro).append(
                    _text_of(child).strip()
                )
        num = _child(element, "num")
        if num is not None and _text_of(num).strip():
            # A numbered paragraph or subsection keeps its number at the head of its text.
            number = _text_of(num).strip()
            if paragraph.intro:
                paragraph.intro[0] = f"{number} {paragraph.intro[0]}"
            else:
                paragraph.intro.insert(0, number)
        return paragraph

    def leaf_text(self, element, where: str) -> str:
        """An article's (or childless container's) text from its content or paragraphs."""
        paragraphs = []
        direct = Paragraph()
        for child in element:
            tag = _tag(child)
            if tag in ("paragraph", "subsection", "subparagraph", "clause"):
                if direct.text:
                    paragraphs.append(direct)
                    direct = Paragraph()
                paragraphs.append(self.paragraph(child, where))
            elif tag in ("content", "intro", "wrapUp", "point", "item", "list"):
                wrapper = etree.Element(f"{{{NS}}}paragraph")
                wrapper.append(_copy(child))
                part = self.paragraph(wrapper, where)
                direct.intro.extend(part.intro)
                direct.points.extend(part.points)
                direct.wrap_up.extend(part.wrap_up)
            elif tag in ("num", "heading", "subheading", ""):
                continue
            else:
                self.problem(
                    _("An element of kind “%(tag)s” was read as plain text.") % {"tag": tag},
                    child,
                    where,
                )
                direct.intro.append(_text_of(child).strip())
        if direct.text:
            paragraphs.append(direct)
        return join_text(paragraphs)

    def container(self, element, kind: str) -> ParsedProvision:
        num = _child(element, "num")
        heading = _child(element, "heading")
        provision = ParsedProvision(
            kind=kind,
            number=_number(_text_of(num)) if num is not None else "",
            source_id=element.get("eId") or element.get("wId") or element.get("GUID") or "",
        )
        setattr(
            provision,
            f"heading_{self.language}",
            _text_of(heading).strip() if heading is not None else "",
        )
        where = label(kind, provision.number)
        if kind != "article" and self.has_structure(element):
            intro = _child(element, "intro")
            if intro is not None:
                setattr(
                    provision, f"text_{self.language}", "\n".join(self._block_lines(intro, where))
                )
            provision.children = self.structure(element, where)
        else:
            setattr(provision, f"text_{self.language}", self.leaf_text(element, where))
        return provision

    def has_structure(self, element) -> bool:
        return any(
            _tag(child) in CONTAINER_TAGS or _tag(child) in UNKNOWN_CONTAINERS for child in element
        )

    def structure(self, element, where: str) -> list[ParsedProvision]:
        found = []
        for child in element:
            tag = _tag(child)
            if tag in CONTAINER_TAGS:
                found.append(self.container(child, tag))
            elif tag in UNKNOWN_CONTAINERS:
                self.problem(
                    _(
                        "A division of kind “%(tag)s” is not kept by the portal; "
                        "the provisions inside it were read."
                    )
                    % {"tag": tag},
                    _child(child, "heading") if _child(child, "heading") is not None else child,
                    where,
                )
                found.extend(self.structure(child, where))
            elif tag in ("num", "heading", "subheading", "intro", "wrapUp", ""):
                continue
            else:
                self.problem(
                    _("Text outside any article was left out."),
                    child,
                    where,
                )
        return found


UNKNOWN_CONTAINERS = {
    "book", "tome", "title", "subtitle", "subpart", "division", "subdivision", "subchapter",
    "hcontainer", "level", "transitional", "rule",
}  # fmt: skip


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def _language_of(root) -> str:
    found = root.find(f".//{{{NS}}}FRBRExpression/{{{NS}}}FRBRlanguage")
    code = (found.get("language") if found is not None else "") or ""
    code = code.lower()
    if code in ("km", "khm"):
        return "km"
    if code in ("en", "eng"):
        return "en"
    raise DomainError(
        _("The document does not say its language as English or Khmer (FRBRlanguage “%(code)s”).")
        % {"code": code or "—"}
    )


def parse_document(data: bytes) -> tuple[str, str, list[ParsedProvision], list[Problem]]:
    """Read one Akoma Ntoso document: (language, title, provisions, problems).

    Refused with a clear message when it is not XML or fails the official schema.
    """
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise DomainError(
            _("The file is not well-formed XML: %(error)s") % {"error": error}
        ) from error
    if root.getroottree().docinfo.doctype:
        raise DomainError(_("Documents with a document type declaration (DTD) are not accepted."))
    if etree.QName(root).namespace != NS or _tag(root) != "akomaNtoso":
        raise DomainError(_("This is not an Akoma Ntoso 3.0 document."))
    validator = schema()
    try:
        valid = validator.validate(root)
    except etree.Error:
        valid = False
    if not valid:
        errors = "; ".join(
            _("line %(line)s: %(message)s") % {"line": e.line, "message": e.message}
            for e in list(validator.error_log)[:3]
        )
        raise DomainError(
            _("The document does not follow the Akoma Ntoso 3.0 schema: %(errors)s")
            % {"errors": errors}
        )
    language = _language_of(root)
    document = root[0]
    doc_title = document.find(f".//{{{NS}}}preface//{{{NS}}}docTitle")
    title = _text_of(doc_title).strip() if doc_title is not None else ""
    body = _child(document, "body")
    if body is None:
        body = _child(document, "mainBody")
    reader = _Reader(language)
    provisions = reader.structure(body, "") if body is not None else []
    return language, title, provisions, reader.problems


def _merge(into: list[ParsedProvision], other: list[ParsedProvision], language: str, problems):
    """Lay the other language's tree onto ``into``, provision by provision (by eId, else place)."""
    by_id = {p.source_id: p for p in into if p.source_id}
    for index, item in enumerate(other):
        target = by_id.get(item.source_id) if item.source_id else None
        if target is None and index < len(into) and into[index].kind == item.kind:
            target = into[index]
        if target is None:
            into.append(item)
            continue
        for name in ("heading", "text"):
            setattr(target, f"{name}_{language}", getattr(item, f"{name}_{language}"))
        _merge(target.children, item.children, language, problems)


def parse(files: list[tuple[str, bytes]]) -> ParsedDocument:
    """Read one Akoma Ntoso document per language (one or two) into one bilingual tree."""
    parsed = ParsedDocument(source_format="akn")
    for name, data in files:
        language, title, provisions, problems = parse_document(data)
        if language in parsed.languages:
            raise DomainError(
                _("Two documents are in the same language (%(name)s); send one per language.")
                % {"name": name}
            )
        setattr(parsed, f"title_{language}", title)
        parsed.problems.extend(problems)
        if not parsed.languages:
            parsed.provisions = provisions
        else:
            _merge(parsed.provisions, provisions, language, parsed.problems)
        parsed.languages.append(language)
    if not parsed.count("article") and parsed.count("section"):
        # Acts marked up as Indigo does (South African style) number sections where a
        # Cambodian law has articles: they are the articles here.
        for item, _depth in parsed.walk():
            if item.kind == "section" and not item.children:
                item.kind = "article"
        parsed.problems.append(
            Problem(
                message=_(
                    "The document has sections and no articles: its sections were read as articles."
                )
            )
        )
    if not parsed.count("article"):
        raise DomainError(_("The document has no articles."))
    return parsed
